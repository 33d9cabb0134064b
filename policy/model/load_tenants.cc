// spec.tenants: each tenant's own fields, then what no two tenants may
// share, then the notice for tenants that list no roles.
#include <algorithm>
#include <array>
#include <map>

#include "policy/base/glob.h"
#include "policy/base/role_arn.h"
#include "policy/model/policy_sections.h"

namespace keyward {
namespace {

bool IsNamespacePattern(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '*' || c == '?';
  });
}

// The tenant lists a value may appear in for one tenant only, and the rule
// each message states.
struct ClaimedList {
  std::string_view field;
  std::vector<std::string> Tenant::*list;
  std::string_view rule;
};
const std::array<ClaimedList, 5> kClaimedLists = {{
    {"namespaces", &Tenant::namespaces, "a namespace may belong to one tenant only: make the names or globs disjoint"},
    {"roles", &Tenant::roles, "a role may belong to one tenant only: make the role ARNs or globs disjoint"},
    {"callerRoles", &Tenant::caller_roles,
     "a caller role may belong to one tenant only: its AWS guardrails deny it every other tenant's keys, so "
     "give each tenant a role of its own"},
    {"subnets", &Tenant::subnets, "a subnet may belong to one tenant only: make the IDs or globs disjoint"},
    {"securityGroups", &Tenant::security_groups,
     "a security group may belong to one tenant only: make the IDs or globs disjoint"},
}};

class TenantsReader {
 public:
  TenantsReader(PolicyReader& reader, Policy& policy) : reader_(reader), policy_(policy) {}

  bool Read(const YamlNode& tenants) {
    if (!tenants.IsSequence() || tenants.size() == 0) {
      reader_.Report(tenants.Mark(), "spec.tenants", "must be a non-empty list of tenants");
      return false;
    }
    std::map<std::string, int> first_line_of_tenant;
    for (size_t i = 0; i < tenants.size(); ++i) {
      Tenant tenant;
      std::string path = "spec.tenants[" + std::to_string(i) + "]";
      // Tenants with errors still take part in the cross-tenant checks below,
      // so one run reports every problem.
      if (!ReadTenant(tenants[i], path, tenant) && tenant.name.empty()) continue;
      auto [it, inserted] = first_line_of_tenant.emplace(tenant.name, name_mark_.line + 1);
      if (!inserted) {
        reader_.Report(name_mark_, path + ".name",
                       "tenant \"" + tenant.name + "\" is already defined at line " + std::to_string(it->second) +
                           "; tenant names must be unique");
        continue;
      }
      if (tenant.roles.empty()) unroled_tenants_.emplace_back(tenant.name, tenant_mark_);
      policy_.tenants.push_back(std::move(tenant));
      for (const ClaimedList& claimed : kClaimedLists) {
        std::string field(claimed.field);
        claim_marks_[field].push_back(std::move(current_marks_[field]));
      }
      source_index_.push_back(i);
      selector_marks_.push_back(selector_mark_);
    }
    for (const ClaimedList& claimed : kClaimedLists) {
      CheckClaims(claimed.list, claim_marks_[std::string(claimed.field)], claimed.field, claimed.rule);
    }
    CheckSelectorClaims();
    return true;
  }

  // Roles are checked per tenant only where the tenant lists them; say so
  // once, naming a few of the tenants that do not.
  void NoteTenantsWithoutRoles() {
    if (unroled_tenants_.empty()) return;
    constexpr size_t kNamed = 5;
    std::string names;
    for (size_t i = 0; i < unroled_tenants_.size() && i < kNamed; ++i) {
      names += (names.empty() ? "" : ", ") + unroled_tenants_[i].first;
    }
    if (unroled_tenants_.size() > kNamed) {
      names += " and " + std::to_string(unroled_tenants_.size() - kNamed) + " more";
    }
    Diagnostic notice;
    notice.file = reader_.File();
    const YamlMark& mark = unroled_tenants_.front().second;
    if (!mark.is_null()) {
      notice.line = mark.line + 1;
      notice.column = mark.column + 1;
    }
    notice.path = "spec.tenants";
    const bool one = unroled_tenants_.size() == 1;
    notice.message = "notice: " + std::string(one ? "tenant " : "tenants ") + names +
                     (one ? " lists no roles, so its" : " list no roles, so their") +
                     " resources may run as any role no other tenant claims; "
                     "add roles to check them (UnapprovedRole)";
    policy_.notices.push_back(std::move(notice));
  }

 private:
  void Remember(std::string_view field, const ListItems& items) {
    for (const auto& item : items) current_marks_[std::string(field)].push_back(item.second);
  }

