// LoadPolicy: YAML text -> validated, indexed Policy, or every problem found.
#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "policy/base/glob.h"
#include "policy/model/key_rules.h"
#include "policy/model/policy.h"
#include "policy/base/role_arn.h"
#include "policy/base/text.h"
#include "policy/base/bounded_yaml.h"

namespace keyward {

struct PolicyIndexer {
  static void Run(Policy& policy) { policy.Index(); }
};

namespace {

constexpr std::string_view kApiVersion = "keyward.dev/v1alpha1";
constexpr std::string_view kKind = "KeyPolicy";

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool IsNamespacePattern(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '*' || c == '?';
  });
}

// One pass over the document; collects every problem instead of stopping.
class Loader {
 public:
  explicit Loader(std::string_view file) : file_(file) {}

  PolicyLoadResult Load(std::string_view text) {
    // A policy is one document; any after the first are not read.
    YamlNode root;
    std::optional<PolicyLoadResult> result;
    std::optional<YamlError> error = ReadYaml(text, kPolicyYamlLimits, [&](const YamlNode& document) {
      root = document;
      result = LoadRoot(root);
      return false;
    });
    if (error) {
      Report(error->mark, "", error->message);
      return Finish(nullptr);
    }
    if (!result) return LoadRoot(root);  // no document at all: an empty file
    return std::move(*result);
  }

 private:
  // The tree behind `root` lives only while ReadYaml's handler runs, so the
  // whole policy is read from inside it.
  PolicyLoadResult LoadRoot(const YamlNode& root) {
    auto policy = std::make_shared<Policy>();
    if (!root.IsMap()) {
      Report(root.Mark(), "", "the policy must be a YAML mapping with apiVersion, kind and spec");
      return Finish(nullptr);
    }
    Fields top = Expect(root, "", {"apiVersion", "kind", "metadata", "spec"});
    CheckConstant(top, "apiVersion", kApiVersion, root);
    CheckConstant(top, "kind", kKind, root);
    if (!top.count("spec")) {
      Report(root.Mark(), "spec", "missing; add a spec with defaultRegion and tenants");
      return Finish(nullptr);
    }
    LoadSpec(top["spec"], *policy);
    return Finish(std::move(policy));
  }

  using Fields = std::map<std::string, YamlNode>;

  void Report(const YamlMark& mark, std::string path, std::string message) {
    Diagnostic d;
    d.file = file_;
    if (!mark.is_null()) {
      d.line = mark.line + 1;
      d.column = mark.column + 1;
    }
    d.path = std::move(path);
    d.message = std::move(message);
    diagnostics_.push_back(std::move(d));
  }

  PolicyLoadResult Finish(std::shared_ptr<Policy> policy) {
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    if (!diagnostics_.empty() || policy == nullptr) return {nullptr, std::move(diagnostics_)};
    PolicyIndexer::Run(*policy);
    return {std::move(policy), {}};
  }

  static std::string Join(const std::string& path, std::string_view field) {
    return path.empty() ? std::string(field) : path + "." + std::string(field);
  }

