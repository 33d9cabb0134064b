#include "webhook/server/admission_handler.h"

#include <chrono>

#include "webhook/base/printable.h"
#include "webhook/observe/log.h"

namespace keyward {
namespace {

using Clock = std::chrono::steady_clock;

// How much of a malformed body the log may show.
constexpr size_t kLoggedBodyPrefix = 128;

int64_t MicrosecondsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

}  // namespace

HttpReply AdmissionHandler::Handle(Webhook webhook, std::string_view content_type, std::string_view body) const {
  const Clock::time_point start = Clock::now();
  const std::string_view webhook_name = WebhookName(webhook);
  const std::shared_ptr<const Policy> policy = policies_->Current();
  AdmitOptions options;
  if (cluster_ != nullptr) {
    options.namespaces = cluster_;
    options.pipelines = cluster_->pipelines();
  }
  AdmissionOutcome outcome = Admit(webhook, *policy, content_type, body, options);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  if (outcome.http_status != 200) {
    metrics_->CountAdmission(webhook_name, "other", "unknown", outcome.decision, seconds);
    LogLine(outcome.http_status >= 500 ? "admission request failed" : "malformed admission request rejected")
        .Add("webhook", webhook_name)
        .Add("status", outcome.http_status)
        .Add("error", outcome.error)
        .Add("body_prefix", PrintablePrefix(body, kLoggedBodyPrefix))
        .Add("latency_us", MicrosecondsSince(start))
        .Warn();
    return HttpReply{outcome.http_status, std::move(outcome.body)};
  }

  if (outcome.namespace_lookup) metrics_->CountNamespaceLookup(*outcome.namespace_lookup);
  const std::string_view kind_label = KindLabel(outcome.group, outcome.kind);
  const std::string_view operation = OperationName(outcome.operation);
  for (const Injection& injection : outcome.injected) metrics_->CountInjection(kind_label, injection.purpose);
  for (const Violation& violation : outcome.violations) metrics_->CountViolation(kind_label, violation.code);
  metrics_->CountAdmission(webhook_name, kind_label, operation, outcome.decision, seconds);
  // A request denied for want of its namespace is the operator's concern:
  // it is logged as a warning, at any log level.
  const bool unavailable = outcome.decision == kDecisionUnavailable;
  if (unavailable || LogEnabled(spdlog::level::info)) {
    std::vector<std::string> injected_paths;
    for (const Injection& injection : outcome.injected) injected_paths.push_back(injection.path);
    LogLine line(unavailable ? "admission request denied: its namespace could not be learnt" : "admission decision");
    line.Add("webhook", webhook_name)
        .Add("uid", outcome.uid)
        .Add("kind", outcome.kind)
        .Add("group", outcome.group)
        .Add("namespace", outcome.namespace_name)
        .Add("name", outcome.name)
        .Add("operation", operation)
        .Add("subresource", outcome.sub_resource)
        .Add("user", outcome.username)
        .Add("dryRun", outcome.dry_run)
        .Add("decision", outcome.decision)
        .Add("tenant", outcome.tenant)
        .Add("violations", CodesOf(outcome))
        .Add("otherTenants", outcome.other_tenants)
        .Add("injected", injected_paths)
        .Add("latency_us", MicrosecondsSince(start));
    if (unavailable) {
      line.Warn();
    } else {
      line.Info();
    }
  }
  return HttpReply{200, std::move(outcome.body)};
}

}  // namespace keyward
