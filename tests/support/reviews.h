// AdmissionReview requests as the kube-apiserver sends them (made here, or
// captured under tests/fixtures/admission-reviews/), and the checks every
// answer must pass. Patches are decoded independently of keyward's own
// base64 code.
#pragma once

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/tls_client.h"

namespace keyward::testing {

// An EndpointConfig with every KMS field empty and three production
// variants on EBS-only instances: mutation fills one volume field and five
// output fields.
nlohmann::json EndpointConfigWithoutKeys(const std::string& name);
inline constexpr size_t kEndpointConfigKmsFields = 6;

// A CREATE AdmissionReview (admission.k8s.io/v1) for `object` in `ns`.
std::string CreateReview(const nlohmann::json& object, const std::string& ns, const std::string& uid);

struct AdmissionAnswer {
  std::string error;  // empty when the answer is a well-formed AdmissionReview for `uid`
  nlohmann::json response;                       // review.response
  std::map<std::string, std::string> patched;    // JSON pointer -> injected value
};

// Checks HTTP 200, JSON, kind, uid echo, allowed; decodes the base64 patch
// (independently of keyward's own base64 code) and applies it to `object`.
AdmissionAnswer ReadAdmissionAnswer(const HttpResponse& http, const std::string& uid, const nlohmann::json& object);

// A captured review from tests/fixtures/admission-reviews/<relative>.
nlohmann::json LoadReviewFixture(const std::string& relative);
// The JSON patch of an AdmissionReview response (empty array if none); a
// test failure when it is not base64 JSONPatch.
nlohmann::json DecodePatch(const nlohmann::json& review);
// The violation codes a denial names (an AdmissionReview response): its
// message lists them as "[1] Code at path: message."
std::set<std::string> DeniedCodes(const nlohmann::json& response);

}  // namespace keyward::testing
