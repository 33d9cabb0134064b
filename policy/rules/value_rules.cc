#include "policy/rules/value_rules.h"

#include <algorithm>

#include "policy/model/key_rules.h"
#include "policy/base/text.h"

namespace keyward {

std::string OwnerNames(const std::vector<const Tenant*>& owners) {
  std::string names;
  for (const Tenant* t : owners) names += (names.empty() ? "" : ", ") + t->name;
  return names;
}

std::string Owners(const Subject& s, const std::string& names) {
  return s.policy.reveal_other_tenants ? "tenant " + names : "another tenant";
}

void CheckLocalStorage(LocalStorageRule rule, const std::string& path, const std::string& local_type, Findings& out) {
  if (local_type.empty() || rule != LocalStorageRule::kRejectKey) return;
  out.Add(path, kLocalStorageKey,
          "instance type " + local_type +
              " has local NVMe storage, which SageMaker encrypts itself and for which it rejects a volume "
              "KMS key; remove this key or choose an EBS-backed instance type",
          ElideMiddle(local_type, 30) + " has local NVMe storage; remove the key");
}

std::string KindAndName(const Subject& s) {
  std::string out = s.kind.kind.empty() ? "object" : std::string(s.kind.kind);
  return out + " " + s.request.namespace_name + "/" + s.request.name;
}

std::string PathWarning(std::string_view before, const std::string& path, std::string_view after) {
  std::string_view prefix = "keyward: ";
  size_t fixed = prefix.size() + before.size() + after.size();
  size_t room = kMaxWarningLength > fixed + 16 ? kMaxWarningLength - fixed : 16;
  // Appended into one string: a warning is written for every field set.
  std::string warning;
  warning.reserve(fixed + std::min(path.size(), room));
  warning += prefix;
  warning += before;
  if (path.size() <= room) {
    warning += path;
  } else {
    warning += ElideMiddle(path, room);
  }
  warning += after;
  return warning.size() <= kMaxWarningLength ? warning : ElideMiddle(warning, kMaxWarningLength);
}

std::string OwnerAccount(const Subject& s) {
  if (s.request.namespace_info == nullptr) return "";
  auto it = s.request.namespace_info->annotations.find(kNamespaceOwnerAccountAnnotation);
  return it == s.request.namespace_info->annotations.end() ? "" : it->second;
}

bool KeyAccountAllowed(const Subject& s, std::string_view account) {
  const std::string owner = OwnerAccount(s);
  if (owner.empty() || account.empty() || account == owner) return true;
  if (s.tenant == nullptr) return false;
  const std::vector<std::string>& allowed = s.tenant->allowed_key_accounts;
  return std::find(allowed.begin(), allowed.end(), account) != allowed.end();
}

const std::string* TenantKeyIn(const Subject& s, KeyPurpose purpose, std::string_view region) {
  if (s.tenant == nullptr) return nullptr;
  const std::string* key = s.tenant->keys.ForRegion(purpose, region, s.policy.RegionFor(*s.tenant));
  if (key == nullptr) return nullptr;
  // Parsed only when there is an owner account to compare with: most
  // namespaces name none, and this runs for every key a request is given.
  if (OwnerAccount(s).empty()) return key;
  KeyParseResult parsed = ParseKeyReference(*key);
  if (parsed.key && !KeyAccountAllowed(s, parsed.key->account)) return nullptr;
  return key;
}

std::string TenantKeyHint(const Subject& s, KeyPurpose purpose, std::string_view region) {
  const std::string* own = s.tenant != nullptr ? s.tenant->keys.ForRegion(purpose, region, s.policy.RegionFor(*s.tenant))
                                               : nullptr;
  if (own != nullptr && TenantKeyIn(s, purpose, region) == nullptr) {
    return "a key of account " + OwnerAccount(s) + ", where this namespace's resources are made " +
           "(services.k8s.aws/owner-account-id): tenant " + s.tenant->name + "'s key " + *own +
           " is of another account; ask the platform team to list that account in allowedKeyAccounts";
  }
  if (s.tenant == nullptr || TenantKeyIn(s, purpose, region) != nullptr) {
    if (s.tenant == nullptr) return TenantKeyHint(s, purpose);
    return "tenant " + s.tenant->name + "'s " + std::string(KeyPurposeName(purpose)) + " key " +
           *TenantKeyIn(s, purpose, region);
  }
  return "a key of tenant " + s.tenant->name + " in " + std::string(region) + ", the resource's region, where it has " +
         "none: ask the platform team to add keys.regions." + std::string(region) + " to the tenant";
}

std::string TenantKeyHint(const Subject& s, KeyPurpose purpose) {
  if (s.tenant == nullptr) return "a customer-managed key ARN";
  return "tenant " + s.tenant->name + "'s " + std::string(KeyPurposeName(purpose)) + " key " +
         s.tenant->keys.For(purpose);
}

void CheckSetKey(const Subject& s, KeyForms accepted_forms, const std::string& path, const nlohmann::json& value,
                 const std::string& region, const std::string& use, Findings& out) {
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
              Quote(text) + " is " + WithArticle(KeyReferenceFormName(key.form)) +
                  "; only key ARNs are accepted because they pin account, region and key" + use,
              std::string(KeyReferenceFormName(key.form)) + ", not a key ARN");
      return;
    case KeyProblem::kNone:
      break;
  }
  if ((accepted_forms & FormBit(key.form)) == 0) {
    out.warnings.push_back(PathWarning("", path, " takes " + KeyFormsText(accepted_forms) + ", not " +
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
  if (key.IsArn() && !KeyAccountAllowed(s, key.account)) {
    const std::string owner = OwnerAccount(s);
    out.Add(path, kCrossAccountKey,
            Quote(text) + " is a key of account " + key.account + ", but namespace " + s.request.namespace_name +
                " makes its resources in account " + owner +
                " (services.k8s.aws/owner-account-id); use a key of account " + owner +
                " (or have the platform team list " + key.account + " in the tenant's allowedKeyAccounts)",
            "key of account " + key.account + ", resource in " + owner);
  }
  if (InAnotherRegion(key, region)) {
    out.Add(path, kRegionMismatch,
            Quote(text) + " is in region " + key.region + " but the resource is created in " + region +
                "; use a key in " + region,
            "key in " + key.region + ", resource in " + region);
  }
}

void CheckRoleText(const Subject& s, const std::string& path, const std::string& role, Findings& out) {
  if (s.tenant == nullptr || role.empty()) return;
  std::vector<const Tenant*> claiming = s.policy.TenantsClaimingRole(role);
  if (std::find(claiming.begin(), claiming.end(), s.tenant) != claiming.end()) return;
  std::string use = s.tenant->roles.empty()
                        ? "; use a role of tenant " + s.tenant->name
                        : "; use a role of tenant " + s.tenant->name + " (" + ElideEnd(Join(s.tenant->roles, ", "), 160) + ")";
  if (!claiming.empty()) {
    std::string owners = OwnerNames(claiming);
    out.Add(path, kForeignRole,
            Quote(role) + " is a role of " + Owners(s, owners) + ", not of tenant " + s.tenant->name +
                ", and runs with its permissions" + use,
            "role of " + ElideMiddle(Owners(s, owners), 40), owners);
  } else if (!s.tenant->roles.empty()) {
    out.Add(path, kUnapprovedRole,
            Quote(role) + " is not approved for tenant " + s.tenant->name + use +
                " (or have the platform team add the role to the tenant's roles)",
            "role not approved for tenant " + ElideMiddle(s.tenant->name, 40));
  }
}


}  // namespace keyward
