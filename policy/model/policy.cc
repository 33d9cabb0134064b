#include "policy/model/policy.h"

#include <algorithm>
#include <array>

#include "policy/base/glob.h"

namespace keyward {
namespace {

// Instance families with local NVMe instance storage. SageMaker encrypts that
// storage with its own hardware key and rejects a volume KMS key on jobs that
// run there. Families not listed (ml.m5, ml.p3, ml.inf2, ml.t3, ...) are
// EBS-only.
constexpr std::array<std::string_view, 31> kLocalStorageFamilies = {
    "ml.c5d",   "ml.c6gd",    "ml.c6id",    "ml.dl1",      "ml.g4dn",  "ml.g5",   "ml.g6",
    "ml.g6e",   "ml.g7",      "ml.g7e",     "ml.gr6",      "ml.i3en",  "ml.m5d",  "ml.m6gd",
    "ml.m6id",  "ml.p3dn",    "ml.p4d",     "ml.p4de",     "ml.p5",    "ml.p5e",  "ml.p5en",
    "ml.p6-b200", "ml.p6-b300", "ml.p6e-gb200", "ml.r5d",  "ml.r6gd",  "ml.r6id", "ml.r7gd",
    "ml.trn1",  "ml.trn1n",   "ml.trn2"};

// "ml.g4dn.xlarge" -> "ml.g4dn"
std::string_view InstanceFamily(std::string_view instance_type) {
  size_t first = instance_type.find('.');
  if (first == std::string_view::npos) return instance_type;
  size_t second = instance_type.find('.', first + 1);
  return instance_type.substr(0, second);
}

}  // namespace

bool LevelApplies(RuleLevel level, Enforcement* out) {
  switch (level) {
    case RuleLevel::kDisabled: return false;
    case RuleLevel::kAudit: *out = Enforcement::kAudit; return true;
    case RuleLevel::kWarn: *out = Enforcement::kWarn; return true;
    case RuleLevel::kDeny: *out = Enforcement::kDeny; return true;
  }
  return false;
}

std::string_view EnforcementName(Enforcement e) { return WordOf<Enforcement>(kEnforcementWords, e); }

const std::string& RegionKeys::For(KeyPurpose purpose) const {
  const std::string& specific = purpose == KeyPurpose::kVolume ? volume_key : output_key;
  return specific.empty() ? default_key : specific;
}

const std::string* TenantKeys::ForRegion(KeyPurpose purpose, std::string_view region, std::string_view home) const {
  if (region.empty() || region == home) return &For(purpose);
  auto it = regions.find(region);
  return it == regions.end() ? nullptr : &it->second.For(purpose);
}

std::string Diagnostic::ToString() const {
  // Appended piece by piece: ":" + std::to_string(...) makes GCC 12 at -O3
  // raise a false -Wrestrict.
  std::string out = file;
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
    out += ':';
    out += std::to_string(column);
  }
  out += ": ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

void Policy::GlobIndex::Add(const std::string& pattern, size_t owner) {
  if (!IsGlob(pattern)) {
    exact[pattern].push_back(owner);
    return;
  }
  std::string prefix(GlobLiteralPrefix(pattern));
  longest_prefix = std::max(longest_prefix, prefix.size());
  by_prefix[prefix].emplace_back(pattern, owner);
}

template <typename Fn>
void Policy::GlobIndex::ForEachMatch(std::string_view text, Fn fn) const {
  if (auto it = exact.find(text); it != exact.end()) {
    for (size_t owner : it->second) {
      if (!fn(owner)) return;
    }
  }
  if (by_prefix.empty()) return;
  size_t longest = std::min(longest_prefix, text.size());
  for (size_t length = 0; length <= longest; ++length) {
    auto it = by_prefix.find(text.substr(0, length));
    if (it == by_prefix.end()) continue;
    for (const auto& [pattern, owner] : it->second) {
      if (GlobMatch(pattern, text) && !fn(owner)) return;
    }
  }
}

void Policy::Index() {
  namespace_index_ = {};
  exempt_index_ = {};
  trusted_index_ = {};
  key_index_ = {};
  key_id_index_ = {};
  role_index_ = {};
  subnet_index_ = {};
  security_group_index_ = {};
  selector_tenants_.clear();
  for (size_t t = 0; t < tenants.size(); ++t) {
    if (tenants[t].namespace_selector) selector_tenants_.push_back(t);
  }
  for (const std::string& ns : exempt_namespaces) exempt_index_.Add(ns, 0);
  for (const std::string& user : trusted_users) trusted_index_.Add(user, 0);
  for (size_t t = 0; t < tenants.size(); ++t) {
    const Tenant& tenant = tenants[t];
    for (const std::string& ns : tenant.namespaces) namespace_index_.Add(ns, t);
    for (const std::string& role : tenant.roles) role_index_.Add(role, t);
    for (const std::string& subnet : tenant.subnets) subnet_index_.Add(subnet, t);
    for (const std::string& group : tenant.security_groups) security_group_index_.Add(group, t);
    for (const std::string& key : ApprovedKeys(tenant)) {
      key_index_.Add(key, t);
      if (IsGlob(key)) continue;
      // A bare key ID or alias name (keyReferences: any) is approved when it
      // names the same key as an approved ARN.
      KeyParseResult parsed = ParseKeyReference(key);
      if (parsed.key && parsed.key->IsArn()) {
        std::string id = parsed.key->IsAlias() ? "alias/" + parsed.key->resource : parsed.key->resource;
        key_id_index_.Add(id, t);
      }
    }
  }
}

const Tenant* Policy::TenantForNamespace(std::string_view ns) const {
  const Tenant* found = nullptr;
  namespace_index_.ForEachMatch(ns, [&](size_t owner) {
    found = &tenants[owner];
    return false;
  });
  return found;
}

std::vector<const Tenant*> Policy::TenantsClaimingNamespace(std::string_view ns, const NamespaceInfo* info) const {
  std::vector<const Tenant*> out;
  namespace_index_.ForEachMatch(ns, [&](size_t owner) {
    if (std::find(out.begin(), out.end(), &tenants[owner]) == out.end()) out.push_back(&tenants[owner]);
    return true;
  });
  if (info == nullptr) return out;
  for (size_t t : selector_tenants_) {
    const Tenant& tenant = tenants[t];
    if (!tenant.namespace_selector->Matches(info->labels)) continue;
    if (std::find(out.begin(), out.end(), &tenant) == out.end()) out.push_back(&tenant);
  }
  return out;
}

bool Policy::IsExemptNamespace(std::string_view ns) const {
  bool found = false;
  exempt_index_.ForEachMatch(ns, [&](size_t) { return !(found = true); });
  return found;
}

bool Policy::IsTrustedUser(std::string_view user) const {
  bool found = false;
  trusted_index_.ForEachMatch(user, [&](size_t) { return !(found = true); });
  return found;
}

std::span<const std::string_view> LocalStorageFamilies() { return kLocalStorageFamilies; }

std::vector<std::string> ApprovedKeys(const Tenant& tenant) {
  std::vector<std::string> approved = tenant.allowed_keys;
  std::vector<const RegionKeys*> key_sets = {&tenant.keys};
  for (const auto& [region, keys] : tenant.keys.regions) key_sets.push_back(&keys);
  for (const RegionKeys* keys : key_sets) {
    for (const std::string* key : {&keys->default_key, &keys->volume_key, &keys->output_key}) {
      if (!key->empty()) approved.push_back(*key);
    }
  }
  return approved;
}

bool Policy::HasLocalStorage(std::string_view instance_type) const {
  std::string_view family = InstanceFamily(instance_type);
  if (std::find(kLocalStorageFamilies.begin(), kLocalStorageFamilies.end(), family) != kLocalStorageFamilies.end()) {
    return true;
  }
  for (const std::string& pattern : local_storage_instance_types) {
    if (GlobMatch(pattern, instance_type) || GlobMatch(pattern, family)) return true;
  }
  return false;
}

std::vector<const Tenant*> Policy::TenantsApproving(std::string_view key_text, const KeyReference& key) const {
  std::vector<const Tenant*> out;
  // Only an ARN pins a key; other forms are approved only where the policy
  // accepts them.
  if (!key.IsArn() && key_references == KeyReferencePolicy::kArnOnly) return out;
  auto collect = [&](size_t owner) {
    const Tenant* tenant = &tenants[owner];
    if (std::find(out.begin(), out.end(), tenant) == out.end()) out.push_back(tenant);
    return true;
  };
  key_index_.ForEachMatch(key_text, collect);
  std::string id = key.IsAlias() ? "alias/" + key.resource : key.resource;
  if (key.IsArn()) {
    // An ARN is approved by a bare key ID or alias name in the policy.
    key_index_.ForEachMatch(id, collect);
  } else {
    key_id_index_.ForEachMatch(id, collect);
  }
  return out;
}

std::vector<const Tenant*> Policy::Claiming(const GlobIndex& index, std::string_view text) const {
  std::vector<const Tenant*> out;
  index.ForEachMatch(text, [&](size_t owner) {
    const Tenant* tenant = &tenants[owner];
    if (std::find(out.begin(), out.end(), tenant) == out.end()) out.push_back(tenant);
    return true;
  });
  return out;
}

std::vector<const Tenant*> Policy::TenantsClaimingRole(std::string_view role_arn) const {
  return Claiming(role_index_, role_arn);
}
std::vector<const Tenant*> Policy::TenantsClaimingSubnet(std::string_view id) const {
  return Claiming(subnet_index_, id);
}
std::vector<const Tenant*> Policy::TenantsClaimingSecurityGroup(std::string_view id) const {
  return Claiming(security_group_index_, id);
}

GuardrailSetting Policy::GuardrailFor(const Tenant* tenant, Guardrail rule) const {
  const size_t i = static_cast<size_t>(rule);
  GuardrailSetting setting = guardrails[i];
  if (tenant != nullptr) {
    if (tenant->guardrails[i].level) setting.level = *tenant->guardrails[i].level;
    if (tenant->guardrails[i].inject) setting.inject = *tenant->guardrails[i].inject;
  }
  return setting;
}

bool Policy::IsApprovedImage(const Tenant* tenant, std::string_view image) const {
  for (const std::string& glob : image_registries) {
    if (GlobMatch(glob, image)) return true;
  }
  if (tenant == nullptr) return false;
  for (const std::string& glob : tenant->image_registries) {
    if (GlobMatch(glob, image)) return true;
  }
  return false;
}

Enforcement Policy::EnforcementFor(const Tenant* tenant) const {
  return tenant != nullptr && tenant->enforcement ? *tenant->enforcement : enforcement;
}

const std::string& Policy::RegionFor(const Tenant& tenant) const {
  return tenant.region.empty() ? default_region : tenant.region;
}

}  // namespace keyward
