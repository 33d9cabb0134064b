#include "policy/evaluate.h"

#include <algorithm>
#include <set>

#include "policy/field_path.h"
#include "policy/key_rules.h"
#include "policy/text.h"

namespace keyward {
namespace {

constexpr std::string_view kRegionAnnotation = "services.k8s.aws/region";

// Everything the rules need about one request, resolved once.
struct Subject {
  const Policy& policy;
  const AdmissionRequest& request;
  const CatalogKind& kind;
  const Tenant* tenant;  // null when no tenant claims the namespace
};

std::string Describe(const Subject& s) {
  std::string out = s.kind.kind.empty() ? "object" : std::string(s.kind.kind);
  return out + " " + s.request.namespace_name + "/" + s.request.name;
}

// "keyward: <before><path><after>", shortening the path rather than the
// words around it, which carry the meaning.
std::string PathWarning(std::string_view before, const std::string& path, std::string_view after) {
  std::string_view prefix = "keyward: ";
  size_t fixed = prefix.size() + before.size() + after.size();
  size_t room = kMaxWarningLength > fixed + 16 ? kMaxWarningLength - fixed : 16;
  return ElideMiddle(std::string(prefix) + std::string(before) + ElideMiddle(path, room) + std::string(after), kMaxWarningLength);
}

std::string ResourceRegion(const Subject& s, const nlohmann::json& object) {
  // Annotation keys contain dots, so they are looked up directly.
  const nlohmann::json* annotations = FindPlain(object, "metadata.annotations");
  if (annotations != nullptr && annotations->is_object()) {
    auto it = annotations->find(kRegionAnnotation);
    if (it != annotations->end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      return it->get<std::string>();
    }
  }
  if (!s.kind.region_path.empty()) {
    const nlohmann::json* region = FindPlain(object, s.kind.region_path);
    if (region != nullptr && region->is_string() && !region->get_ref<const std::string&>().empty()) {
      return region->get<std::string>();
    }
  }
  return s.tenant != nullptr ? s.policy.RegionFor(*s.tenant) : s.policy.default_region;
}

// The first instance type with local NVMe storage that the field covers, or
// "" when none does (or the field is not a volume on instances).
std::string LocalInstanceType(const Subject& s, const KmsField& field, const nlohmann::json& object,
                              const FieldInstance& instance) {
  if (field.local_storage == LocalStorageRule::kNotApplicable) return "";
  for (const SplitPath& pattern : field.split_instance_type_paths) {
    for (std::string_view type : FindBoundStrings(object, pattern, field.split_path, instance.indices)) {
      if (s.policy.HasLocalStorage(type)) return std::string(type);
    }
  }
  return "";
}

// Where a key field is, or must be: the instances whose parent exists, and
// for an anchored field those whose parent objects are missing.
std::vector<FieldInstance> KeySlots(const nlohmann::json& object, const KmsField& field) {
  std::vector<FieldInstance> slots = FindFieldInstances(object, field.split_path);
  if (field.anchor_depth > 0) {
    for (FieldInstance& gap : FindAnchoredGaps(object, field.split_path, field.anchor_depth, field.anchor_switch)) {
      slots.push_back(std::move(gap));
    }
  }
  return slots;
}

// "an alias name", "a key ID"
std::string WithArticle(std::string_view noun) {
  return (noun.starts_with('a') ? "an " : "a ") + std::string(noun);
}

// The tenants that own a key or role, as the requester may read them.
std::string OwnerNames(const std::vector<const Tenant*>& owners) {
  std::string names;
  for (const Tenant* t : owners) names += (names.empty() ? "" : ", ") + t->name;
  return names;
}
std::string Owners(const Subject& s, const std::string& names) {
  return s.policy.reveal_other_tenants ? "tenant " + names : "another tenant";
}

std::string TenantKeyHint(const Subject& s, KeyPurpose purpose) {
  if (s.tenant == nullptr) return "a customer-managed key ARN";
  return "tenant " + s.tenant->name + "'s " + std::string(KeyPurposeName(purpose)) + " key " +
         s.tenant->keys.For(purpose);
}

struct Findings {
  std::vector<Violation> violations;
  std::vector<std::string> warnings;