  // The mapping's fields, reporting unknown ones with the closest known name.
  Fields Expect(const YamlNode& node, const std::string& path, std::initializer_list<std::string_view> known) {
    Fields fields;
    for (size_t i = 0; i < node.size(); ++i) {
      const YamlNode key = node.Key(i);
      std::string name = key.IsScalar() ? key.Scalar() : "";
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string hint;
        size_t best = 3;
        for (std::string_view candidate : known) {
          size_t distance = EditDistance(name, candidate);
          if (distance < best) {
            best = distance;
            hint = "; did you mean \"" + std::string(candidate) + "\"?";
          }
        }
        std::string all;
        for (std::string_view candidate : known) all += (all.empty() ? "" : ", ") + std::string(candidate);
        Report(key.Mark(), Join(path, name), "unknown field" + (hint.empty() ? "; known fields: " + all : hint));
        continue;
      }
      if (fields.count(name)) {
        Report(key.Mark(), Join(path, name), "is given twice in this mapping; keep one");
        continue;
      }
      fields[name] = node.Value(i);
    }
    return fields;
  }

  std::optional<std::string> Scalar(const YamlNode& node, const std::string& path) {
    if (!node.IsScalar()) {
      Report(node.Mark(), path, "must be a single value, not a list or mapping");
      return std::nullopt;
    }
    return node.Scalar();
  }

  void CheckConstant(Fields& fields, const char* name, std::string_view expected, const YamlNode& parent) {
    if (!fields.count(name)) {
      Report(parent.Mark(), name, "missing; write " + std::string(name) + ": " + std::string(expected));
      return;
    }
    auto value = Scalar(fields[name], name);
    if (value && *value != expected) {
      Report(fields[name].Mark(), name, "is \"" + *value + "\"; it must be " + std::string(expected));
    }
  }

  // Enums are read as text: YAML 1.1 tools turn a bare off/no into a boolean,
  // so such a value is called out rather than guessed at.
  template <typename E>
  void Enum(Fields& fields, const char* name, const std::string& path, std::span<const EnumWord<E>> words, E* out) {
    if (!fields.count(name)) return;
    std::string field_path = Join(path, name);
    auto value = Scalar(fields[name], field_path);
    if (!value) return;
    if (const E* choice = ValueOf(words, *value)) {
      *out = *choice;
      return;
    }
    std::string allowed;
    for (const EnumWord<E>& choice : words) allowed += (allowed.empty() ? "" : " | ") + std::string(choice.word);
    static const std::set<std::string> kYamlBooleans = {"on", "off", "yes", "no", "y", "n", "true", "false",
                                                        "On", "Off", "Yes", "No", "True", "False", "ON", "OFF"};
    std::string hint = kYamlBooleans.count(*value)
                           ? " (\"" + *value + "\" reads as a boolean in YAML 1.1 tools; write one of the words above)"
                           : "";
    Report(fields[name].Mark(), field_path, "is \"" + *value + "\"; it must be one of: " + allowed + hint);
  }

  // A YAML boolean. Only true and false: the YAML 1.1 spellings (yes, on)
  // mean different things to different tools.
  void Bool(Fields& fields, const char* name, const std::string& path, bool* out) {
    if (!fields.count(name)) return;
    std::string field_path = Join(path, name);
    auto value = Scalar(fields[name], field_path);
    if (!value) return;
    if (*value == "true" || *value == "false") {
      *out = *value == "true";
      return;
    }
    Report(fields[name].Mark(), field_path, "is \"" + *value + "\"; it must be true or false");
  }

  // A list of strings, each checked by `check` (which returns an error or "").
  std::vector<std::pair<std::string, YamlMark>> StringList(
      Fields& fields, const char* name, const std::string& path,
      const std::function<std::string(const std::string&)>& check) {
    std::vector<std::pair<std::string, YamlMark>> out;
    if (!fields.count(name)) return out;
    std::string field_path = Join(path, name);
    const YamlNode& node = fields[name];
    if (node.IsNull()) return out;
    if (!node.IsSequence()) {
      Report(node.Mark(), field_path, "must be a list, e.g. [a, b]");
      return out;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      std::string item_path = field_path + "[" + std::to_string(i) + "]";
      auto value = Scalar(node[i], item_path);
      if (!value) continue;
      if (std::string error = check(*value); !error.empty()) {
        Report(node[i].Mark(), item_path, error);
        continue;
      }
      out.emplace_back(*value, node[i].Mark());
    }
    return out;
  }

  static std::vector<std::string> Values(const std::vector<std::pair<std::string, YamlMark>>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.first);
    return out;
  }

  static std::string CheckNamespace(const std::string& value) {
    return IsNamespacePattern(value) ? ""
                                     : "\"" + value + "\" is not a namespace name or glob "
                                                      "(lower-case letters, digits, '-', and the wildcards * and ?)";
  }

  static std::string CheckRegistry(const std::string& value) {
    return value.empty() || value.find_first_of(" \t") != std::string::npos
               ? "\"" + value + "\" is not an image registry glob such as 111122223333.dkr.ecr.*.amazonaws.com/*"
               : std::string();
  }

  // subnet-0a1b2c3d (8 or 17 hex digits) or a glob of one.
  static std::string NetworkIdProblem(const std::string& value, std::string_view prefix) {
    const std::string_view what = prefix == "sg-" ? "security group" : "subnet";
    const std::string example = prefix == "sg-" ? "sg-0c2d4e6f8a1b3c5d7" : "subnet-0a1b2c3d4e5f60718";
    std::string_view rest = std::string_view(value).substr(std::min(value.size(), prefix.size()));
    const bool hex = std::all_of(rest.begin(), rest.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '*' || c == '?';
    });
    const bool sized = IsGlob(value) ? !rest.empty() : (rest.size() == 8 || rest.size() == 17);
    if (value.starts_with(prefix) && hex && sized) return "";
    return "\"" + value + "\" is not a " + std::string(what) + " ID such as " + example + " (or a glob of one)";
  }

  // A rule's setting: `deny` (the level alone) or {enforcement: deny, inject: true}.
  void GuardrailSettingAt(const YamlNode& node, const std::string& path, Guardrail rule,
                          std::optional<RuleLevel>* level, std::optional<bool>* inject) {
    if (node.IsScalar()) {
      Fields one{{"enforcement", node}};
      RuleLevel value = RuleLevel::kDisabled;
      size_t before = diagnostics_.size();
      Enum<RuleLevel>(one, "enforcement", path, kRuleLevelWords, &value);
      if (diagnostics_.size() == before) *level = value;
      return;
    }
    if (!node.IsMap()) {
      Report(node.Mark(), path, "must be a level (disabled | audit | warn | deny) or {enforcement: LEVEL, inject: true}");
      return;
    }
    Fields f = Expect(node, path, {"enforcement", "inject"});
    if (f.count("enforcement")) {
      RuleLevel value = RuleLevel::kDisabled;
      size_t before = diagnostics_.size();
      Enum<RuleLevel>(f, "enforcement", path, kRuleLevelWords, &value);
      if (diagnostics_.size() == before) *level = value;
    }
    if (f.count("inject")) {
      bool value = false;
      size_t before = diagnostics_.size();
      Bool(f, "inject", path, &value);
      if (diagnostics_.size() != before) return;
      if (value && !GuardrailInjects(rule)) {
        Report(f["inject"].Mark(), path + ".inject",
               "the " + std::string(GuardrailName(rule)) +
                   " rule cannot inject a value (only networkIsolation, interContainerEncryption and "
                   "notebookExposure can); remove inject");
        return;
      }
      *inject = value;
    }
  }

  // Calls fn(rule, node, path) for each rule of a guardrails mapping.
  template <typename Fn>
  void EachGuardrail(const YamlNode& node, const std::string& path, Fn fn) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
      Report(node.Mark(), path, "must be a mapping of rules, e.g. {networkIsolation: deny}");
      return;
    }
    Fields f = Expect(node, path,
                      {"networkIsolation", "interContainerEncryption", "vpc", "notebookExposure", "domainNetwork",
                       "publicWorkforce", "interactiveAccess", "images"});
    for (auto& [name, value] : f) {
      const Guardrail* rule = ValueOf<Guardrail>(kGuardrailWords, name);
      if (rule != nullptr) fn(*rule, value, path + "." + name);
    }
  }

  void LoadGuardrails(const YamlNode& node, Policy& policy) {
    EachGuardrail(node, "spec.guardrails", [&](Guardrail rule, const YamlNode& value, const std::string& path) {
      std::optional<RuleLevel> level;
      std::optional<bool> inject;
      GuardrailSettingAt(value, path, rule, &level, &inject);
      GuardrailSetting& setting = policy.guardrails[static_cast<size_t>(rule)];
      if (level) setting.level = *level;
      if (inject) setting.inject = *inject;
    });
  }

  void LoadGuardrailOverrides(const YamlNode& node, const std::string& path, Tenant& tenant) {
    EachGuardrail(node, path, [&](Guardrail rule, const YamlNode& value, const std::string& rule_path) {
      GuardrailOverride& override = tenant.guardrails[static_cast<size_t>(rule)];
      GuardrailSettingAt(value, rule_path, rule, &override.level, &override.inject);
    });
  }

  // The images rule needs registries to compare with.
  void CheckImageRegistries(const Policy& policy, const YamlNode& spec) {
    auto enabled = [](std::optional<RuleLevel> level) { return level && *level != RuleLevel::kDisabled; };
    const size_t images = static_cast<size_t>(Guardrail::kImages);
    bool needed = policy.guardrails[images].level != RuleLevel::kDisabled;
    bool listed = !policy.image_registries.empty();
    for (const Tenant& tenant : policy.tenants) {
      needed = needed || enabled(tenant.guardrails[images].level);
      listed = listed || !tenant.image_registries.empty();
    }
    if (needed && !listed) {
      Report(spec.Mark(), "spec.imageRegistries",
             "the images guardrail is enabled but no imageRegistries are listed, so every image would be unapproved; "
             "list the registries (globs) images may come from");
    }
  }

  void LoadSpec(const YamlNode& spec, Policy& policy) {
    if (!spec.IsMap()) {
      Report(spec.Mark(), "spec", "must be a mapping with defaultRegion and tenants");
      return;
    }
    Fields f = Expect(spec, "spec",
                      {"defaultRegion", "enforcement", "mutation", "keyReferences", "unmatchedNamespaces",
                       "exemptNamespaces", "trustedUsers", "localStorageInstanceTypes", "revealOtherTenants",
                       "pipelines", "guardrails", "imageRegistries", "tenants"});
    if (!f.count("defaultRegion")) {
      Report(spec.Mark(), "spec.defaultRegion", "missing; set it to the region of the SageMaker controller, e.g. us-east-1");
    } else if (auto region = Scalar(f["defaultRegion"], "spec.defaultRegion")) {
      if (IsValidRegionName(*region)) {
        policy.default_region = *region;
      } else {
        Report(f["defaultRegion"].Mark(), "spec.defaultRegion", "\"" + *region + "\" is not an AWS region name such as us-east-1");
      }
    }
    Enum<Enforcement>(f, "enforcement", "spec", kEnforcementWords, &policy.enforcement);
    Enum<MutationMode>(f, "mutation", "spec", kMutationModeWords, &policy.mutation);
    Enum<KeyReferencePolicy>(f, "keyReferences", "spec", kKeyReferencePolicyWords, &policy.key_references);
    Enum<UnmatchedNamespaces>(f, "unmatchedNamespaces", "spec", kUnmatchedNamespacesWords,
                              &policy.unmatched_namespaces);
    Bool(f, "revealOtherTenants", "spec", &policy.reveal_other_tenants);
    if (f.count("pipelines") && !f["pipelines"].IsNull()) {
      if (!f["pipelines"].IsMap()) {
        Report(f["pipelines"].Mark(), "spec.pipelines", "must be a mapping, e.g. {opaqueSteps: warn}");
      } else {
        Fields pipelines = Expect(f["pipelines"], "spec.pipelines", {"opaqueSteps"});
        Enum<RuleLevel>(pipelines, "opaqueSteps", "spec.pipelines", kRuleLevelWords, &policy.opaque_steps);
      }
    }
    if (f.count("guardrails")) LoadGuardrails(f["guardrails"], policy);
    policy.image_registries = Values(StringList(f, "imageRegistries", "spec", CheckRegistry));
    policy.exempt_namespaces = Values(StringList(f, "exemptNamespaces", "spec", CheckNamespace));
    policy.trusted_users = Values(StringList(f, "trustedUsers", "spec", [](const std::string& v) {
      return v.empty() ? std::string("a user name must not be empty") : std::string();
    }));
    policy.local_storage_instance_types =
        Values(StringList(f, "localStorageInstanceTypes", "spec", [](const std::string& v) {
          return v.starts_with("ml.") ? std::string()
                                      : "\"" + v + "\" is not a SageMaker instance type pattern such as ml.x9d.*";
        }));
    if (!f.count("tenants") || f["tenants"].IsNull()) {
      Report(spec.Mark(), "spec.tenants", "missing or empty; list at least one tenant with name, namespaces and keys");
      return;
    }
    const YamlNode& tenants = f["tenants"];
    if (!tenants.IsSequence() || tenants.size() == 0) {
      Report(tenants.Mark(), "spec.tenants", "must be a non-empty list of tenants");
      return;
    }
    std::map<std::string, int> first_line_of_tenant;
    for (size_t i = 0; i < tenants.size(); ++i) {
      Tenant tenant;
      std::string path = "spec.tenants[" + std::to_string(i) + "]";
      // Tenants with errors still take part in the cross-tenant checks below,
      // so one run reports every problem.
      if (!LoadTenant(tenants[i], path, policy, tenant)) {
        if (tenant.name.empty()) continue;
      }
      auto [it, inserted] = first_line_of_tenant.emplace(tenant.name, name_mark_.line + 1);
      if (!inserted) {
        Report(name_mark_, path + ".name",
               "tenant \"" + tenant.name + "\" is already defined at line " + std::to_string(it->second) +
                   "; tenant names must be unique");
        continue;
      }
      if (tenant.roles.empty()) unroled_tenants_.emplace_back(tenant.name, tenant_mark_);
      policy.tenants.push_back(std::move(tenant));
      for (std::string_view field : kClaimedLists) {
        claim_marks_[std::string(field)].push_back(std::move(current_marks_[std::string(field)]));
      }
      source_index_.push_back(i);
    }
    CheckClaims(policy, &Tenant::namespaces, claim_marks_["namespaces"], "namespaces",
                "a namespace may belong to one tenant only: make the names or globs disjoint");
    CheckClaims(policy, &Tenant::roles, claim_marks_["roles"], "roles",
                "a role may belong to one tenant only: make the role ARNs or globs disjoint");
    CheckClaims(policy, &Tenant::subnets, claim_marks_["subnets"], "subnets",
                "a subnet may belong to one tenant only: make the IDs or globs disjoint");
    CheckClaims(policy, &Tenant::security_groups, claim_marks_["securityGroups"], "securityGroups",
                "a security group may belong to one tenant only: make the IDs or globs disjoint");
    CheckImageRegistries(policy, spec);
    NoteTenantsWithoutRoles(policy);
  }

  // Roles are checked per tenant only where the tenant lists them; say so
  // once, naming a few of the tenants that do not.
  void NoteTenantsWithoutRoles(Policy& policy) {
    if (unroled_tenants_.empty()) return;
    constexpr size_t kNamed = 5;
    std::string names;
    for (size_t i = 0; i < unroled_tenants_.size() && i < kNamed; ++i) {
      names += (names.empty() ? "" : ", ") + unroled_tenants_[i].first;
    }
    if (unroled_tenants_.size() > kNamed) names += " and " + std::to_string(unroled_tenants_.size() - kNamed) + " more";
    Diagnostic notice;
    notice.file = file_;
    const YamlMark& mark = unroled_tenants_.front().second;
    if (!mark.is_null()) {
      notice.line = mark.line + 1;
      notice.column = mark.column + 1;
    }
    notice.path = "spec.tenants";
    notice.message = "notice: " + std::string(unroled_tenants_.size() == 1 ? "tenant " : "tenants ") + names +
                     " list no roles, so their resources may run as any role no other tenant claims; "
                     "add roles to check them (UnapprovedRole)";
    policy.notices.push_back(std::move(notice));
  }

  bool LoadTenant(const YamlNode& node, const std::string& path, const Policy& policy, Tenant& tenant) {
    if (!node.IsMap()) {
      Report(node.Mark(), path, "must be a mapping with name, namespaces and keys");
      return false;
    }
    size_t errors_before = diagnostics_.size();
    tenant_mark_ = node.Mark();
    Fields f = Expect(node, path,
                      {"name", "namespaces", "region", "enforcement", "keys", "allowedKeys", "roles", "guardrails",
                       "subnets", "securityGroups", "imageRegistries"});
    if (!f.count("name")) {
      Report(node.Mark(), path + ".name", "missing; every tenant needs a name");
    } else if (auto name = Scalar(f["name"], path + ".name")) {
      name_mark_ = f["name"].Mark();
      if (name->empty()) Report(f["name"].Mark(), path + ".name", "must not be empty");
      tenant.name = *name;
    }
    if (!f.count("namespaces")) {
      Report(node.Mark(), path + ".namespaces", "missing; list the namespaces (names or globs) of this tenant");
    }
    auto namespaces = StringList(f, "namespaces", path, CheckNamespace);
    if (f.count("namespaces") && namespaces.empty() && diagnostics_.size() == errors_before) {
      Report(f["namespaces"].Mark(), path + ".namespaces", "is empty; list at least one namespace");
    }
    tenant.namespaces = Values(namespaces);
    current_marks_.clear();
    for (const auto& item : namespaces) current_marks_["namespaces"].push_back(item.second);
    if (f.count("region")) {
      if (auto region = Scalar(f["region"], path + ".region")) {
        if (IsValidRegionName(*region)) {
          tenant.region = *region;
        } else {
          Report(f["region"].Mark(), path + ".region", "\"" + *region + "\" is not an AWS region name such as us-east-1");
        }
      }
    }
    if (f.count("enforcement")) {
      Enforcement e = policy.enforcement;
      size_t before = diagnostics_.size();
      Enum<Enforcement>(f, "enforcement", path, kEnforcementWords, &e);
      if (diagnostics_.size() == before) tenant.enforcement = e;
    }
    std::string region = tenant.region.empty() ? policy.default_region : tenant.region;
    if (!f.count("keys")) {
      Report(node.Mark(), path + ".keys", "missing; set keys.default to the tenant's KMS key ARN");
    } else {
      LoadKeys(f["keys"], path + ".keys", policy, region, tenant.keys);
    }
    tenant.allowed_keys = Values(StringList(f, "allowedKeys", path, [](const std::string& v) {
      if (IsGlob(v)) return v.empty() ? std::string("must not be empty") : std::string();
      KeyParseResult parsed = ParseKeyReference(v);
      if (!parsed.key) return "malformed key reference: " + parsed.error;
      if (parsed.key->IsAwsManaged()) {
        return "\"" + v + "\" is an AWS-managed key; approve customer-managed keys only";
      }
      return std::string();
    }));
    auto roles = StringList(f, "roles", path, [](const std::string& v) { return RoleArnProblem(v); });
    tenant.roles = Values(roles);
    for (const auto& item : roles) current_marks_["roles"].push_back(item.second);
    auto subnets = StringList(f, "subnets", path, [](const std::string& v) { return NetworkIdProblem(v, "subnet-"); });
    tenant.subnets = Values(subnets);
    for (const auto& item : subnets) current_marks_["subnets"].push_back(item.second);
    auto groups = StringList(f, "securityGroups", path, [](const std::string& v) { return NetworkIdProblem(v, "sg-"); });
    tenant.security_groups = Values(groups);
    for (const auto& item : groups) current_marks_["securityGroups"].push_back(item.second);
    tenant.image_registries = Values(StringList(f, "imageRegistries", path, CheckRegistry));
    if (f.count("guardrails")) LoadGuardrailOverrides(f["guardrails"], path + ".guardrails", tenant);
    return diagnostics_.size() == errors_before;
  }

  void LoadKeys(const YamlNode& node, const std::string& path, const Policy& policy, const std::string& region,
                TenantKeys& keys) {
    if (!node.IsMap()) {
      Report(node.Mark(), path, "must be a mapping with default (and optionally volume, output)");
      return;
    }
    Fields f = Expect(node, path, {"default", "volume", "output"});
    if (!f.count("default")) {
      Report(node.Mark(), path + ".default", "missing; set it to the tenant's KMS key ARN");
    }
    for (auto [name, target] : {std::pair{"default", &keys.default_key}, std::pair{"volume", &keys.volume_key},
                                std::pair{"output", &keys.output_key}}) {
      if (!f.count(name)) continue;
      std::string key_path = path + "." + name;
      auto value = Scalar(f[name], key_path);
      if (!value) continue;
      if (std::string error = CheckTenantKey(*value, policy, region); !error.empty()) {
        Report(f[name].Mark(), key_path, error);
        continue;
      }
      *target = *value;
    }
  }

  static std::string CheckTenantKey(const std::string& value, const Policy& policy, const std::string& region) {
    const KeyClassification key = ClassifyKey(value, policy.key_references);
    switch (key.problem) {
      case KeyProblem::kMalformed:
        return "malformed key reference: " + key.parse_error;
      case KeyProblem::kAwsManaged:
        return Quote(value) + " is an AWS-managed key; use a customer-managed key ARN "
               "(arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)";
      case KeyProblem::kNotAnArn:
        return "is a " + std::string(KeyReferenceFormName(key.key.form)) +
               ", but keyReferences: arn accepts only key ARNs (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID); "
               "use the key's ARN or set keyReferences: any";
      case KeyProblem::kNone:
        break;
    }
    if (InAnotherRegion(key.key, region)) {
      return "the key is in region " + key.key.region + " but the tenant's region is " + region +
             "; use a key in " + region + " or set the tenant's region";
    }
    return "";
  }

  // A namespace (or role) may belong to at most one tenant. Exact names are
  // compared by sorting, globs against names sharing their literal prefix,
  // and globs against globs whose prefixes nest: near-linear for thousands
  // of tenants.
  void CheckClaims(const Policy& policy, std::vector<std::string> Tenant::*list,
                   const std::vector<std::vector<YamlMark>>& marks, std::string_view field, std::string_view rule) {
    struct Claim {
      std::string_view pattern;
      size_t tenant;
      size_t entry;  // index in the tenant's namespaces list
      YamlMark mark;
    };
    std::vector<Claim> exact, globs;
    for (size_t t = 0; t < policy.tenants.size(); ++t) {
      const std::vector<std::string>& claimed = policy.tenants[t].*list;
      for (size_t n = 0; n < claimed.size(); ++n) {
        Claim claim{claimed[n], t, n, marks[t][n]};
        (IsGlob(claim.pattern) ? globs : exact).push_back(claim);
      }
    }
    auto by_pattern = [](const Claim& a, const Claim& b) { return a.pattern < b.pattern; };
    std::sort(exact.begin(), exact.end(), by_pattern);
    auto report = [&](const Claim& later, const Claim& earlier) {
      if (later.tenant == earlier.tenant) return;
      const Claim& a = later.mark.line >= earlier.mark.line ? later : earlier;
      const Claim& b = &a == &later ? earlier : later;
      Report(a.mark,
             "spec.tenants[" + std::to_string(source_index_[a.tenant]) + "]." + std::string(field) + "[" +
                 std::to_string(a.entry) + "]",
             "\"" + std::string(a.pattern) + "\" of tenant \"" + policy.tenants[a.tenant].name +
                 "\" overlaps \"" + std::string(b.pattern) + "\" of tenant \"" + policy.tenants[b.tenant].name +
                 "\" (line " + std::to_string(b.mark.line + 1) +
                 "); " + std::string(rule));
    };
    for (size_t i = 1; i < exact.size(); ++i) {
      if (exact[i].pattern == exact[i - 1].pattern) report(exact[i], exact[i - 1]);
    }
    for (const Claim& glob : globs) {
      std::string_view prefix = GlobLiteralPrefix(glob.pattern);
      auto it = std::lower_bound(exact.begin(), exact.end(), prefix,
                                 [](const Claim& c, std::string_view p) { return c.pattern < p; });
      for (; it != exact.end() && it->pattern.starts_with(prefix); ++it) {
        if (GlobMatch(glob.pattern, it->pattern)) report(glob, *it);
      }
    }
    auto by_prefix = [](const Claim& a, const Claim& b) {
      return GlobLiteralPrefix(a.pattern) < GlobLiteralPrefix(b.pattern);
    };
    std::sort(globs.begin(), globs.end(), by_prefix);
    for (size_t i = 0; i < globs.size(); ++i) {
      std::string_view prefix = GlobLiteralPrefix(globs[i].pattern);
      for (size_t j = i + 1; j < globs.size() && GlobLiteralPrefix(globs[j].pattern).starts_with(prefix); ++j) {
        if (GlobsOverlap(globs[i].pattern, globs[j].pattern)) report(globs[j], globs[i]);
      }
    }
  }

  std::string file_;
  std::vector<Diagnostic> diagnostics_;
  YamlMark name_mark_;  // of the tenant LoadTenant read last
  // The tenant lists a value may appear in for one tenant only.
  static constexpr std::array<std::string_view, 4> kClaimedLists = {"namespaces", "roles", "subnets",
                                                                    "securityGroups"};
  std::map<std::string, std::vector<YamlMark>> current_marks_;  // of the tenant LoadTenant read last
  std::map<std::string, std::vector<std::vector<YamlMark>>> claim_marks_;  // per list, per accepted tenant
  YamlMark tenant_mark_;  // of the tenant LoadTenant read last
  std::vector<std::pair<std::string, YamlMark>> unroled_tenants_;
  std::vector<size_t> source_index_;  // per accepted tenant: its index in spec.tenants
};

}  // namespace

PolicyLoadResult LoadPolicy(std::string_view yaml_text, std::string_view file_name) {
  return Loader(file_name).Load(yaml_text);
}

}  // namespace keyward