  bool ReadTenant(const YamlNode& node, const std::string& path, Tenant& tenant) {
    if (!node.IsMap()) {
      reader_.Report(node.Mark(), path, "must be a mapping with name, namespaces and keys");
      return false;
    }
    size_t errors_before = reader_.ProblemCount();
    tenant_mark_ = node.Mark();
    Fields f = reader_.Expect(node, path,
                              {"name", "namespaces", "namespaceSelector", "region", "enforcement", "keys",
                               "allowedKeys", "allowedKeyAccounts", "roles", "callerRoles", "keyUsers",
                               "guardrails", "subnets", "securityGroups", "imageRegistries"});
    if (!f.count("name")) {
      reader_.Report(node.Mark(), path + ".name", "missing; every tenant needs a name");
    } else if (auto name = reader_.Scalar(f["name"], path + ".name")) {
      name_mark_ = f["name"].Mark();
      if (name->empty()) reader_.Report(f["name"].Mark(), path + ".name", "must not be empty");
      tenant.name = *name;
    }
    selector_mark_ = f.count("namespaceSelector") ? f["namespaceSelector"].Mark() : node.Mark();
    if (f.count("namespaceSelector")) {
      tenant.namespace_selector = ReadNamespaceSelector(reader_, f["namespaceSelector"], path + ".namespaceSelector");
    }
    if (!f.count("namespaces") && !f.count("namespaceSelector")) {
      reader_.Report(node.Mark(), path + ".namespaces",
                     "missing; list the namespaces (names or globs) of this tenant, or select them by label with "
                     "namespaceSelector");
    }
    ListItems namespaces = reader_.StringList(f, "namespaces", path, NamespacePatternProblem);
    if (f.count("namespaces") && namespaces.empty() && reader_.ProblemCount() == errors_before) {
      reader_.Report(f["namespaces"].Mark(), path + ".namespaces", "is empty; list at least one namespace");
    }
    tenant.namespaces = PolicyReader::Values(namespaces);
    current_marks_.clear();
    Remember("namespaces", namespaces);
    if (auto region = reader_.Region(f, "region", path)) tenant.region = *region;
    if (f.count("enforcement")) {
      Enforcement e = policy_.enforcement;
      size_t before = reader_.ProblemCount();
      reader_.Enum<Enforcement>(f, "enforcement", path, kEnforcementWords, &e);
      if (reader_.ProblemCount() == before) tenant.enforcement = e;
    }
    std::string region = tenant.region.empty() ? policy_.default_region : tenant.region;
    if (!f.count("keys")) {
      reader_.Report(node.Mark(), path + ".keys", "missing; set keys.default to the tenant's KMS key ARN");
    } else {
      ReadTenantKeys(reader_, f["keys"], path + ".keys", policy_, region, tenant.keys);
    }
    tenant.allowed_keys = ReadAllowedKeys(reader_, f, path);
    tenant.allowed_key_accounts =
        PolicyReader::Values(reader_.StringList(f, "allowedKeyAccounts", path, [](const std::string& v) {
          const bool digits = v.size() == 12 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
          return digits ? std::string() : "\"" + v + "\" is not an AWS account ID (12 digits)";
        }));
    ListItems roles = reader_.StringList(f, "roles", path, [](const std::string& v) { return RoleArnProblem(v); });
    tenant.roles = PolicyReader::Values(roles);
    Remember("roles", roles);
    ListItems callers =
        reader_.StringList(f, "callerRoles", path, [](const std::string& v) { return RoleArnProblem(v); });
    tenant.caller_roles = PolicyReader::Values(callers);
    Remember("callerRoles", callers);
    tenant.key_users = PolicyReader::Values(
        reader_.StringList(f, "keyUsers", path, [](const std::string& v) { return PrincipalArnProblem(v); }));
    ListItems subnets = ReadSubnets(reader_, f, path);
    tenant.subnets = PolicyReader::Values(subnets);
    Remember("subnets", subnets);
    ListItems groups = ReadSecurityGroups(reader_, f, path);
    tenant.security_groups = PolicyReader::Values(groups);
    Remember("securityGroups", groups);
    tenant.image_registries = PolicyReader::Values(ReadImageRegistries(reader_, f, path));
    if (f.count("guardrails")) ReadGuardrailOverrides(reader_, f["guardrails"], path + ".guardrails", tenant);
    return reader_.ProblemCount() == errors_before;
  }

