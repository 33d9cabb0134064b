// The admission pipeline: one request body in, one HTTP answer out.
//
//   content type -> parse and decode the AdmissionReview (simdjson, the
//   envelope read directly and only the objects built as nlohmann::json,
//   leaving out what no rule reads; for anything that refuses, every error
//   included: the whole review as nlohmann::json, by simdjson or else, after
//   stripping ignored metadata, the depth-bounded nlohmann parse, then the
//   decoder, whose messages users see) -> the core decides
//   (policy/rules/evaluate.h) -> encode the answer
//
// A pure function of (webhook, policy, content type, body, namespace
// source): no clock, no metrics, no log, no sockets of its own (the server's
// namespace source may read the API server). The server records what the outcome says
// (server/admission_handler.cc); the fuzz target and the handler bench call
// this same function, so what they exercise is what the server runs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/rules/evaluate.h"
#include "webhook/admission/namespace_source.h"

namespace keyward {

enum class Webhook { kMutate, kValidate };
std::string_view WebhookName(Webhook webhook);  // mutate, validate

// Values of the `decision` metric label and log field. A validation's
// decision is its VerdictName (allowed, warned, audited, denied).
inline constexpr std::string_view kDecisionPatched = "patched";      // mutate: a non-empty patch
inline constexpr std::string_view kDecisionUnchanged = "unchanged";  // mutate: nothing to inject
inline constexpr std::string_view kDecisionSkipped = "skipped";      // a subresource, allowed untouched
inline constexpr std::string_view kDecisionInvalid = "invalid";      // HTTP 400, no review decoded
inline constexpr std::string_view kDecisionError = "error";          // HTTP 500
// Denied because the request's namespace could not be learnt (cluster
// context on); the message asks to retry.
inline constexpr std::string_view kDecisionUnavailable = "unavailable";

struct AdmissionOutcome {
  int http_status = 200;
  std::string body;           // always JSON: an AdmissionReview, or a Status on an HTTP error
  std::string_view decision;  // one of the kDecision* values or a VerdictName
  std::string error;          // on an HTTP error: what was wrong with the request

  // What was decided about, once a review was decoded (copied: the parsed
  // document does not outlive Admit).
  bool decoded = false;
  std::string api_version;  // admission.k8s.io/v1 or v1beta1, echoed in the answer
  std::string uid;
  std::string group;
  std::string kind;
  std::string namespace_name;
  std::string name;
  std::string sub_resource;
  std::string username;
  Operation operation = Operation::kCreate;
  bool dry_run = false;
  std::string tenant;
  std::vector<Violation> violations;  // validate: every violation, each at its own level
  // validate: the strictest level that applied (ValidationResult::enforcement).
  Enforcement enforcement = Enforcement::kDeny;
  // validate: what keyward says of the request as a whole (exempt and
  // skipped included), as `keyward check` and `keyward test` report it.
  Outcome outcome = Outcome::kAllowed;
  // validate: the other tenants named by ForeignKey/ForeignRole violations, each once,
  // for the decision log (the platform team's), whatever revealOtherTenants says.
  std::vector<std::string> other_tenants;
  std::vector<Injection> injected;           // mutate (keys included)
  std::vector<std::string> guardrails_set;   // mutate: fields set to a guardrail's safe value
  // With cluster context on, how the namespace was learnt (for the metric).
  std::optional<LookupSource> namespace_lookup;
};

struct AdmitOptions {
  // Leave out managedFields and the last-applied annotation (and, on the
  // fast path, the objects' status but for status.ackResourceMetadata) when parsing: they are large and never
  // read. Off only for the oracle that checks leaving them out never changes
  // a decision.
  bool strip_ignored_metadata = true;
  // Parse with simdjson first (fast_review.h), falling back to the nlohmann
  // parser. Off only for the tests that check it never changes an answer.
  bool fast_decode = true;
  // Cluster context: where the request's namespace is learnt. Null: off,
  // decisions from names alone. Not owned; outlives the call.
  const NamespaceSource* namespaces = nullptr;
  // The Pipelines PipelineExecutions may name (the server's watched ones).
  // Null: executions are judged by their values alone.
  const PipelineDirectory* pipelines = nullptr;
};

// The codes of the outcome's violations, in order (for the decision log).
std::vector<std::string> CodesOf(const AdmissionOutcome& outcome);

AdmissionOutcome Admit(Webhook webhook, const Policy& policy, std::string_view content_type, std::string_view body,
                       const AdmitOptions& options = {});

// True when the media type of a Content-Type header is application/json
// (parameters such as charset are ignored, case does not matter).
bool IsJsonContentType(std::string_view content_type);

}  // namespace keyward