  void Add(std::string path, std::string_view code, std::string message, std::string summary,
           std::string owners = {}) {
    violations.push_back(
        {std::move(path), std::string(code), std::move(message), std::move(summary), std::move(owners)});
  }
};

// Checks a key that is set, in the documented order: format, AWS-managed,
// ARN-only, then ownership and region independently.
void CheckSetKey(const Subject& s, const KmsField& field, const FieldInstance& instance,
                 const nlohmann::json& value, const std::string& region, Findings& out) {
  const std::string& path = instance.path;
  std::string use = "; use " + TenantKeyHint(s, field.purpose);
  if (!value.is_string()) {
    out.Add(path, kKeyFormat, "must be a string holding a KMS key ARN, not " + std::string(value.type_name()) + use,
            "not a string");
    return;
  }
  const std::string& text = value.get_ref<const std::string&>();
  const KeyClassification classified = ClassifyKey(text, s.policy.key_references);
  const KeyReference& key = classified.key;
  switch (classified.problem) {
    case KeyProblem::kMalformed:
      out.Add(path, kKeyFormat, Quote(text) + " is not a valid KMS key reference: " + classified.parse_error + use,
              "malformed key reference");
      return;
    case KeyProblem::kAwsManaged:
      out.Add(path, kAwsManagedKey, Quote(text) + " is an AWS-managed key, which the tenant does not control" + use,
              "AWS-managed key " + ElideMiddle(text, 40));
      return;
    case KeyProblem::kNotAnArn:
      out.Add(path, kKeyFormat,
              Quote(text) + " is a " + std::string(KeyReferenceFormName(key.form)) +
                  "; only key ARNs are accepted because they pin account, region and key" + use,
              std::string(KeyReferenceFormName(key.form)) + ", not a key ARN");
      return;
    case KeyProblem::kNone:
      break;
  }
  if ((field.accepted_forms & FormBit(key.form)) == 0) {
    out.warnings.push_back(PathWarning("", path, " takes " + KeyFormsText(field.accepted_forms) + ", not " +
                                                      WithArticle(KeyReferenceFormName(key.form))));
  }
  std::vector<const Tenant*> approving = s.policy.TenantsApproving(text, key);
  if (s.tenant != nullptr && std::find(approving.begin(), approving.end(), s.tenant) == approving.end()) {
    if (!approving.empty()) {
      std::string owners = OwnerNames(approving);
      out.Add(path, kForeignKey,
              Quote(text) + " belongs to " + Owners(s, owners) + ", not to tenant " + s.tenant->name + use,
              "key of " + ElideMiddle(Owners(s, owners), 40), owners);
    } else {
      out.Add(path, kUnapprovedKey,
              Quote(text) + " is not approved for tenant " + s.tenant->name + use +
                  " (or have the platform team add the key to the tenant's allowedKeys)",
              "key not approved for tenant " + ElideMiddle(s.tenant->name, 40));
    }
  }
  if (InAnotherRegion(key, region)) {
    out.Add(path, kRegionMismatch,
            Quote(text) + " is in region " + key.region + " but the resource is created in " + region +
                "; use a key in " + region,
            "key in " + key.region + ", resource in " + region);
  }
}

// Every rule that applies to one field instance of the object as it would be
// stored, as on CREATE.
void CheckInstance(const Subject& s, const KmsField& field, const FieldInstance& instance,
                   const nlohmann::json& object, const std::string& region, Findings& out) {
  std::string local_type = LocalInstanceType(s, field, object, instance);
  if (IsEmptyValue(instance.value)) {
    if (!field.deprecated && local_type.empty()) {
      out.Add(instance.path, kMissingKey, "no KMS key is set; set it to " + TenantKeyHint(s, field.purpose),
              "no KMS key set");
    }
    return;
  }
  if (!local_type.empty()) {
    if (field.local_storage == LocalStorageRule::kRejectKey) {
      out.Add(instance.path, kLocalStorageKey,
              "instance type " + local_type +
                  " has local NVMe storage, which SageMaker encrypts itself and for which it rejects a volume "
                  "KMS key; remove this key or choose an EBS-backed instance type",
              ElideMiddle(local_type, 30) + " has local NVMe storage; remove the key");
    } else {
      out.warnings.push_back(PathWarning("", instance.path, " does not encrypt local NVMe of " + ElideMiddle(local_type, 30)));
    }
  }
  CheckSetKey(s, field, instance, *instance.value, region, out);
}

// A role field that is set, against the tenants' roles: another tenant's
// role is ForeignRole everywhere; a role no tenant claims is UnapprovedRole
// where the requesting tenant lists its roles.
void CheckRole(const Subject& s, const FieldInstance& instance, Findings& out) {
  if (s.tenant == nullptr || IsEmptyValue(instance.value) || !instance.value->is_string()) return;
  const std::string& role = instance.value->get_ref<const std::string&>();
  std::vector<const Tenant*> claiming = s.policy.TenantsClaimingRole(role);
  if (std::find(claiming.begin(), claiming.end(), s.tenant) != claiming.end()) return;
  std::string use = s.tenant->roles.empty()
                        ? "; use a role of tenant " + s.tenant->name
                        : "; use a role of tenant " + s.tenant->name + " (" + ElideEnd(Join(s.tenant->roles, ", "), 160) + ")";
  if (!claiming.empty()) {
    std::string owners = OwnerNames(claiming);
    out.Add(instance.path, kForeignRole,
            Quote(role) + " is a role of " + Owners(s, owners) + ", not of tenant " + s.tenant->name +
                ", and runs with its permissions" + use,
            "role of " + ElideMiddle(Owners(s, owners), 40), owners);
  } else if (!s.tenant->roles.empty()) {
    out.Add(instance.path, kUnapprovedRole,
            Quote(role) + " is not approved for tenant " + s.tenant->name + use +
                " (or have the platform team add the role to the tenant's roles)",
            "role not approved for tenant " + ElideMiddle(s.tenant->name, 40));
  }
}

Findings CheckWholeObject(const Subject& s, const nlohmann::json& object) {
  Findings out;
  std::string region = ResourceRegion(s, object);
  for (const KmsField& field : s.kind.fields) {
    for (const FieldInstance& instance : KeySlots(object, field)) {
      CheckInstance(s, field, instance, object, region, out);
    }
  }
  for (const RoleField& field : s.kind.roles) {
    for (const FieldInstance& instance : FindFieldInstances(object, field.split_path)) CheckRole(s, instance, out);
  }
  return out;
}

std::string ValueText(const nlohmann::json* value) {
  if (IsEmptyValue(value)) return "(none)";
  return value->is_string() ? Quote(value->get_ref<const std::string&>()) : value->dump();
}

// UPDATE: only fields whose value changes are judged (absent == ""), so an
// old object that predates the policy can still be labelled or finalized.
Findings CheckChangedFields(const Subject& s, const nlohmann::json& object, const nlohmann::json& old_object,
                            std::set<std::string>* changed_paths) {
  Findings out;
  std::string region = ResourceRegion(s, object);
  for (const KmsField& field : s.kind.fields) {
    std::vector<FieldInstance> current = KeySlots(object, field);
    for (const FieldInstance& instance : current) {
      const nlohmann::json* before = FindSameField(old_object, field.split_path, instance.indices);
      bool both_empty = IsEmptyValue(before) && IsEmptyValue(instance.value);
      if (both_empty || (!IsEmptyValue(before) && !IsEmptyValue(instance.value) && *before == *instance.value)) {
        continue;
      }
      changed_paths->insert(instance.path);
      if (field.create_only) {
        out.Add(instance.path, kImmutableKey,
                "changed from " + ValueText(before) + " to " + ValueText(instance.value) +
                    ", but SageMaker cannot change this key after creation; restore " + ValueText(before) +
                    " or delete and recreate the resource",
                "create-only key changed; restore it");
      }
      if (!IsEmptyValue(instance.value) || !field.create_only) {
        CheckInstance(s, field, instance, object, region, out);
      }
    }
    // A key whose parent object disappeared was removed too.
    for (const FieldInstance& old_instance : FindFieldInstances(old_object, field.split_path)) {
      if (!field.create_only || IsEmptyValue(old_instance.value)) continue;
      bool still_there = std::any_of(current.begin(), current.end(),
                                     [&](const FieldInstance& c) { return c.path == old_instance.path; });
      if (still_there) continue;
      changed_paths->insert(old_instance.path);
      out.Add(old_instance.path, kImmutableKey,
              "was removed (it held " + ValueText(old_instance.value) +
                  "), but SageMaker cannot change this key after creation; restore it",
              "create-only key removed; restore it");
    }
  }
  for (const RoleField& field : s.kind.roles) {
    for (const FieldInstance& instance : FindFieldInstances(object, field.split_path)) {
      const nlohmann::json* before = FindSameField(old_object, field.split_path, instance.indices);
      if (IsEmptyValue(instance.value) || (!IsEmptyValue(before) && *before == *instance.value)) continue;
      changed_paths->insert(instance.path);
      CheckRole(s, instance, out);
    }
  }
  return out;
}

std::string ViolationWarning(const Violation& v) {
  return PathWarning(v.code + " at ", v.path, ": " + v.summary);
}

ValidationResult Conclude(const Subject& s, Findings findings, Enforcement enforcement) {
  ValidationResult result;
  result.tenant = s.tenant != nullptr ? s.tenant->name : "";
  result.enforcement = enforcement;
  result.violations = std::move(findings.violations);
  result.warnings = std::move(findings.warnings);
  if (result.violations.empty()) return result;
  switch (enforcement) {
    case Enforcement::kDeny: {
      result.allowed = false;
      std::string message = "keyward: " + Describe(s) + " violates the KMS key policy";
      if (s.tenant != nullptr) message += " of tenant " + s.tenant->name;
      message += " (" + std::to_string(result.violations.size()) + " violation" +
                 (result.violations.size() == 1 ? "" : "s") + "):";
      for (size_t i = 0; i < result.violations.size(); ++i) {
        const Violation& v = result.violations[i];
        message += " [" + std::to_string(i + 1) + "] " + v.code + " at " + v.path + ": " + v.message + ".";
      }
      result.message = std::move(message);
      break;
    }
    case Enforcement::kWarn:
      for (const Violation& v : result.violations) result.warnings.push_back(ViolationWarning(v));
      break;
    case Enforcement::kAudit:
      break;
  }
  return result;
}

// The namespace belongs to no tenant: what unmatchedNamespaces says.
ValidationResult ConcludeNoTenant(const Subject& s) {
  Findings findings;
  if (s.policy.unmatched_namespaces == UnmatchedNamespaces::kAllow) return Conclude(s, {}, s.policy.enforcement);
  findings.Add("metadata.namespace", kNoTenant,
               "namespace " + Quote(s.request.namespace_name) +
                   " belongs to no tenant of the KMS key policy; ask the platform team to add it to a tenant",
               "namespace " + ElideMiddle(s.request.namespace_name, 40) + " belongs to no tenant");
  Enforcement level = s.policy.unmatched_namespaces == UnmatchedNamespaces::kWarn
                          ? std::max(s.policy.enforcement, Enforcement::kWarn)
                          : s.policy.enforcement;
  return Conclude(s, std::move(findings), level);
}

std::string InjectionWarning(const Injection& injection, const std::string& tenant, bool carried) {
  if (carried) return PathWarning("kept ", injection.path, " from the stored object");
  return PathWarning("set ", injection.path,
                     " to tenant " + ElideMiddle(tenant, 30) + "'s " + std::string(KeyPurposeName(injection.purpose)) + " key");
}

void AddInjection(MutationResult& result, const FieldInstance& instance, const KmsField& field, std::string key,
                  bool carried) {
  Injection injection{instance.path, field.purpose, std::move(key)};
  result.patch.push_back(AddOperation(instance, field.split_path, injection.key));
  result.warnings.push_back(InjectionWarning(injection, result.tenant, carried));
  result.injected.push_back(std::move(injection));
}

}  // namespace

bool ParseOperation(std::string_view text, Operation* out) {
  const Operation* op = ValueOf<Operation>(kOperationWords, text);
  if (op != nullptr) *out = *op;
  return op != nullptr;
}

std::string_view OperationName(Operation op) { return WordOf<Operation>(kOperationWords, op); }

bool IsSubresourceRequest(const AdmissionRequest& request) { return !request.sub_resource.empty(); }

const CatalogKind* JudgedKind(const Policy& policy, const AdmissionRequest& request) {
  const bool writes = request.operation == Operation::kCreate || request.operation == Operation::kUpdate;
  if (!writes || request.object == nullptr || IsSubresourceRequest(request) ||
      policy.IsExemptNamespace(request.namespace_name)) {
    return nullptr;
  }
  return FindCatalogKind(request.group, request.kind);
}

Verdict VerdictOf(const ValidationResult& result) {
  if (!result.allowed) return Verdict::kDenied;
  if (result.violations.empty()) return Verdict::kAllowed;
  return result.enforcement == Enforcement::kAudit ? Verdict::kAudited : Verdict::kWarned;
}

std::string_view VerdictName(Verdict verdict) { return WordOf<Verdict>(kVerdictWords, verdict); }

MutationResult Mutate(const Policy& policy, const AdmissionRequest& request) {
  MutationResult result;
  const CatalogKind* kind = JudgedKind(policy, request);
  if (kind == nullptr || policy.mutation == MutationMode::kDisabled) {
    return result;
  }
  const Tenant* tenant = policy.TenantForNamespace(request.namespace_name);
  if (tenant == nullptr) return result;
  result.tenant = tenant->name;
  Subject s{policy, request, *kind, tenant};
  const nlohmann::json& object = *request.object;

  if (request.operation == Operation::kCreate) {
    for (const KmsField& field : kind->fields) {
      if (field.deprecated) continue;
      for (const FieldInstance& instance : KeySlots(object, field)) {
        if (!IsEmptyValue(instance.value) || !LocalInstanceType(s, field, object, instance).empty()) continue;
        AddInjection(result, instance, field, tenant->keys.For(field.purpose), false);
      }
    }
    return result;
  }

  // UPDATE: carry create-only keys forward, so re-applying the original
  // manifest (kubectl replace, GitOps) keeps the key instead of failing.
  if (request.old_object == nullptr || policy.IsTrustedUser(request.username)) return result;
  for (const KmsField& field : kind->fields) {
    if (!field.create_only) continue;
    for (const FieldInstance& instance : KeySlots(object, field)) {
      if (!IsEmptyValue(instance.value)) continue;
      const nlohmann::json* stored = FindSameField(*request.old_object, field.split_path, instance.indices);
      if (IsEmptyValue(stored) || !stored->is_string()) continue;
      AddInjection(result, instance, field, stored->get<std::string>(), true);
    }
  }
  return result;
}

ValidationResult Validate(const Policy& policy, const AdmissionRequest& request) {
  const CatalogKind* kind = JudgedKind(policy, request);
  if (kind == nullptr) return {};
  bool is_update = request.operation == Operation::kUpdate;
  if (is_update && (request.old_object == nullptr || policy.IsTrustedUser(request.username))) return {};
  const Tenant* tenant = policy.TenantForNamespace(request.namespace_name);
  Subject s{policy, request, *kind, tenant};
  Enforcement enforcement = policy.EnforcementFor(tenant);

  if (!is_update) {
    if (tenant == nullptr) return ConcludeNoTenant(s);
    return Conclude(s, CheckWholeObject(s, *request.object), enforcement);
  }

  std::set<std::string> changed;
  Findings findings = CheckChangedFields(s, *request.object, *request.old_object, &changed);
  if (tenant == nullptr) return changed.empty() ? ValidationResult{} : ConcludeNoTenant(s);
  // Say so when the object is admitted while out of policy in fields this
  // update did not touch.
  Findings whole = CheckWholeObject(s, *request.object);
  std::vector<const Violation*> untouched;
  for (const Violation& v : whole.violations) {
    if (!changed.count(v.path)) untouched.push_back(&v);
  }
  if (!untouched.empty()) {
    std::string more = untouched.size() > 1 ? ", +" + std::to_string(untouched.size() - 1) + " more" : "";
    findings.warnings.push_back(PathWarning("object is out of KMS policy: " + untouched.front()->code + " at ",
                                            untouched.front()->path, more));
  }
  return Conclude(s, std::move(findings), enforcement);
}

Evaluation Evaluate(const Policy& policy, const AdmissionRequest& request) {
  Evaluation evaluation;
  evaluation.mutation = Mutate(policy, request);
  if (request.object == nullptr) {
    evaluation.validation = Validate(policy, request);
    return evaluation;
  }
  evaluation.mutated_object = evaluation.mutation.patch.empty() ? *request.object
                                                                 : request.object->patch(evaluation.mutation.patch);
  AdmissionRequest mutated = request;
  mutated.object = &evaluation.mutated_object;
  evaluation.validation = Validate(policy, mutated);
  return evaluation;
}

}  // namespace keyward