  // Two tenants with the same selector claim the same namespaces: provably
  // overlapping, so an error. Selectors that only may overlap are judged per
  // namespace at run time (AmbiguousTenant).
  void CheckSelectorClaims() {
    for (size_t a = 0; a < policy_.tenants.size(); ++a) {
      const Tenant& first = policy_.tenants[a];
      if (!first.namespace_selector) continue;
      for (size_t b = a + 1; b < policy_.tenants.size(); ++b) {
        const Tenant& second = policy_.tenants[b];
        if (!second.namespace_selector || !(*second.namespace_selector == *first.namespace_selector)) continue;
        reader_.Report(selector_marks_[b], "spec.tenants[" + std::to_string(source_index_[b]) + "].namespaceSelector",
                       "is the namespaceSelector of tenant \"" + first.name + "\" too; a namespace may belong to one "
                       "tenant only: make the selectors disjoint");
      }
    }
  }

  // A namespace (or role) may belong to at most one tenant. Exact names are
  // compared by sorting, globs against names sharing their literal prefix,
  // and globs against globs whose prefixes nest: near-linear for thousands
  // of tenants.
  void CheckClaims(std::vector<std::string> Tenant::*list, const std::vector<std::vector<YamlMark>>& marks,
                   std::string_view field, std::string_view rule) {
    struct Claim {
      std::string_view pattern;
      size_t tenant;
      size_t entry;  // index in the tenant's list
      YamlMark mark;
    };
    std::vector<Claim> exact, globs;
    for (size_t t = 0; t < policy_.tenants.size(); ++t) {
      const std::vector<std::string>& claimed = policy_.tenants[t].*list;
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
      reader_.Report(a.mark,
                     "spec.tenants[" + std::to_string(source_index_[a.tenant]) + "]." + std::string(field) + "[" +
                         std::to_string(a.entry) + "]",
                     "\"" + std::string(a.pattern) + "\" of tenant \"" + policy_.tenants[a.tenant].name +
                         "\" overlaps \"" + std::string(b.pattern) + "\" of tenant \"" +
                         policy_.tenants[b.tenant].name + "\" (line " + std::to_string(b.mark.line + 1) + "); " +
                         std::string(rule));
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

  PolicyReader& reader_;
  Policy& policy_;
  YamlMark name_mark_;    // of the tenant ReadTenant read last
  YamlMark tenant_mark_;  // of the tenant ReadTenant read last
  std::map<std::string, std::vector<YamlMark>> current_marks_;  // of the tenant ReadTenant read last, per list
  std::map<std::string, std::vector<std::vector<YamlMark>>> claim_marks_;  // per list, per accepted tenant
  std::vector<std::pair<std::string, YamlMark>> unroled_tenants_;
  std::vector<size_t> source_index_;  // per accepted tenant: its index in spec.tenants
  YamlMark selector_mark_;             // of the tenant ReadTenant read last
  std::vector<YamlMark> selector_marks_;  // per accepted tenant
};

}  // namespace

std::optional<LabelSelector> ReadNamespaceSelector(PolicyReader& reader, const YamlNode& node, const std::string& path) {
  if (!node.IsMap()) {
    reader.Report(node.Mark(), path, "must be a label selector: {matchLabels: {KEY: VALUE}, matchExpressions: [...]}");
    return std::nullopt;
  }
  const size_t before = reader.ProblemCount();
  Fields f = reader.Expect(node, path, {"matchLabels", "matchExpressions"});
  LabelSelector selector;
  if (f.count("matchLabels") && !f["matchLabels"].IsNull()) {
    const YamlNode& labels = f["matchLabels"];
    if (!labels.IsMap()) {
      reader.Report(labels.Mark(), path + ".matchLabels", "must be a mapping of label keys to values");
    } else {
      for (size_t i = 0; i < labels.size(); ++i) {
        auto key = reader.Scalar(labels.Key(i), path + ".matchLabels");
        auto value = reader.Scalar(labels.Value(i), path + ".matchLabels");
        if (!key || !value) continue;
        if (key->empty()) {
          reader.Report(labels.Key(i).Mark(), path + ".matchLabels", "a label key must not be empty");
          continue;
        }
        selector.match_labels[*key] = *value;
      }
    }
  }
  if (f.count("matchExpressions") && !f["matchExpressions"].IsNull()) {
    const YamlNode& expressions = f["matchExpressions"];
    if (!expressions.IsSequence()) {
      reader.Report(expressions.Mark(), path + ".matchExpressions", "must be a list of {key, operator, values}");
    } else {
      for (size_t i = 0; i < expressions.size(); ++i) {
        const std::string item = path + ".matchExpressions[" + std::to_string(i) + "]";
        if (!expressions[i].IsMap()) {
          reader.Report(expressions[i].Mark(), item, "must be a mapping {key, operator, values}");
          continue;
        }
        Fields e = reader.Expect(expressions[i], item, {"key", "operator", "values"});
        LabelRequirement requirement;
        if (!e.count("key") || !e.count("operator")) {
          reader.Report(expressions[i].Mark(), item, "needs a key and an operator (In, NotIn, Exists, DoesNotExist)");
          continue;
        }
        if (auto key = reader.Scalar(e["key"], item + ".key")) requirement.key = *key;
        if (requirement.key.empty()) reader.Report(e["key"].Mark(), item + ".key", "must not be empty");
        reader.Enum<SelectorOperator>(e, "operator", item, kSelectorOperatorWords, &requirement.op);
        requirement.values = PolicyReader::Values(reader.StringList(e, "values", item, [](const std::string&) {
          return std::string();
        }));
        const bool takes_values = requirement.op == SelectorOperator::kIn || requirement.op == SelectorOperator::kNotIn;
        if (takes_values && requirement.values.empty()) {
          reader.Report(expressions[i].Mark(), item + ".values", "In and NotIn need at least one value");
        } else if (!takes_values && !requirement.values.empty()) {
          reader.Report(e["values"].Mark(), item + ".values", "Exists and DoesNotExist take no values; remove them");
        }
        selector.match_expressions.push_back(std::move(requirement));
      }
    }
  }
  if (selector.match_labels.empty() && selector.match_expressions.empty() && reader.ProblemCount() == before) {
    reader.Report(node.Mark(), path,
                  "is empty, and an empty selector matches every namespace; give matchLabels or matchExpressions");
  }
  if (reader.ProblemCount() != before) return std::nullopt;
  return selector;
}

void NoteSelectorLabelsUsersMaySet(PolicyReader& reader, Policy& policy) {
  for (const Tenant& tenant : policy.tenants) {
    if (!tenant.namespace_selector) continue;
    for (const std::string& key : SelectorKeys(*tenant.namespace_selector)) {
      if (key.find('/') != std::string::npos) continue;  // a prefixed key: the platform's to reserve (README)
      Diagnostic notice;
      notice.file = reader.File();
      notice.path = "spec.tenants.namespaceSelector";
      notice.message = "warning: tenant " + tenant.name + " selects namespaces by label \"" + key +
                       "\", which has no prefix and which whoever may edit a namespace can set; use a label under "
                       "the platform's own prefix (e.g. platform.example.com/tenant) and reserve it (README, "
                       "\"Tenants by label\")";
      policy.notices.push_back(std::move(notice));
    }
  }
}

std::string NamespacePatternProblem(const std::string& value) {
  return IsNamespacePattern(value) ? ""
                                   : "\"" + value + "\" is not a namespace name or glob "
                                                    "(lower-case letters, digits, '-', and the wildcards * and ?)";
}

bool ReadTenants(PolicyReader& reader, const YamlNode& tenants, Policy& policy) {
  TenantsReader tenants_reader(reader, policy);
  if (!tenants_reader.Read(tenants)) return false;
  tenants_reader.NoteTenantsWithoutRoles();
  NoteExemptClaimedNamespaces(reader, policy);
  NoteSelectorLabelsUsersMaySet(reader, policy);
  return true;
}

void NoteExemptClaimedNamespaces(PolicyReader& reader, Policy& policy) {
  constexpr size_t kMostNoted = 10;  // a wide glob can cover many claims; the rest are counted
  size_t overlaps = 0;
  for (const std::string& exempt : policy.exempt_namespaces) {
    for (const Tenant& tenant : policy.tenants) {
      for (const std::string& claimed : tenant.namespaces) {
        if (!GlobsOverlap(exempt, claimed) || ++overlaps > kMostNoted) continue;
        Diagnostic notice;
        notice.file = reader.File();
        notice.path = "spec.exemptNamespaces";
        notice.message = "warning: exemptNamespaces entry \"" + exempt + "\" covers namespace \"" + claimed +
                         "\" of tenant " + tenant.name +
                         ", so that tenant's resources there are never judged; remove one of the two";
        policy.notices.push_back(std::move(notice));
      }
    }
  }
  if (overlaps > kMostNoted) {
    Diagnostic more;
    more.file = reader.File();
    more.path = "spec.exemptNamespaces";
    more.message = "warning: and " + std::to_string(overlaps - kMostNoted) +
                   " more tenant namespaces that exemptNamespaces covers";
    policy.notices.push_back(std::move(more));
  }
}

}  // namespace keyward
