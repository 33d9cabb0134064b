// The vocabulary of a decision: the request judged (AdmissionRequest), what
// is wrong with it (Violation), and what the webhooks answer (MutationResult,
// ValidationResult, Evaluation, Verdict). The rule families speak it and the
// orchestrator (evaluate.h) returns it; neither needs the other's header.
//
// Plain values: a result may be read from any thread once made.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/base/enum_words.h"
#include "policy/catalog/catalog.h"
#include "policy/catalog/violation_codes.h"
#include "policy/model/policy.h"

namespace keyward {

enum class Operation { kCreate, kUpdate, kDelete, kConnect };
inline constexpr EnumWord<Operation> kOperationWords[] = {{Operation::kCreate, "CREATE"},
                                                         {Operation::kUpdate, "UPDATE"},
                                                         {Operation::kDelete, "DELETE"},
                                                         {Operation::kConnect, "CONNECT"}};

// Parses CREATE/UPDATE/DELETE/CONNECT; false for anything else.
bool ParseOperation(std::string_view text, Operation* out);
std::string_view OperationName(Operation op);

// A Pipeline keyward knows of, for the PipelineExecutions that name it.
// Borrowed from the directory that found it, for the length of a decision.
struct KnownPipeline {
  const nlohmann::json* object = nullptr;          // the Pipeline (ACK's group)
  std::string namespace_name;                      // where it is
  const NamespaceInfo* namespace_info = nullptr;   // that namespace's context, if known
  // What the pointers point into, when the directory may replace it while
  // a decision runs (the server's watched Pipelines); else empty.
  std::shared_ptr<const void> keep_alive = {};
};

// The Pipelines keyward knows: `keyward check`'s inputs, the server's
// watch. Find takes a SageMaker pipeline name (PipelineNameOf has made an
// ARN a name) and compares it with each Pipeline's spec.pipelineName as
// SageMaker does, ignoring case.
class PipelineDirectory {
 public:
  virtual ~PipelineDirectory() = default;
  virtual std::optional<KnownPipeline> Find(std::string_view pipeline_name) const = 0;
};

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
  // The cluster's view of the namespace (labels, annotations), when the
  // cluster context is on; null: decided from the namespace's name alone.
  // Borrowed, like the objects.
  const NamespaceInfo* namespace_info = nullptr;
  // The Pipelines a PipelineExecution may name; null: not known, and an
  // execution's parameters are judged by their values alone.
  const PipelineDirectory* pipelines = nullptr;
  const nlohmann::json* object = nullptr;      // null on DELETE
  const nlohmann::json* old_object = nullptr;  // set on UPDATE and DELETE
};

// The request a CREATE of `object` (a manifest, or an object as stored)
// makes: group and version from apiVersion ("v1" is the core group's),
// kind, and metadata's namespace and name. The object comes from outside,
// so a member missing or of another type reads as "". The caller fills in
// what the object does not say (a default namespace, the user). `object` is
// borrowed: it must outlive the request.
AdmissionRequest CreateRequestFor(const nlohmann::json& object);

struct Violation {
  std::string path;     // concrete field path, e.g. spec.productionVariants[1].coreDumpConfig.kmsKeyID
  std::string code;     // one of the codes of policy/catalog/violation_codes.h
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

// Mutation and validation together, as the apiserver runs them (Evaluate()).
struct Evaluation {
  MutationResult mutation;
  ValidationResult validation;
  nlohmann::json mutated_object;  // the object after the patch (null if none)
};

// Caps a warning at the length the apiserver and kubectl display well.
inline constexpr size_t kMaxWarningLength = 119;

}  // namespace keyward
