// The rules for one value, shared by every place a key or role can stand:
// a catalog field of a kind, a field inside a pipeline step, a pipeline
// execution's parameter. Internal to policy/rules: evaluate.h is the interface.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/catalog/catalog.h"
#include "policy/rules/decision.h"
#include "policy/model/policy.h"

namespace keyward {

// Everything the rules need about one request, resolved once.
struct Subject {
  const Policy& policy;
  const AdmissionRequest& request;
  const CatalogKind& kind;
  const Tenant* tenant;      // null when no tenant claims the namespace
  Enforcement key_level;     // the level of the key and role rules here
};

// What the rules found; each violation carries its own level.
struct Findings {
  explicit Findings(Enforcement level) : level(level) {}

  Enforcement level;  // of violations added with Add
  std::vector<Violation> violations;
  std::vector<std::string> warnings;

  void Add(std::string path, std::string_view code, std::string message, std::string summary,
           std::string owners = {}) {
    AddAt(level, std::move(path), code, std::move(message), std::move(summary), std::move(owners));
  }
  void AddAt(Enforcement at, std::string path, std::string_view code, std::string message, std::string summary,
             std::string owners = {}) {
    violations.push_back({std::move(path), std::string(code), std::move(message), std::move(summary),
                          std::move(owners), at});
  }
  void Append(Findings other) {
    for (Violation& v : other.violations) violations.push_back(std::move(v));
    for (std::string& w : other.warnings) warnings.push_back(std::move(w));
  }
};

// Findings with, for every place judged (each a violation path), what it
// was judged on: on UPDATE only places whose signature changed are judged.
struct SignedFindings {
  explicit SignedFindings(Enforcement level) : findings(level) {}
  Findings findings;
  std::map<std::string, std::string> signatures;
};

// "TrainingJob ns/name"
std::string KindAndName(const Subject& s);

// "keyward: <before><path><after>", at most kMaxWarningLength, shortening the
// path rather than the words around it, which carry the meaning.
std::string PathWarning(std::string_view before, const std::string& path, std::string_view after);

// The names of the tenants that own a key, role or network ("a, b"), and
// how the requester may read them: "tenant a, b", or "another tenant"
// under revealOtherTenants: false.
std::string OwnerNames(const std::vector<const Tenant*>& owners);
std::string Owners(const Subject& s, const std::string& names);

// A set volume key where `local_type` (an instance type with local NVMe
// storage, or "" for none) is covered: LocalStorageKey.
void CheckLocalStorage(LocalStorageRule rule, const std::string& path, const std::string& local_type, Findings& out);

// "tenant team-a's volume key arn:..." (or a generic hint with no tenant).
std::string TenantKeyHint(const Subject& s, KeyPurpose purpose);
// The same for a resource in `region`: the tenant's key there, or that it
// has none there and how to add one.
std::string TenantKeyHint(const Subject& s, KeyPurpose purpose, std::string_view region);
// The AWS account ACK makes the request's resources in, when its namespace
// says (services.k8s.aws/owner-account-id); "" otherwise.
std::string OwnerAccount(const Subject& s);
// True when a key of `account` may serve the resource: no owner account is
// known, it is the owner account, or the tenant's allowedKeyAccounts lists it.
bool KeyAccountAllowed(const Subject& s, std::string_view account);

// The tenant's key of `purpose` for a resource in `region`, or null when it
// lists none there (keys.regions), or when that key is of an account the
// resource may not use: nothing is injected then.
const std::string* TenantKeyIn(const Subject& s, KeyPurpose purpose, std::string_view region);

// Checks a key that is set, in the documented order: format, AWS-managed,
// ARN-only, then ownership and region independently. `accepted_forms`:
// the spellings AWS documents for the field (a warning names them); `use`:
// "; use ..." ending every message.
void CheckSetKey(const Subject& s, KeyForms accepted_forms, const std::string& path, const nlohmann::json& value,
                 const std::string& region, const std::string& use, Findings& out);

// A role that is set, against the tenants' roles: another tenant's role is
// ForeignRole everywhere; a role no tenant claims is UnapprovedRole where the
// requesting tenant lists its roles.
void CheckRoleText(const Subject& s, const std::string& path, const std::string& role, Findings& out);

}  // namespace keyward
