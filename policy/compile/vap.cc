#include "policy/compile/vap.h"

#include <algorithm>

#include "policy/base/field_path.h"
#include "policy/base/glob.h"
#include "policy/base/key_reference.h"
#include "policy/catalog/catalog.h"
#include "policy/catalog/guardrails.h"
#include "policy/catalog/violation_codes.h"
#include "policy/compile/cel_text.h"

namespace keyward {
namespace {

using json = nlohmann::json;

// ---- the params: every fact of the policy the CEL reads ----

void AddOwner(json& owners, const std::string& text, const std::string& tenant) {
  json& list = owners[text];
  if (!list.is_array()) list = json::array();
  if (std::find(list.begin(), list.end(), tenant) == list.end()) list.push_back(tenant);
}

// A tenant's claim on `text` (a namespace, key, role or network ID): exact
// texts in the map `owners` (text -> tenants), globs as regular
// expressions in the list `patterns`.
void AddClaim(json& spec, const char* owners, const char* patterns, const std::string& text,
              const std::string& tenant) {
  if (IsGlob(text)) {
    spec[patterns].push_back({{"regex", GlobRegex(text)}, {"tenant", tenant}});
  } else {
    AddOwner(spec[owners], text, tenant);
  }
}

json RegexList(const std::vector<std::string>& globs) {
  json out = json::array();
  for (const std::string& glob : globs) out.push_back(GlobRegex(glob));
  return out;
}

// Instance types with local NVMe storage (Policy::HasLocalStorage): a known
// family, or a localStorageInstanceTypes glob matching the type or its
// family. A glob's family form matches a little more than the core does;
// that only spares a volume key from MissingKey, never denies.
json LocalStorageRegexes(const Policy& policy) {
  json out = json::array();
  for (std::string_view family : LocalStorageFamilies()) {
    std::string regex = GlobRegex(family);
    regex.pop_back();  // the closing $
    out.push_back(regex + "(\\..*)?$");
  }
  for (const std::string& glob : policy.local_storage_instance_types) {
    out.push_back(GlobRegex(glob));
    std::string family = GlobRegex(glob);
    family.pop_back();
    out.push_back(family + "\\..*$");
  }
  return out;
}

json SelectorParams(const Tenant& tenant) {
  json expressions = json::array();
  for (const LabelRequirement& requirement : tenant.namespace_selector->match_expressions) {
    expressions.push_back({{"key", requirement.key},
                           {"operator", WordOf<SelectorOperator>(kSelectorOperatorWords, requirement.op)},
                           {"values", requirement.values}});
  }
  json labels = json::object();
  for (const auto& [key, value] : tenant.namespace_selector->match_labels) labels[key] = value;
  return {{"tenant", tenant.name}, {"matchLabels", labels}, {"matchExpressions", expressions}};
}

// ---- the CEL ----

// The admitted and the stored object, for the fields of one kind. The
// apiserver type-checks every expression of a policy against the schema of
// each kind it matches (status.typeChecking), and one policy matches every
// SageMaker kind: a path of one kind read from the typed `object` would be an
// "undefined field" warning on all the others. The kind's own paths are read
// through dyn() instead; the catalog's tests check each path against its own
// kind's CRD schema (tests/policy/catalog_test.cc).
constexpr const char* kObject = "variables.untypedObject";
constexpr const char* kOldObject = "variables.untypedOldObject";

// Facts of the request every policy's validations read, computed once per
// request (variables are evaluated lazily, at most once).
json Variables() {
  const std::string labels =
      "namespaceObject != null && has(namespaceObject.metadata) && has(namespaceObject.metadata.labels) ? "
      "namespaceObject.metadata.labels : {}";
  // Kubernetes label selector semantics: every matchLabels pair and every
  // requirement holds (NotIn and DoesNotExist hold for an absent label).
  const std::string selected =
      "params.spec.selectors.filter(s, s.matchLabels.all(k, k in variables.labels && variables.labels[k] == "
      "s.matchLabels[k]) && s.matchExpressions.all(e, e.operator == 'In' ? (e.key in variables.labels && "
      "variables.labels[e.key] in e.values) : e.operator == 'NotIn' ? !(e.key in variables.labels && "
      "variables.labels[e.key] in e.values) : e.operator == 'Exists' ? e.key in variables.labels : !(e.key in "
      "variables.labels))).map(s, s.tenant)";
  const std::string claimants =
      "(variables.namespace in params.spec.namespaceTenants ? params.spec.namespaceTenants[variables.namespace] : []) + "
      "params.spec.namespacePatterns.filter(p, variables.namespace.matches(p.regex)).map(p, p.tenant) + " + selected;
  std::string region =
      "has(object.metadata.annotations) && 'services.k8s.aws/region' in object.metadata.annotations && "
      "object.metadata.annotations['services.k8s.aws/region'] != '' ? "
      "object.metadata.annotations['services.k8s.aws/region'] : ";
  // The legacy operator's spec.region, where its kinds have one.
  for (const CatalogKind& kind : Catalog()) {
    if (kind.region_path.empty()) continue;
    const SplitPath path = SplitFieldPath(kind.region_path);
    region += "(request.kind.group == " + CelString(kind.group) + " && request.kind.kind == " +
              CelString(kind.kind) + " && " + PlainGuard(kObject, path) + " && " + PlainAccess(kObject, path) +
              " != '') ? " + PlainAccess(kObject, path) + " : ";
  }
  region +=
      "namespaceObject != null && has(namespaceObject.metadata) && has(namespaceObject.metadata.annotations) && "
      "'services.k8s.aws/default-region' in namespaceObject.metadata.annotations && "
      "namespaceObject.metadata.annotations['services.k8s.aws/default-region'] != '' ? "
      "namespaceObject.metadata.annotations['services.k8s.aws/default-region'] : variables.tenant != '' ? "
      "params.spec.tenants[variables.tenant].region : params.spec.defaultRegion";
  return json::array({
      {{"name", "untypedObject"}, {"expression", "dyn(object)"}},
      {{"name", "untypedOldObject"}, {"expression", "dyn(oldObject)"}},
      // `namespace` is a reserved word in CEL, so request.namespace cannot
      // be written; a namespaced object's namespace is namespaceObject.
      {{"name", "namespace"},
       {"expression",
        "namespaceObject != null && has(namespaceObject.metadata) && has(namespaceObject.metadata.name) ? "
        "namespaceObject.metadata.name : ''"}},
      {{"name", "labels"}, {"expression", labels}},
      {{"name", "claimants"}, {"expression", claimants}},
      {{"name", "tenant"},
       {"expression",
        "size(variables.claimants) > 0 && variables.claimants.all(c, c == variables.claimants[0]) ? "
        "variables.claimants[0] : ''"}},
      {{"name", "ambiguous"}, {"expression", "variables.claimants.exists(c, c != variables.claimants[0])"}},
      {{"name", "judged"},
       {"expression", "!params.spec.exemptNamespaces.exists(p, variables.namespace.matches(p))"}},
      {{"name", "trusted"},
       {"expression", "params.spec.trustedUsers.exists(p, request.userInfo.username.matches(p))"}},
      // The key rules deny: the tenant's enforcement is deny.
      {{"name", "keysDeny"},
       {"expression", "variables.judged && variables.tenant != '' && params.spec.tenants[variables.tenant].keysDeny"}},
      {{"name", "region"}, {"expression", region}},
  });
}

std::string KindIs(const CatalogKind& kind) {
  return "request.kind.group == " + CelString(kind.group) + " && request.kind.kind == " + CelString(kind.kind);
}

// A key field's value at `parent.name`, "" when absent.
std::string ValueAt(const std::string& parent, std::string_view name) {
  return std::string("(") + CelHas(parent, name) + " ? " + CelMember(parent, name) + " : '')";
}

// For every place of `field` (its parent present, or for an anchored field
// the anchor present and not switched off), `ok(value)`.
std::string EverySlot(const KmsField& field, const std::function<std::string(const std::string&)>& ok) {
  if (field.anchor_depth == 0) {
    return ForEveryParent(kObject, field.split_path,
                          [&](const std::string& parent, std::string_view name) { return ok(ValueAt(parent, name)); });
  }
  const SplitPath anchor(field.split_path.begin(), field.split_path.begin() + static_cast<long>(field.anchor_depth));
  const SplitPath below(field.split_path.begin() + static_cast<long>(field.anchor_depth), field.split_path.end());
  const SplitPath below_parent(below.begin(), below.end() - 1);
  return ForEveryParent(kObject, anchor, [&](const std::string& parent, std::string_view name) {
    const std::string at = CelMember(parent, name);
    const std::string parent_present = PlainGuard(at, below_parent);
    const std::string value_parent = below_parent.empty() ? at : PlainAccess(at, below_parent);
    const std::string value = "(" + parent_present + " && " + CelHas(value_parent, below.back().name) + " ? " +
                              CelMember(value_parent, below.back().name) + " : '')";
    const std::string switched_off = field.anchor_switch.empty()
                                         ? "false"
                                         : std::string("(") + CelHas(at, field.anchor_switch) + " && " +
                                               CelMember(at, field.anchor_switch) + " == false)";
    return std::string("!") + CelHas(parent, name) + " || (" + parent_present + " ? " + ok(value) + " : (" + switched_off +
           " || " + ok("''") + "))";
  });
}

// True when SageMaker may refuse a key in `field` (refused_fields.h): read
// more widely than the core does (any array element, not only the key's
// own), which only ever spares a field.
std::string MayBeRefused(const CatalogKind& kind, const SplitPath& field_path) {
  std::string any = "false";
  auto add = [&any](const std::string& condition) { any += " || " + condition; };
  for (const RefusedField* row : kind.refused) {
    if (row->split_path.size() > field_path.size() ||
        !std::equal(row->split_path.begin(), row->split_path.end(), field_path.begin(),
                    [](const PathSegment& a, const PathSegment& b) { return a.name == b.name && a.array == b.array; })) {
      continue;
    }
    for (const SplitPath& read : row->split_reads) {
      switch (row->when) {
        case Refusal::kLocalStorage:
          break;
        case Refusal::kModelVariants:
          add(ForSomeValue(kObject, read, [](const std::string& v) { return v + " != ''"; }));
          break;
        case Refusal::kServerlessVariants:
          add(ForSomeValue(kObject, read, [](const std::string&) { return std::string("true"); }));
          break;
        case Refusal::kS3ExpressOutput:
          add(ForSomeValue(kObject, read, [](const std::string& v) { return v + ".contains('--x-s3')"; }));
          break;
      }
    }
  }
  return "(" + any + ")";
}

// True when an instance type the volume field covers has local NVMe
// storage (any of them: wider than the core, as above).
std::string OnLocalStorage(const KmsField& field) {
  if (field.local_storage != LocalStorageRule::kRejectKey) return "false";
  std::string any = "false";
  for (const SplitPath& types : field.split_instance_type_paths) {
    any += " || " + ForSomeValue(kObject, types, [](const std::string& v) {
      return "params.spec.localStorageTypes.exists(r, " + v + ".matches(r))";
    });
  }
  return "(" + any + ")";
}

// The key ID or alias name of the ARN `k` ("" for another form).
std::string KeyIdOf(const std::string& k) {
  const std::string resource = k + ".split(':', 6)[5]";
  return "(size(" + k + ".split(':', 6)) == 6 ? (" + resource + ".startsWith('key/') ? " + resource +
         ".substring(4) : " + resource + ") : '')";
}

// Policy::TenantsApproving, for the request's tenant: the text itself, or
// for an ARN its key ID or alias name, among the tenant's keys and
// allowedKeys (exact or glob); a bare ID or alias name under
// keyReferences: any when an approved ARN names the same key.
std::string ApprovedForTenant(const std::string& k) {
  auto owns = [](const std::string& text) {
    return "((" + text + " in params.spec.keyOwners && variables.tenant in params.spec.keyOwners[" + text +
           "]) || params.spec.keyPatterns.exists(p, p.tenant == variables.tenant && " + text + ".matches(p.regex)))";
  };
  return std::string("(") + owns(k) + " || (" + k + ".startsWith('arn:') ? [" + KeyIdOf(k) + "].all(id, id != '' && " +
         owns("id") + ") : (params.spec.keyReferencesAny && " + k + " in params.spec.keyIdOwners && " +
         "variables.tenant in params.spec.keyIdOwners[" + k + "])))";
}

std::string AwsManaged(const std::string& k) {
  return "(" + k + ".startsWith('alias/aws/') || " + k + ".matches('^arn:[^:]*:kms:[^:]*:[^:]*:alias/aws/'))";
}

std::string InAnotherRegion(const std::string& k) {
  return "(" + k + ".startsWith('arn:') && size(" + k + ".split(':')) >= 6 && " + k + ".split(':')[3] != '' && " +
         "variables.region != '' && " + k + ".split(':')[3] != variables.region)";
}

// The start of a denial message, as the core's begins (Conclude).
std::string Prefix(const CatalogKind& kind) {
  return CelString("keyward: " + std::string(kind.kind) + " ") +
         " + variables.namespace + '/' + (has(object.metadata.name) ? object.metadata.name : '') + " +
         CelString(" violates the KMS key policy of tenant ") + " + variables.tenant + ': '";
}

json Validation(const std::string& expression, const std::string& message, const std::string& message_expression) {
  return {{"expression", expression},
          {"message", message},
          {"messageExpression", message_expression},
          {"reason", "Forbidden"}};
}

void AddKeyValidations(const CatalogKind& kind, json& validations) {
  const std::string when = "!(variables.keysDeny && " + KindIs(kind) + ")";
  for (const KmsField& field : kind.fields) {
    const std::string path(field.path);
    const std::string refused = MayBeRefused(kind, field.split_path);
    if (!field.deprecated) {
      const std::string spared = refused + " || " + OnLocalStorage(field);
      validations.push_back(Validation(
          when + " || " + spared + " || " + EverySlot(field, [](const std::string& v) { return v + " != ''"; }),
          "keyward: MissingKey at " + path + ": no KMS key is set",
          Prefix(kind) + " + " +
              CelString("MissingKey at " + path + ": no KMS key is set; set it to the " +
                        std::string(KeyPurposeName(field.purpose)) + " key of tenant ") +
              " + variables.tenant + ' in ' + variables.region + ' (the keyward webhook sets it when it runs: "
              "retry)'"));
    }
    validations.push_back(Validation(
        when + " || " + refused + " || " + EverySlot(field, [](const std::string& v) {
          return std::string("[") + v + "].all(k, k == '' || (!" + AwsManaged("k") + " && " + ApprovedForTenant("k") + " && !" +
                 InAnotherRegion("k") + "))";
        }),
        "keyward: " + path + " names a key the tenant may not use",
        Prefix(kind) + " + " +
            CelString("AwsManagedKey, ForeignKey, UnapprovedKey or RegionMismatch at " + path +
                      ": use a customer-managed " + std::string(KeyPurposeName(field.purpose)) + " key of tenant ") +
            " + variables.tenant + ' in ' + variables.region"));
  }
}

// CheckRoleText: another tenant's role, or one the tenant does not list
// when it lists roles.
std::string RoleAllowed(const std::string& r) {
  const std::string claimed_by_tenant = "((" + r + " in params.spec.roleOwners && variables.tenant in "
                                        "params.spec.roleOwners[" + r + "]) || params.spec.rolePatterns.exists(p, "
                                        "p.tenant == variables.tenant && " + r + ".matches(p.regex)))";
  const std::string claimed = "(" + r + " in params.spec.roleOwners || params.spec.rolePatterns.exists(p, " + r +
                              ".matches(p.regex)))";
  return "(" + claimed_by_tenant + " || (!" + claimed + " && !params.spec.tenants[variables.tenant].hasRoles))";
}

void AddRoleValidations(const CatalogKind& kind, json& validations) {
  for (const RoleField& field : kind.roles) {
    const std::string path(field.path);
    validations.push_back(Validation(
        "!(variables.keysDeny && " + KindIs(kind) + ") || " +
            ForEveryParent(kObject, field.split_path,
                           [](const std::string& parent, std::string_view name) {
                             return std::string("[") + ValueAt(parent, name) + "].all(r, r == '' || " + RoleAllowed("r") + ")";
                           }),
        "keyward: " + path + " names a role the tenant may not use",
        Prefix(kind) + " + " + CelString("ForeignRole or UnapprovedRole at " + path + ": use a role of tenant ") +
            " + variables.tenant"));
  }
}

// UPDATE: a create-only key changed where the stored object had its place
// (CheckChangedFields). Fields in arrays or below an anchor are left to the
// webhook (not_expressed says why).
void AddImmutableValidations(const CatalogKind& kind, json& validations) {
  for (const KmsField& field : kind.fields) {
    if (!field.create_only || field.anchor_depth != 0 || HasArray(field.split_path)) continue;
    const SplitPath parent(field.split_path.begin(), field.split_path.end() - 1);
    const std::string name(field.split_path.back().name);
    auto value = [&](const std::string& root) {
      const std::string at = parent.empty() ? root : PlainAccess(root, parent);
      return std::string("(") + CelHas(at, name) + " ? " + CelMember(at, name) + " : '')";
    };
    const std::string now_there = PlainGuard(kObject, parent);
    const std::string was_there = PlainGuard(kOldObject, parent);
    const std::string changed = "((" + now_there + ") && (" + was_there + ") && " + value(kObject) + " != " +
                                value(kOldObject) + ") || (!(" + now_there + ") && (" + was_there + ") && " +
                                value(kOldObject) + " != '')";
    const std::string path(field.path);
    validations.push_back(Validation(
        "!(variables.keysDeny && !variables.trusted && " + KindIs(kind) + ") || !(" + changed + ")",
        "keyward: ImmutableKey at " + path + ": SageMaker cannot change this key after creation",
        Prefix(kind) + " + " +
            CelString("ImmutableKey at " + path + ": SageMaker cannot change this key after creation; restore ") +
            " + string(" + value(kOldObject) + ") + " + CelString(", or to change it, " + std::string(ReplacementFix(kind)))));
  }
}

json TenancyValidations() {
  return json::array(
      {Validation("!(variables.judged && request.operation == 'CREATE' && size(variables.claimants) == 0 && "
                  "params.spec.noTenantDenies)",
                  "keyward: NoTenant: the namespace belongs to no tenant of the KMS key policy",
                  "'keyward: NoTenant at metadata.namespace: namespace ' + variables.namespace + ' belongs to no tenant "
                  "of the KMS key policy; ask the platform team to add it to a tenant'"),
       Validation("!(variables.judged && !(request.operation == 'UPDATE' && variables.trusted) && variables.ambiguous)",
                  "keyward: AmbiguousTenant: more than one tenant claims the namespace",
                  "'keyward: AmbiguousTenant at metadata.namespace: namespace ' + variables.namespace + ' is claimed by "
                  "more than one tenant (by name or by its labels); ask the platform team to make the tenants\\' "
                  "namespaces disjoint'")});
}

// ---- the guardrails ----

// A JSON value of the guardrail table as a CEL literal.
std::string CelLiteral(const json& value) {
  if (value.is_string()) return CelString(value.get<std::string>());
  return value.dump();
}

// The kind of value a network or VPC field holds, from its name: an ID
// ("subnetID"), a list ("subnets", "securityGroupIDs") or an object
// ("vpcConfig"). Each needs its own test of emptiness for the CEL to type
// check against the CRD's schema.
enum class ValueShape { kString, kList, kObject };
ValueShape ShapeOf(std::string_view name) {
  if (name.ends_with("ID") || name.ends_with("Id")) return ValueShape::kString;
  if (name.ends_with("s")) return ValueShape::kList;
  return ValueShape::kObject;
}

// For every slot of a guardrail row (its parent present, or for an
// anchored row the anchor present), `ok(present, value)`; `present` is
// "false" for a slot whose parent is missing, and then `value` must not be
// used.
std::string EveryGuardSlot(const GuardrailField& row,
                           const std::function<std::string(const std::string&, const std::string&)>& ok) {
  if (row.anchor_depth == 0) {
    return ForEveryParent(kObject, row.split_path, [&](const std::string& parent, std::string_view name) {
      return ok(CelHas(parent, name), CelMember(parent, name));
    });
  }
  const SplitPath anchor(row.split_path.begin(), row.split_path.begin() + static_cast<long>(row.anchor_depth));
  const SplitPath below(row.split_path.begin() + static_cast<long>(row.anchor_depth), row.split_path.end());
  const SplitPath below_parent(below.begin(), below.end() - 1);
  return ForEveryParent(kObject, anchor, [&](const std::string& parent, std::string_view name) {
    const std::string at = CelMember(parent, name);
    const std::string value_parent = below_parent.empty() ? at : PlainAccess(at, below_parent);
    return std::string("!") + CelHas(parent, name) + " || (" + PlainGuard(at, below_parent) + " ? " +
           ok(CelHas(value_parent, below.back().name), CelMember(value_parent, below.back().name)) + " : " +
           ok("false", "") + ")";
  });
}

// One network ID `id` is the tenant's: it claims it, or nobody does and the
// tenant lists none of this kind (CheckNetworkIds).
std::string NetworkIdAllowed(const std::string& id, const std::string& owners, const std::string& patterns,
                             const std::string& tenant_lists) {
  const std::string t = "variables.tenant";
  return "((" + id + " in params.spec." + owners + " && " + t + " in params.spec." + owners + "[" + id +
         "]) || params.spec." + patterns + ".exists(p, p.tenant == " + t + " && " + id + ".matches(p.regex)) || (!(" +
         id + " in params.spec." + owners + ") && !params.spec." + patterns + ".exists(p, " + id +
         ".matches(p.regex)) && !params.spec.tenants[" + t + "]." + tenant_lists + "))";
}

// What one row requires, where `present` says whether the field is set.
std::string GuardOk(const GuardrailField& row, const std::string& present, const std::string& value) {
  const bool absent = present == "false";
  const ValueShape shape = ShapeOf(row.split_path.back().name);
  switch (row.check) {
    case GuardCheck::kMustEqual:
      return absent ? "false" : "(" + present + " && " + value + " == " + CelLiteral(row.expected) + ")";
    case GuardCheck::kMustNotEqual:
      return absent ? "true" : "(!" + present + " || " + value + " != " + CelLiteral(row.expected) + ")";
    case GuardCheck::kMustExist:
      if (absent) return "false";
      if (shape == ValueShape::kString) return "(" + present + " && " + value + " != '')";
      if (shape == ValueShape::kList) return "(" + present + " && size(" + value + ") > 0)";
      return present;
    case GuardCheck::kSubnets:
    case GuardCheck::kSecurityGroups: {
      if (absent) return "true";
      const bool subnets = row.check == GuardCheck::kSubnets;
      auto allowed = [&](const std::string& id) {
        return subnets ? NetworkIdAllowed(id, "subnetOwners", "subnetPatterns", "hasSubnets")
                       : NetworkIdAllowed(id, "securityGroupOwners", "securityGroupPatterns", "hasSecurityGroups");
      };
      if (shape == ValueShape::kString) return "(!" + present + " || " + value + " == '' || " + allowed(value) + ")";
      return "(!" + present + " || " + value + ".all(id, " + allowed("id") + "))";
    }
    case GuardCheck::kApprovedImage:
      return absent ? "true"
                    : "(!" + present + " || " + value + " == '' || params.spec.imageRegistries.exists(r, " + value +
                          ".matches(r)) || params.spec.tenants[variables.tenant].imageRegistries.exists(r, " + value +
                          ".matches(r)))";
    case GuardCheck::kMustNotMatch:
      return absent ? "true"
                    : "(!" + present + " || !" + value + ".matches(" + CelString(GlobRegex(row.value)) + "))";
  }
  return "true";
}

void AddGuardrailValidations(const CatalogKind& kind, json& validations) {
  for (const GuardrailField& row : GuardrailsFor(kind.group, kind.kind)) {
    const std::string rule(GuardrailName(row.rule));
    const std::string path(row.path);
    validations.push_back(Validation(
        "!(variables.judged && variables.tenant != '' && " + KindIs(kind) +
            " && params.spec.tenants[variables.tenant].guardrailsDeny[" + CelString(rule) + "]) || " +
            MayBeRefused(kind, row.split_path) + " || " +
            EveryGuardSlot(row, [&](const std::string& present, const std::string& value) {
              return GuardOk(row, present, value);
            }),
        "keyward: " + std::string(row.code) + " at " + path + ": the " + rule + " guardrail",
        Prefix(kind) + " + " +
            CelString(std::string(row.code) + " at " + path + ": the " + rule + " guardrail requires it " +
                      std::string(row.why))));
  }
}

std::string ApiVersion(VapApiVersion version) {
  return "admissionregistration.k8s.io/" + std::string(WordOf<VapApiVersion>(kVapApiVersionWords, version));
}

json ResourceRules(const std::vector<std::string>& operations) {
  json rules = json::array();
  for (std::string_view group : {kAckGroup, kLegacyGroup}) {
    json resources = json::array();
    for (const CatalogKind& kind : Catalog()) {
      if (kind.group == group) resources.push_back(kind.resource);
    }
    rules.push_back({{"apiGroups", {group}},
                     {"apiVersions", {"*"}},
                     {"operations", operations},
                     {"resources", resources},
                     {"scope", "Namespaced"}});
  }
  return rules;
}

void AddPolicy(CompiledVap& out, VapApiVersion version, const std::string& name, const std::string& concern,
               const std::vector<std::string>& operations, json validations) {
  json policy = {
      {"apiVersion", ApiVersion(version)},
      {"kind", "ValidatingAdmissionPolicy"},
      {"metadata",
       {{"name", name},
        {"labels", {{"app.kubernetes.io/managed-by", "keyward"}}},
        {"annotations", {{"keyward.dev/concern", concern}}}}},
      {"spec",
       {{"failurePolicy", "Fail"},
        {"paramKind", {{"apiVersion", std::string(kParamsGroup) + "/" + std::string(kParamsVersion)},
                       {"kind", kParamsKind}}},
        {"matchConstraints", {{"resourceRules", ResourceRules(operations)}}},
        {"variables", Variables()},
        {"validations", std::move(validations)}}}};
  json binding = {{"apiVersion", ApiVersion(version)},
                  {"kind", "ValidatingAdmissionPolicyBinding"},
                  {"metadata", {{"name", name}, {"labels", {{"app.kubernetes.io/managed-by", "keyward"}}}}},
                  {"spec",
                   {{"policyName", name},
                    {"paramRef", {{"name", kParamsName}, {"parameterNotFoundAction", "Deny"}}},
                    {"validationActions", {"Deny"}}}}};
  out.objects.push_back(std::move(policy));
  out.objects.push_back(std::move(binding));
}

json ParamsCrd() {
  const std::string plural = "keypolicyparams";
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", plural + "." + std::string(kParamsGroup)}}},
          {"spec",
           {{"group", kParamsGroup},
            {"names", {{"kind", kParamsKind}, {"listKind", std::string(kParamsKind) + "List"},
                       {"plural", plural}, {"singular", plural}}},
            {"scope", "Cluster"},
            {"versions",
             {{{"name", kParamsVersion},
               {"served", true},
               {"storage", true},
               {"schema",
                {{"openAPIV3Schema",
                  {{"type", "object"},
                   {"description", "The facts of a keyward KeyPolicy that its ValidatingAdmissionPolicies read; "
                                   "written by keyward policy compile --target vap, never by hand."},
                   {"properties",
                    {{"spec", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}}}}}};
}

}  // namespace

json VapParams(const Policy& policy) {
  json spec = {{"defaultRegion", policy.default_region},
               {"noTenantDenies", policy.unmatched_namespaces == UnmatchedNamespaces::kDeny &&
                                      policy.enforcement == Enforcement::kDeny},
               {"exemptNamespaces", RegexList(policy.exempt_namespaces)},
               {"trustedUsers", RegexList(policy.trusted_users)},
               {"keyReferencesAny", policy.key_references == KeyReferencePolicy::kAny},
               {"localStorageTypes", LocalStorageRegexes(policy)},
               {"namespaceTenants", json::object()},
               {"namespacePatterns", json::array()},
               {"selectors", json::array()},
               {"tenants", json::object()},
               {"keyOwners", json::object()},
               {"keyIdOwners", json::object()},
               {"keyPatterns", json::array()},
               {"roleOwners", json::object()},
               {"rolePatterns", json::array()},
               {"subnetOwners", json::object()},
               {"subnetPatterns", json::array()},
               {"securityGroupOwners", json::object()},
               {"securityGroupPatterns", json::array()},
               {"imageRegistries", RegexList(policy.image_registries)}};
  for (const Tenant& tenant : policy.tenants) {
    for (const std::string& ns : tenant.namespaces) {
      AddClaim(spec, "namespaceTenants", "namespacePatterns", ns, tenant.name);
    }
    if (tenant.namespace_selector) spec["selectors"].push_back(SelectorParams(tenant));
    json guardrails_deny = json::object();
    for (const auto& [rule, name] : kGuardrailWords) {
      guardrails_deny[std::string(name)] = policy.GuardrailFor(&tenant, rule).level == RuleLevel::kDeny;
    }
    spec["tenants"][tenant.name] = {{"region", policy.RegionFor(tenant)},
                                    {"keysDeny", policy.EnforcementFor(&tenant) == Enforcement::kDeny},
                                    {"hasRoles", !tenant.roles.empty()},
                                    {"hasSubnets", !tenant.subnets.empty()},
                                    {"hasSecurityGroups", !tenant.security_groups.empty()},
                                    {"imageRegistries", RegexList(tenant.image_registries)},
                                    {"guardrailsDeny", std::move(guardrails_deny)}};
    for (const std::string& id : tenant.subnets) AddClaim(spec, "subnetOwners", "subnetPatterns", id, tenant.name);
    for (const std::string& id : tenant.security_groups) {
      AddClaim(spec, "securityGroupOwners", "securityGroupPatterns", id, tenant.name);
    }
    for (const std::string& key : ApprovedKeys(tenant)) {
      AddClaim(spec, "keyOwners", "keyPatterns", key, tenant.name);
      if (IsGlob(key)) continue;
      KeyParseResult parsed = ParseKeyReference(key);
      if (parsed.key && parsed.key->IsArn()) {
        AddOwner(spec["keyIdOwners"], parsed.key->IsAlias() ? "alias/" + parsed.key->resource : parsed.key->resource,
                 tenant.name);
      }
    }
    for (const std::string& role : tenant.roles) AddClaim(spec, "roleOwners", "rolePatterns", role, tenant.name);
  }
  return {{"apiVersion", std::string(kParamsGroup) + "/" + std::string(kParamsVersion)},
          {"kind", kParamsKind},
          {"metadata", {{"name", kParamsName}, {"labels", {{"app.kubernetes.io/managed-by", "keyward"}}}}},
          {"spec", std::move(spec)}};
}

CompiledVap CompileVap(const Policy& policy, VapApiVersion version) {
  CompiledVap out;
  out.objects.push_back(ParamsCrd());
  out.objects.push_back(VapParams(policy));
  json keys = json::array(), roles = json::array(), immutable = json::array(), guardrails = json::array();
  for (const CatalogKind& kind : Catalog()) {
    AddKeyValidations(kind, keys);
    AddRoleValidations(kind, roles);
    AddImmutableValidations(kind, immutable);
    AddGuardrailValidations(kind, guardrails);
  }
  AddPolicy(out, version, "keyward-tenancy", "NoTenant, AmbiguousTenant", {"CREATE", "UPDATE"}, TenancyValidations());
  AddPolicy(out, version, "keyward-keys", "MissingKey, AwsManagedKey, ForeignKey, UnapprovedKey, RegionMismatch",
            {"CREATE"}, std::move(keys));
  AddPolicy(out, version, "keyward-roles", "ForeignRole, UnapprovedRole", {"CREATE"}, std::move(roles));
  AddPolicy(out, version, "keyward-immutable-keys", "ImmutableKey", {"UPDATE"}, std::move(immutable));
  AddPolicy(out, version, "keyward-guardrails", "the guardrails at deny", {"CREATE"}, std::move(guardrails));
  out.covered_codes = {std::string(kNoTenant),      std::string(kAmbiguousTenant), std::string(kMissingKey),
                       std::string(kAwsManagedKey), std::string(kForeignKey),      std::string(kUnapprovedKey),
                       std::string(kRegionMismatch), std::string(kForeignRole),    std::string(kUnapprovedRole),
                       std::string(kImmutableKey)};
  for (const ViolationCode& code : ViolationCodes()) {
    if (code.family == CodeFamily::kGuardrail) out.covered_codes.emplace_back(code.code);
  }
  out.not_expressed = {
      "Keys inside a Pipeline's spec.pipelineDefinition and a PipelineExecution's parameters: the definition is a "
      "JSON string, and CEL in Kubernetes cannot parse JSON.",
      "ForeignPipeline: it needs the Pipeline a run names, another object than the one admitted.",
      "ImmutableKey on create-only keys inside arrays or below an anchor: CEL in Kubernetes 1.28-1.32 cannot walk "
      "two lists by position, which comparing the stored element with the new one needs.",
      "The key and role rules on UPDATE (a changed field judged as on CREATE): the webhook's ratchet compares every "
      "place with the stored object, element by element; the policies judge CREATE only.",
      "KeyFormat, LocalStorageKey, CrossAccountKey and S3ExpressOutput: the webhook's alone (each still denies "
      "through the key rules when the key is not an approved customer key).",
      "The guardrails inside a pipeline definition's steps (JSON, as above), and on UPDATE (as above).",
      "Tenants chosen by namespaceSelector are matched on the namespace's labels (namespaceObject) whether or not "
      "the webhook runs with the cluster context; without it the webhook decides from names alone.",
  };
  return out;
}

}  // namespace keyward
