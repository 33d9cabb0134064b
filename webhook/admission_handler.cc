#include "webhook/admission_handler.h"

#include <cctype>
#include <chrono>
#include <exception>
#include <vector>

#include "policy/evaluate.h"
#include "webhook/admission_codec.h"
#include "webhook/bounded_json.h"
#include "webhook/ignored_metadata.h"
#include "webhook/log.h"

namespace keyward {
namespace {

using Clock = std::chrono::steady_clock;

// How much of a malformed body the log may show.
constexpr size_t kLoggedBodyPrefix = 128;

struct Outcome {
  std::string_view decision;
  std::string tenant;
  std::vector<std::string> violation_codes;
  std::vector<std::string> injected_paths;
};

std::string_view DecisionOf(const ValidationResult& result) {
  if (!result.allowed) return kDecisionDenied;
  if (result.violations.empty()) return kDecisionAllowed;
  return result.enforcement == Enforcement::kAudit ? kDecisionAudited : kDecisionWarned;
}

int64_t MicrosecondsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

}  // namespace

std::string_view WebhookName(Webhook webhook) { return webhook == Webhook::kMutate ? "mutate" : "validate"; }

bool IsJsonContentType(std::string_view content_type) {
  std::string_view media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && (media_type.back() == ' ' || media_type.back() == '\t')) media_type.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  if (media_type.size() != kJson.size()) return false;
  for (size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media_type[i])) != kJson[i]) return false;
  }
  return true;
}

HttpReply AdmissionHandler::Handle(Webhook webhook, std::string_view content_type, std::string_view body) const {
  const Clock::time_point start = Clock::now();
  const std::string_view webhook_name = WebhookName(webhook);

  auto reject = [&](int status, std::string_view decision, const std::string& message) {
    metrics_->CountAdmission(webhook_name, "other", "unknown", decision,
                             std::chrono::duration<double>(Clock::now() - start).count());
    LogLine(status >= 500 ? "admission request failed" : "malformed admission request rejected")
        .Add("webhook", webhook_name)
        .Add("status", status)
        .Add("error", message)
        .Add("body_prefix", PrintablePrefix(body, kLoggedBodyPrefix))
        .Add("latency_us", MicrosecondsSince(start))
        .Warn();
    return HttpReply{status, EncodeHttpError(status, message)};
  };

  if (!IsJsonContentType(content_type)) {
    return reject(400, kDecisionInvalid,
                  "Content-Type is \"" + PrintablePrefix(content_type, 64) +
                      "\": send the AdmissionReview as application/json");
  }
  std::string trimmed;
  const bool was_trimmed = RemoveIgnoredMetadata(body, &trimmed);
  BoundedParseResult parsed = ParseBoundedJson(was_trimmed ? std::string_view(trimmed) : body);
  // On an error, judge the text as it was sent (and report positions in it).
  if (!parsed.error.empty() && was_trimmed) parsed = ParseBoundedJson(body);
  if (!parsed.error.empty()) return reject(400, kDecisionInvalid, "the body is not valid JSON: " + parsed.error);

  DecodedReview review;
  if (std::string error = DecodeAdmissionReview(parsed.value, &review); !error.empty()) {
    return reject(400, kDecisionInvalid, "not a valid AdmissionReview: " + error);
  }

  const AdmissionRequest& request = review.request;
  const std::string_view kind_label = KindLabel(request.group, request.kind);
  Outcome outcome;
  HttpReply reply;
  try {
    const std::shared_ptr<const Policy> policy = policies_->Current();
    if (!review.sub_resource.empty()) {
      outcome.decision = kDecisionSkipped;
      reply.body = EncodeAllowedReview(review);
    } else if (webhook == Webhook::kMutate) {
      MutationResult result = Mutate(*policy, request);
      outcome.decision = result.patch.empty() ? kDecisionUnchanged : kDecisionPatched;
      outcome.tenant = std::move(result.tenant);
      for (const Injection& injection : result.injected) {
        metrics_->CountInjection(kind_label, injection.purpose);
        outcome.injected_paths.push_back(injection.path);
      }
      reply.body = EncodeMutationReview(review, result);
    } else {
      ValidationResult result = Validate(*policy, request);
      outcome.decision = DecisionOf(result);
      for (const Violation& violation : result.violations) {
        metrics_->CountViolation(kind_label, violation.code);
        outcome.violation_codes.push_back(violation.code);
      }
      reply.body = EncodeValidationReview(review, result);
      outcome.tenant = std::move(result.tenant);
    }
  } catch (const std::exception& e) {
    return reject(500, kDecisionError, std::string("internal error while deciding: ") + e.what());
  }

  const std::string_view operation = OperationName(request.operation);
  metrics_->CountAdmission(webhook_name, kind_label, operation, outcome.decision,
                           std::chrono::duration<double>(Clock::now() - start).count());
  if (!LogEnabled(spdlog::level::info)) return reply;
  LogLine("admission decision")
      .Add("webhook", webhook_name)
      .Add("uid", review.uid)
      .Add("kind", request.kind)
      .Add("group", request.group)
      .Add("namespace", request.namespace_name)
      .Add("name", request.name)
      .Add("operation", operation)
      .Add("subresource", review.sub_resource)
      .Add("user", request.username)
      .Add("dryRun", request.dry_run)
      .Add("decision", outcome.decision)
      .Add("tenant", outcome.tenant)
      .Add("violations", outcome.violation_codes)
      .Add("injected", outcome.injected_paths)
      .Add("latency_us", MicrosecondsSince(start))
      .Info();
  return reply;
}

}  // namespace keyward
