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

// The key fields `object` has or must have (present, or with their parent
// or anchor present; deprecated ones aside), inside an embedded pipeline
// definition too. The audit's KPI counts objects with at least one.
size_t KeyFieldCount(const CatalogKind& kind, const nlohmann::json& object);

// The purpose of the create-only key field at `path` of `object`, if that is
// one: the audit says such a key needs the resource recreated.
std::optional<KeyPurpose> CreateOnlyKeyAt(const CatalogKind& kind, const nlohmann::json& object,
                                          std::string_view path);

}  // namespace keyward
