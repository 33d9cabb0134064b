// One admission request, from HTTP body to HTTP reply: checks the content
// type, parses with a depth bound, decodes the review, asks the core for the
// decision under the current policy, encodes the answer, and records the
// decision in the metrics and the log. No sockets here, so it is testable
// and reusable by any transport.
#pragma once

#include <string>
#include <string_view>

#include "webhook/policy_store.h"
#include "webhook/server_metrics.h"

namespace keyward {

enum class Webhook { kMutate, kValidate };
std::string_view WebhookName(Webhook webhook);

// Values of the `decision` metric label and log field.
inline constexpr std::string_view kDecisionPatched = "patched";      // mutate: a non-empty patch
inline constexpr std::string_view kDecisionUnchanged = "unchanged";  // mutate: nothing to inject
inline constexpr std::string_view kDecisionAllowed = "allowed";      // validate: no violation
inline constexpr std::string_view kDecisionDenied = "denied";        // validate: enforcement deny
inline constexpr std::string_view kDecisionWarned = "warned";        // validate: enforcement warn
inline constexpr std::string_view kDecisionAudited = "audited";      // validate: enforcement audit
inline constexpr std::string_view kDecisionSkipped = "skipped";      // a subresource, allowed untouched
inline constexpr std::string_view kDecisionInvalid = "invalid";      // HTTP 400, no review decoded
inline constexpr std::string_view kDecisionError = "error";          // HTTP 500

struct HttpReply {
  int status = 200;
  std::string body;  // always JSON
};

class AdmissionHandler {
 public:
  AdmissionHandler(const PolicyStore* policies, ServerMetrics* metrics) : policies_(policies), metrics_(metrics) {}

  HttpReply Handle(Webhook webhook, std::string_view content_type, std::string_view body) const;

 private:
  const PolicyStore* policies_;
  ServerMetrics* metrics_;
};

// True when the media type of a Content-Type header is application/json
// (parameters such as charset are ignored, case does not matter).
bool IsJsonContentType(std::string_view content_type);

}  // namespace keyward
