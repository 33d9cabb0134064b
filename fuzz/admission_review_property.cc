// An admission request body, as the server handles it: depth-bounded JSON
// parse, AdmissionReview decode, then mutation and validation under each
// fuzz policy, and the encoded responses.
//
// Properties: nothing throws or crashes; a malformed body gets an error that
// says something, and the HTTP error body is JSON; a decoded review's
// responses are JSON AdmissionReviews echoing apiVersion and uid; /mutate
// always allows and its base64 patch applies to the request's object;
// /validate's allowed matches the decision; warnings are capped in number and
// length.
#include <string>

#include "fuzz/fuzz_check.h"
#include "fuzz/properties.h"
#include "fuzz/fuzz_policies.h"
#include "webhook/admission_codec.h"
#include "webhook/base64.h"
#include "webhook/bounded_json.h"

namespace {

using keyward::fuzz::Require;
using Json = nlohmann::json;

Json ParseResponse(const std::string& body, const keyward::DecodedReview& review, std::string_view webhook) {
  Json out = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  const std::string where = std::string(webhook) + ": ";
  Require(out.is_object(), where + "the response is a JSON object", body);
  Require(out.value("apiVersion", "") == review.api_version, where + "the response echoes apiVersion", body);
  Require(out.value("kind", "") == "AdmissionReview", where + "the response is an AdmissionReview", body);
  Require(out.contains("response") && out["response"].is_object(), where + "the response has a response", body);
  const Json& response = out["response"];
  Require(response.value("uid", "") == review.uid, where + "the response echoes the uid", body);
  if (response.contains("warnings")) {
    Require(response["warnings"].size() <= keyward::kMaxWarnings, where + "at most kMaxWarnings warnings", body);
    for (const Json& w : response["warnings"]) {
      Require(w.is_string() && w.get_ref<const std::string&>().size() < 120, where + "warnings are short", body);
    }
  }
  return response;
}

void CheckMutate(const keyward::Policy& policy, const keyward::DecodedReview& review) {
  const keyward::MutationResult result = keyward::Mutate(policy, review.request);
  const Json response = ParseResponse(keyward::EncodeMutationReview(review, result), review, "mutate");
  Require(response.value("allowed", false), "mutate always allows");
  if (!response.contains("patch")) return;
  Require(response.value("patchType", "") == "JSONPatch", "a patch is a JSONPatch");
  const std::optional<std::string> patch_text = keyward::Base64Decode(response["patch"].get<std::string>());
  Require(patch_text.has_value(), "the patch is valid base64");
  const Json patch = Json::parse(*patch_text, nullptr, false);
  Require(patch.is_array() && !patch.empty(), "the patch is a non-empty JSON array", *patch_text);
  Require(review.request.object != nullptr, "a patch comes with an object");
  try {
    (void)review.request.object->patch(patch);
  } catch (const Json::exception& e) {
    keyward::fuzz::PropertyFailed("the patch applies to the request's object", e.what());
  }
}

void CheckValidate(const keyward::Policy& policy, const keyward::DecodedReview& review) {
  const keyward::ValidationResult result = keyward::Validate(policy, review.request);
  const Json response = ParseResponse(keyward::EncodeValidationReview(review, result), review, "validate");
  Require(response.value("allowed", !result.allowed) == result.allowed, "validate's allowed is the decision");
  if (!result.allowed) {
    Require(response.contains("status") && response["status"].value("code", 0) == 403, "a denial carries 403");
  }
}

}  // namespace

void keyward::fuzz::CheckAdmissionReview(const uint8_t* data, size_t size) {
  keyward::BoundedParseResult parsed = keyward::ParseBoundedJson(keyward::fuzz::AsText(data, size));
  if (!parsed.error.empty()) {
    Require(parsed.value.is_null(), "a failed parse keeps no partial value");
    const Json error = Json::parse(keyward::EncodeHttpError(400, parsed.error), nullptr, false);
    Require(error.is_object() && error.value("code", 0) == 400, "the HTTP error body is a JSON Status");
    return;
  }
  keyward::DecodedReview review;
  const std::string error = keyward::DecodeAdmissionReview(parsed.value, &review);
  if (!error.empty()) {
    const Json body = Json::parse(keyward::EncodeHttpError(400, error), nullptr, false);
    Require(body.is_object() && !body.value("message", "").empty(), "the HTTP error body is a JSON Status");
    return;
  }
  Require(!review.uid.empty(), "a decoded review has a uid");
  if (!review.sub_resource.empty()) {
    (void)ParseResponse(keyward::EncodeAllowedReview(review), review, "subresource");
    return;
  }
  for (const keyward::fuzz::FuzzPolicy& fp : keyward::fuzz::FuzzPolicies()) {
    CheckMutate(*fp.policy, review);
    CheckValidate(*fp.policy, review);
  }
}
