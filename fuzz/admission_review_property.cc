// An admission request body through the server's own pipeline (Admit:
// metadata stripping, depth-bounded parse, decode, decide, encode) for both
// webhooks under each fuzz policy.
//
// Properties: nothing throws or crashes; a malformed body gets a 400 (never
// a 500) whose JSON Status says what was wrong; a decided review's answer is
// an AdmissionReview echoing the uid; /mutate always allows and its base64
// patch applies to the request's object; /validate's allowed matches the
// verdict; only subresources are skipped; warnings are capped in number and
// length; stripping ignored metadata never changes the answer to a request
// that is valid as sent; the fast parse (fast_review.h) never changes any
// answer, errors included.
#include <string>

#include "fuzz/fuzz_check.h"
#include "fuzz/properties.h"
#include "fuzz/fuzz_policies.h"
#include "webhook/admission/admission_codec.h"
#include "webhook/admission/admit.h"
#include "webhook/base/base64.h"
#include "webhook/base/bounded_json.h"

namespace {

using keyward::fuzz::Require;
using Json = nlohmann::json;

Json ParseResponse(const std::string& body, const keyward::AdmissionOutcome& review, std::string_view webhook) {
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

// /mutate always allows, and its patch applies to the request's object.
void CheckMutate(const keyward::AdmissionOutcome& outcome, const Json& response, const Json& request_object) {
  Require(response.value("allowed", false), "mutate always allows");
  if (!response.contains("patch")) {
    Require(outcome.decision != keyward::kDecisionPatched, "a patched decision carries a patch");
    return;
  }
  Require(outcome.decision == keyward::kDecisionPatched, "a patch means a patched decision");
  Require(response.value("patchType", "") == "JSONPatch", "a patch is a JSONPatch");
  const std::optional<std::string> patch_text = keyward::Base64Decode(response["patch"].get<std::string>());
  Require(patch_text.has_value(), "the patch is valid base64");
  const Json patch = Json::parse(*patch_text, nullptr, false);
  Require(patch.is_array() && !patch.empty(), "the patch is a non-empty JSON array", *patch_text);
  Require(request_object.is_object(), "a patch comes with an object");
  try {
    (void)request_object.patch(patch);
  } catch (const Json::exception& e) {
    keyward::fuzz::PropertyFailed("the patch applies to the request's object", e.what());
  }
}

// /validate's allowed is the verdict, and a denial carries 403.
void CheckValidate(const keyward::AdmissionOutcome& outcome, const Json& response) {
  const bool denied = outcome.decision == keyward::VerdictName(keyward::Verdict::kDenied);
  Require(response.value("allowed", denied) == !denied, "validate's allowed is the verdict");
  if (denied) {
    Require(response.contains("status") && response["status"].value("code", 0) == 403, "a denial carries 403");
  }
}

}  // namespace

void keyward::fuzz::CheckAdmissionReview(const uint8_t* data, size_t size) {
  const std::string_view body = keyward::fuzz::AsText(data, size);
  // The request's object, for applying patches (the pipeline keeps none).
  const keyward::Result<Json> parsed = keyward::ParseBoundedJson(body);
  const Json* request = parsed.ok() && parsed.value().is_object() ? &parsed.value() : nullptr;
  const Json no_object;
  const Json& object = request != nullptr && request->contains("request") && (*request)["request"].is_object() &&
                               (*request)["request"].contains("object")
                           ? (*request)["request"]["object"]
                           : no_object;
  for (const keyward::fuzz::FuzzPolicy& fp : keyward::fuzz::FuzzPolicies()) {
    for (keyward::Webhook webhook : {keyward::Webhook::kMutate, keyward::Webhook::kValidate}) {
      const keyward::AdmissionOutcome outcome = keyward::Admit(webhook, *fp.policy, "application/json", body);
      if (outcome.http_status != 200) {
        Require(outcome.http_status == 400, "a malformed body is a 400, never a 500", outcome.error);
        Require(!outcome.error.empty(), "an HTTP error says what was wrong");
        const Json status = Json::parse(outcome.body, nullptr, false);
        Require(status.is_object() && status.value("code", 0) == 400 && !status.value("message", "").empty(),
                "the HTTP error body is a JSON Status", outcome.body);
      } else {
        Require(outcome.decoded && !outcome.uid.empty(), "a decided review has a uid");
        const Json response = ParseResponse(outcome.body, outcome, keyward::WebhookName(webhook));
        if (outcome.decision == keyward::kDecisionSkipped) {
          Require(!outcome.sub_resource.empty(), "only subresources are skipped");
          Require(response.value("allowed", false), "a skipped request is allowed");
        } else if (webhook == keyward::Webhook::kMutate) {
          CheckMutate(outcome, response, object);
        } else {
          CheckValidate(outcome, response);
        }
      }
      // The fast parse only shortcuts the slow one, whose errors it keeps.
      const keyward::AdmissionOutcome slow =
          keyward::Admit(webhook, *fp.policy, "application/json", body, {.fast_decode = false});
      Require(outcome.http_status == slow.http_status && outcome.body == slow.body &&
                  outcome.decision == slow.decision && outcome.error == slow.error,
              "the fast parse never changes an answer", outcome.body + "\n" + slow.body);
      // managedFields and the last-applied annotation are stripped from the
      // text before parsing: that must never change an answer to a request
      // that is valid as sent.
      const keyward::AdmissionOutcome unstripped =
          keyward::Admit(webhook, *fp.policy, "application/json", body, {.strip_ignored_metadata = false});
      if (unstripped.http_status == 200) {
        Require(outcome.http_status == 200 && outcome.body == unstripped.body &&
                    outcome.decision == unstripped.decision,
                "stripping ignored metadata never changes a decision", outcome.body + "\n" + unstripped.body);
      }
    }
  }
}
