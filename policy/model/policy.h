// The tenant key policy: which namespaces belong to which tenant, and which
// KMS keys each tenant uses and may use.
//
// A Policy is immutable once loaded. The server holds it through
// shared_ptr<const Policy> and swaps the pointer on reload, so a request
// always sees one whole policy. Loading is pure (text in, policy or
// diagnostics out): reading files is the caller's business.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/catalog/catalog.h"
#include "policy/base/enum_words.h"
#include "policy/catalog/guardrails.h"
#include "policy/base/key_reference.h"
#include "policy/model/namespace_info.h"

namespace keyward {

enum class Enforcement { kDeny, kWarn, kAudit };
enum class MutationMode { kInject, kDisabled };
enum class KeyReferencePolicy { kArnOnly, kAny };
enum class UnmatchedNamespaces { kDeny, kWarn, kAllow };
// The level of a rule with its own switch (pipelines.opaqueSteps): an
// Enforcement, or off. Not `off`: YAML 1.1 tools read a bare off as false.
enum class RuleLevel { kDisabled, kAudit, kWarn, kDeny };

// The policy file's words for each (policy/base/enum_words.h).
inline constexpr EnumWord<Enforcement> kEnforcementWords[] = {
    {Enforcement::kDeny, "deny"}, {Enforcement::kWarn, "warn"}, {Enforcement::kAudit, "audit"}};
inline constexpr EnumWord<MutationMode> kMutationModeWords[] = {{MutationMode::kInject, "inject"},
                                                               {MutationMode::kDisabled, "disabled"}};
inline constexpr EnumWord<KeyReferencePolicy> kKeyReferencePolicyWords[] = {{KeyReferencePolicy::kArnOnly, "arn"},
                                                                           {KeyReferencePolicy::kAny, "any"}};
inline constexpr EnumWord<UnmatchedNamespaces> kUnmatchedNamespacesWords[] = {
    {UnmatchedNamespaces::kDeny, "deny"}, {UnmatchedNamespaces::kWarn, "warn"}, {UnmatchedNamespaces::kAllow, "allow"}};
inline constexpr EnumWord<RuleLevel> kRuleLevelWords[] = {
    {RuleLevel::kDisabled, "disabled"}, {RuleLevel::kAudit, "audit"}, {RuleLevel::kWarn, "warn"}, {RuleLevel::kDeny, "deny"}};

// The Enforcement a rule level applies; false for kDisabled.
bool LevelApplies(RuleLevel level, Enforcement* out);

std::string_view EnforcementName(Enforcement e);

// One guardrail's setting: its level, and whether mutation sets the safe
// value where the field is absent (only for rules that can, see guardrails.h).
struct GuardrailSetting {
  RuleLevel level = RuleLevel::kDisabled;
  bool inject = false;
};
// A tenant's override of one rule: what it states replaces the policy's.
struct GuardrailOverride {
  std::optional<RuleLevel> level;
  std::optional<bool> inject;
};

// One region's keys: default, and optionally one per purpose.
struct RegionKeys {
  std::string default_key;  // required
  std::string volume_key;   // optional; empty means default_key
  std::string output_key;   // optional; empty means default_key

  const std::string& For(KeyPurpose purpose) const;
};

// A tenant's keys: those of its own region (its region, else
// defaultRegion), and optionally of other regions (keys.regions).
struct TenantKeys : RegionKeys {
  std::map<std::string, RegionKeys, std::less<>> regions;

  // The key of `purpose` for a resource in `region`: the tenant's own keys
  // in `home` (or when the region is unknown), a listed region's keys, else
  // null: the tenant has no key there, and none is ever injected.
  const std::string* ForRegion(KeyPurpose purpose, std::string_view region, std::string_view home) const;
};

struct Tenant {
  std::string name;
  std::vector<std::string> namespaces;  // exact names or globs
  // Namespaces claimed by their labels, as the cluster reports them (empty:
  // by names alone).
  std::optional<LabelSelector> namespace_selector;
  std::string region;                   // empty: the policy's defaultRegion
  std::optional<Enforcement> enforcement;
  TenantKeys keys;
  std::vector<std::string> allowed_keys;  // exact references or globs
  // AWS accounts whose keys may serve resources made in another account
  // (a namespace's services.k8s.aws/owner-account-id); 12 digits each.
  std::vector<std::string> allowed_key_accounts;
  // IAM role ARNs (or globs) this tenant's resources may run as. Empty: the
  // tenant's unlisted roles are not checked (other tenants' still are).
  std::vector<std::string> roles;
  // The roles that create the tenant's SageMaker resources (its ACK
  // controller's role), one tenant's only: the AWS guardrails (policy
  // compile --target aws) deny them what the tenant may not use.
  std::vector<std::string> caller_roles;
  // The IAM roles and users that read the tenant's encrypted output; its
  // keys' policies let them decrypt through S3.
  std::vector<std::string> key_users;
  std::array<GuardrailOverride, kGuardrailCount> guardrails = {};
  std::vector<std::string> subnets;           // IDs or globs, checked under the vpc rule
  std::vector<std::string> security_groups;   // IDs or globs
  std::vector<std::string> image_registries;  // globs, besides the policy's
};

// A problem found while loading, with where it is and how to fix it.
struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string path;     // e.g. spec.tenants[1].keys.default
  std::string message;  // what is wrong and how to fix it

  // "file:line:column: path: message"
  std::string ToString() const;
};

