// Decoding AdmissionReview requests and encoding AdmissionReview responses
// (admission.k8s.io/v1 and v1beta1, which share one wire shape).
//
// The codec knows the wire format only; what to decide is the core's job
// (policy/rules/evaluate.h). Responses echo the request's apiVersion and uid, as the
// apiserver requires.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policy/rules/evaluate.h"
#include "webhook/base/status.h"

namespace keyward {

inline constexpr std::string_view kAdmissionV1 = "admission.k8s.io/v1";
inline constexpr std::string_view kAdmissionV1beta1 = "admission.k8s.io/v1beta1";

struct DecodedReview {
  std::string api_version;
  std::string uid;
  AdmissionRequest request;  // object pointers borrow from the decoded review
};

// admission.k8s.io/v1 or v1beta1: the versions keyward decodes and answers.
bool IsAdmissionApiVersion(std::string_view api_version);

// What the decoder requires of a decoded request's objects: request.object
// on CREATE and UPDATE, request.oldObject on UPDATE, nothing for a
// subresource. The failure names the missing member.
Status CheckRequestObjects(const AdmissionRequest& request);

// Fills *out from `review`; the review must outlive *out. A failure is one
// sentence naming the offending field and what it should be.
Status DecodeAdmissionReview(const nlohmann::json& review, DecodedReview* out);

// /mutate: always allowed; the patch (base64 JSONPatch) only when non-empty.
std::string EncodeMutationReview(const DecodedReview& review, const MutationResult& result);

// /validate: deny -> allowed:false with a 403 status; warn -> warnings;
// audit -> auditAnnotations.
std::string EncodeValidationReview(const DecodedReview& review, const ValidationResult& result);

// Denied before any rule ran, for a reason that passes (a namespace not
// learnt yet): a 503 ServiceUnavailable status, so the user retries.
std::string EncodeUnavailableReview(const DecodedReview& review, std::string_view message);

// Allowed without looking (subresources such as /status).
std::string EncodeAllowedReview(const DecodedReview& review);

// The JSON body of an HTTP error, shaped like a Kubernetes Status.
std::string EncodeHttpError(int http_status, std::string_view message);

// Audit annotation keys: the apiserver prefixes them with the webhook's name
// ("<webhook>/<key>"), so each must be a bare qualified-name part.
inline constexpr std::string_view kAuditTenantKey = "tenant";
inline constexpr std::string_view kAuditEnforcementKey = "enforcement";
inline constexpr std::string_view kAuditViolationsKey = "violations";
// Audit events are stored per request: keep each value short.
inline constexpr size_t kMaxAuditValueLength = 1024;
// kubectl prints every warning; past this many, one line summarises the rest.
inline constexpr size_t kMaxWarnings = 20;

}  // namespace keyward
