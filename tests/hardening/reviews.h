// AdmissionReview requests as the kube-apiserver sends them, and the checks
// every answer must pass.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/hardening/tls_client.h"

namespace keyward::hardening {

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

}  // namespace keyward::hardening