class Policy {
 public:
  std::string default_region;
  Enforcement enforcement = Enforcement::kDeny;
  MutationMode mutation = MutationMode::kInject;
  KeyReferencePolicy key_references = KeyReferencePolicy::kArnOnly;
  UnmatchedNamespaces unmatched_namespaces = UnmatchedNamespaces::kDeny;
  std::vector<std::string> exempt_namespaces;  // exact or globs
  std::vector<std::string> trusted_users;      // exact or globs
  std::vector<std::string> local_storage_instance_types;  // extra globs
  std::vector<Tenant> tenants;
  // false: what a tenant can read says "another tenant" instead of the name
  // of the tenant that owns a key or role (Violation::owners keeps it).
  bool reveal_other_tenants = true;
  // Pipeline steps keyward cannot see into (Lambda, Callback, EMR, unknown).
  RuleLevel opaque_steps = RuleLevel::kWarn;
  std::array<GuardrailSetting, kGuardrailCount> guardrails = {};  // every rule disabled by default
  std::vector<std::string> image_registries;                      // globs
  // Things worth knowing that are not errors (a tenant without roles), for
  // `keyward policy lint` and the server's load log.
  std::vector<Diagnostic> notices;

  // Lookups below are O(length of the argument), independent of the number
  // of tenants. Only LoadPolicy makes a Policy whose indexes are built, and
  // it hands it out const, so the indexes always match the fields.
  const Tenant* TenantForNamespace(std::string_view ns) const;
  // Every tenant that claims the namespace: by name or glob, and by
  // namespaceSelector when the cluster's view of it (`info`) is known. More
  // than one is a configuration error the rules report (AmbiguousTenant).
  // Costs O(tenants with a selector) on top of the name lookup.
  std::vector<const Tenant*> TenantsClaimingNamespace(std::string_view ns, const NamespaceInfo* info) const;
  bool IsExemptNamespace(std::string_view ns) const;
  bool IsTrustedUser(std::string_view user) const;
  bool HasLocalStorage(std::string_view instance_type) const;
  // Tenants whose keys or allowedKeys include the reference (key ARN, alias
  // ARN, or under keyReferences: any a bare key ID or alias name).
  std::vector<const Tenant*> TenantsApproving(std::string_view key_text,
                                              const KeyReference& key) const;
  // Tenants whose roles include the role ARN.
  std::vector<const Tenant*> TenantsClaimingRole(std::string_view role_arn) const;
  // Tenants whose subnets / securityGroups include the ID.
  std::vector<const Tenant*> TenantsClaimingSubnet(std::string_view id) const;
  std::vector<const Tenant*> TenantsClaimingSecurityGroup(std::string_view id) const;
  // The setting of a rule for a tenant (its overrides over the policy's).
  GuardrailSetting GuardrailFor(const Tenant* tenant, Guardrail rule) const;
  // True when the image matches the policy's or the tenant's imageRegistries.
  bool IsApprovedImage(const Tenant* tenant, std::string_view image) const;
  Enforcement EnforcementFor(const Tenant* tenant) const;
  const std::string& RegionFor(const Tenant& tenant) const;

 private:
  friend struct PolicyIndexer;  // policy_reader.cc: the one caller of Index()

  // Builds the lookup indexes from the public fields above.
  void Index();

  // Heterogeneous lookup, so a string_view finds a key without a copy.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  // Exact entries by text, globs by their literal prefix: a lookup tries each
  // prefix of the text instead of every pattern, so its cost does not grow
  // with the number of tenants.
  struct GlobIndex {
    StringMap<std::vector<size_t>> exact;  // text -> owners
    StringMap<std::vector<std::pair<std::string, size_t>>> by_prefix;  // prefix -> (glob, owner)
    size_t longest_prefix = 0;
    void Add(const std::string& pattern, size_t owner);
    // Calls fn(owner) for every entry that matches text until fn returns false.
    template <typename Fn>
    void ForEachMatch(std::string_view text, Fn fn) const;
  };
  GlobIndex namespace_index_;
  GlobIndex exempt_index_;
  GlobIndex trusted_index_;
  GlobIndex key_index_;       // full key texts and key globs -> tenant
  GlobIndex key_id_index_;    // key IDs / alias names of exact ARNs -> tenant
  GlobIndex role_index_;      // role ARNs and globs -> tenant
  GlobIndex subnet_index_;    // subnet IDs and globs -> tenant
  GlobIndex security_group_index_;
  std::vector<size_t> selector_tenants_;  // tenants with a namespaceSelector

  std::vector<const Tenant*> Claiming(const GlobIndex& index, std::string_view text) const;
};

// Every key a tenant may use: its allowedKeys, then the keys of each of its
// regions (default, volume and output, where set). Exact texts and globs.
std::vector<std::string> ApprovedKeys(const Tenant& tenant);

// The instance families with local NVMe storage keyward knows without the
// policy's localStorageInstanceTypes (ml.p4d, ml.g5, ...).
std::span<const std::string_view> LocalStorageFamilies();

struct PolicyLoadResult {
  std::shared_ptr<const Policy> policy;  // null when diagnostics is non-empty
  std::vector<Diagnostic> diagnostics;
};

// Parses and validates a KeyPolicy document. Every problem is reported (not
// only the first), each with file:line:column and a fix hint; a policy is
// returned only when there are none. `file_name` is used in diagnostics only.
PolicyLoadResult LoadPolicy(std::string_view yaml_text, std::string_view file_name);

}  // namespace keyward
