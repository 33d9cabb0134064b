// The decision keyward makes for one admission request: which KMS fields to
// fill (mutation) and whether the object is acceptable (validation).
//
// Pure functions of (policy, request): no I/O, no clock, no globals, so the
// CLI (`keyward check`) and the admission server share exactly one copy of
// the rules.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/catalog.h"
#include "policy/policy.h"

namespace keyward {

enum class Operation { kCreate, kUpdate, kDelete, kConnect };
inline constexpr EnumWord<Operation> kOperationWords[] = {{Operation::kCreate, "CREATE"},
                                                         {Operation::kUpdate, "UPDATE"},
                                                         {Operation::kDelete, "DELETE"},
                                                         {Operation::kConnect, "CONNECT"}};

// Parses CREATE/UPDATE/DELETE/CONNECT; false for anything else.
bool ParseOperation(std::string_view text, Operation* out);
std::string_view OperationName(Operation op);

// What the apiserver tells us about a request, decoded by the caller. The
// objects are borrowed: they must outlive the call.
struct AdmissionRequest {
  std::string group;  // e.g. sagemaker.services.k8s.aws
  std::string version;
  std::string kind;
  std::string namespace_name;
  std::string name;
  Operation operation = Operation::kCreate;
  std::string sub_resource;  // e.g. "status" or "scale"; empty for the object itself
  std::string username;
  bool dry_run = false;
  const nlohmann::json* object = nullptr;      // null on DELETE
  const nlohmann::json* old_object = nullptr;  // set on UPDATE and DELETE
};

// Stable violation codes (a public contract: CLI JSON output, metrics).
inline constexpr std::string_view kMissingKey = "MissingKey";
inline constexpr std::string_view kAwsManagedKey = "AwsManagedKey";
inline constexpr std::string_view kKeyFormat = "KeyFormat";
inline constexpr std::string_view kForeignKey = "ForeignKey";
inline constexpr std::string_view kUnapprovedKey = "UnapprovedKey";
inline constexpr std::string_view kRegionMismatch = "RegionMismatch";
inline constexpr std::string_view kLocalStorageKey = "LocalStorageKey";
inline constexpr std::string_view kImmutableKey = "ImmutableKey";
inline constexpr std::string_view kNoTenant = "NoTenant";
inline constexpr std::string_view kForeignRole = "ForeignRole";
inline constexpr std::string_view kUnapprovedRole = "UnapprovedRole";
inline constexpr std::string_view kPipelineDefinition = "PipelineDefinition";
inline constexpr std::string_view kOpaqueStep = "OpaqueStep";
// Every code, once (the guardrails' are in guardrails.h): the metrics'
// bounded `code` label is this list.
inline constexpr std::array kViolationCodes = {
    kMissingKey,     kAwsManagedKey,      kKeyFormat,       kForeignKey,
    kUnapprovedKey,  kRegionMismatch,     kLocalStorageKey, kImmutableKey,
    kNoTenant,       kForeignRole,        kUnapprovedRole,  kPipelineDefinition,
    kOpaqueStep,     kNetworkIsolationCode, kInterContainerEncryptionCode, kVpcRequired,
    kUnapprovedNetwork, kNotebookExposureCode, kDomainNetworkCode, kPublicWorkforceCode,
    kInteractiveAccessCode, kUnapprovedImage};

struct Violation {
  std::string path;     // concrete field path, e.g. spec.productionVariants[1].coreDumpConfig.kmsKeyID
  std::string code;     // one of the codes above
  std::string message;  // names the field, the offending value and the fix
  std::string summary;  // a few words, for warnings that must stay short
  // The other tenants that own the key or role (ForeignKey, ForeignRole),
  // for the platform team's decision log. Never shown to the requester:
  // message and summary name them only under revealOtherTenants.
  std::string owners = {};
  // The level this violation applies at: the key rules' enforcement, or
  // the level of its own rule (pipelines.opaqueSteps).
  Enforcement enforcement = Enforcement::kDeny;
};

struct Injection {
  std::string path;  // concrete field path
  KeyPurpose purpose;
  std::string key;
};

struct MutationResult {
  std::string tenant;               // empty when no tenant claims the namespace
  nlohmann::json patch = nlohmann::json::array();  // RFC 6902 ops (paths RFC 6901 escaped)
  std::vector<Injection> injected;  // also the fields carried forward on UPDATE
  std::vector<std::string> guardrails_set;  // fields set to a guardrail's safe value (or carried forward)
  std::vector<std::string> warnings;  // one per injected field, < 120 chars
};

struct ValidationResult {
  std::string tenant;
  bool allowed = true;  // false when any violation is at deny
  // The strictest level among the violations; with none, the key rules' level.
  Enforcement enforcement = Enforcement::kDeny;
  std::vector<Violation> violations;
  std::vector<std::string> warnings;  // each < 120 chars
  std::string message;  // deny message listing every violation; empty if allowed
};

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

// What a validation result means for the request. The names are the
// server's `decision` metric label and log field, and `keyward check`'s
// verdict.
enum class Verdict { kAllowed, kWarned, kAudited, kDenied };
inline constexpr EnumWord<Verdict> kVerdictWords[] = {{Verdict::kAllowed, "allowed"},
                                                     {Verdict::kWarned, "warned"},
                                                     {Verdict::kAudited, "audited"},
                                                     {Verdict::kDenied, "denied"}};
Verdict VerdictOf(const ValidationResult& result);
std::string_view VerdictName(Verdict verdict);  // allowed, warned, audited, denied

// Both, as the apiserver runs them: mutate, apply the patch, validate the
// result. Used by `keyward check`.
struct Evaluation {
  MutationResult mutation;
  ValidationResult validation;
  nlohmann::json mutated_object;  // the object after the patch (null if none)
};
Evaluation Evaluate(const Policy& policy, const AdmissionRequest& request);

// The key fields `object` has or must have (present, or with their parent
// or anchor present; deprecated ones aside), inside an embedded pipeline
// definition too. The audit's KPI counts objects with at least one.
size_t KeyFieldCount(const CatalogKind& kind, const nlohmann::json& object);

// The purpose of the create-only key field at `path` of `object`, if that is
// one: the audit says such a key needs the resource recreated.
std::optional<KeyPurpose> CreateOnlyKeyAt(const CatalogKind& kind, const nlohmann::json& object,
                                          std::string_view path);

// Caps a warning at the length the apiserver and kubectl display well.
inline constexpr size_t kMaxWarningLength = 119;

}  // namespace keyward
