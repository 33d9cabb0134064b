// The decision keyward makes for one admission request: which KMS fields to
// fill (mutation) and whether the object is acceptable (validation).
//
// Pure functions of (policy, request): no I/O, no clock, no globals, so the
// CLI (`keyward check`) and the admission server share exactly one copy of
// the rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/catalog/catalog.h"
#include "policy/model/policy.h"
#include "policy/rules/decision.h"

namespace keyward {

// A request for a subresource (status, scale) is never judged: it cannot
// change a key field, and the ACK controller's status writes must never be
// blocked. Both webhooks allow it untouched.
bool IsSubresourceRequest(const AdmissionRequest& request);

// The catalog kind of a request keyward judges, or null for one it lets
// through untouched: a kind outside the catalog, DELETE and CONNECT (nothing
// is stored), a subresource, a namespace in exemptNamespaces. The one scope
// rule of both webhooks.
const CatalogKind* JudgedKind(const Policy& policy, const AdmissionRequest& request);

// What the mutating webhook does: fill empty KMS fields (CREATE) or carry
// create-only keys forward from the stored object (UPDATE). An anchored
// field whose parent objects are missing gets them in the same `add`.
// Roles are never injected.
MutationResult Mutate(const Policy& policy, const AdmissionRequest& request);

// What the validating webhook does, on the object as it will be stored.
ValidationResult Validate(const Policy& policy, const AdmissionRequest& request);

// Both, as the apiserver runs them: mutate, apply the patch, validate the
// result. Used by `keyward check`.
Evaluation Evaluate(const Policy& policy, const AdmissionRequest& request);

// What keyward says of a request as a whole: the validation's verdict, or
// that it does not judge the object at all: an exempt namespace, or a kind
// of a SageMaker API group that is not in the catalog (a misspelt kind, a
// kind keyward does not know yet). Kinds of other groups never reach the
// webhooks; they are kAllowed. `keyward check` prints it.
enum class Outcome { kAllowed, kWarned, kAudited, kDenied, kExempt, kSkipped };
inline constexpr EnumWord<Outcome> kOutcomeWords[] = {
    {Outcome::kAllowed, "allowed"}, {Outcome::kWarned, "warned"}, {Outcome::kAudited, "audited"},
    {Outcome::kDenied, "denied"},   {Outcome::kExempt, "exempt"}, {Outcome::kSkipped, "skipped"}};
Outcome OutcomeOf(const Policy& policy, const AdmissionRequest& request, const ValidationResult& validation);
// Why a kSkipped request is skipped, naming the nearest catalog kind.
std::string SkipReason(const AdmissionRequest& request);

// The key mutation sets in an empty key field of `purpose` of the request's
// object (which must be set): the tenant's key in the resource's region (the
// resource's services.k8s.aws/region, the namespace's default-region, the
// tenant's region), or null where the tenant lists none there or only one
// of an account the resource may not use.
const std::string* InjectedKey(const Policy& policy, const AdmissionRequest& request, const CatalogKind& kind,
                               const Tenant& tenant, KeyPurpose purpose);

// The key fields `object` has or must have (present, or with their parent
// or anchor present; deprecated ones aside), inside an embedded pipeline
// definition too. The audit's KPI counts objects with at least one.
size_t KeyFieldCount(const CatalogKind& kind, const nlohmann::json& object);

// A key field left without a key because SageMaker refuses one there: the
// audit reports the object compliant, with this reason.
struct RefusedKeyPlace {
  std::string path;    // concrete field path
  std::string reason;  // "local storage is hardware-encrypted; no customer key is possible", ...
};
// The empty key fields of `object` that no rule demands because SageMaker
// refuses a key there (local NVMe instance types, refused_fields.h). Output
// to S3 Express One Zone is not among them: it is S3ExpressOutput.
std::vector<RefusedKeyPlace> KeysSageMakerRefuses(const Policy& policy, const CatalogKind& kind,
                                                  const nlohmann::json& object);

// The purpose of the create-only key field at `path` of `object`, if that is
// one: the audit says such a key needs the resource recreated.
std::optional<KeyPurpose> CreateOnlyKeyAt(const CatalogKind& kind, const nlohmann::json& object,
                                          std::string_view path);

}  // namespace keyward
