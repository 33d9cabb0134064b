#include "webhook/admission/as_the_apiserver.h"

#include "policy/base/text.h"
#include "webhook/admission/admission_codec.h"
#include "webhook/base/base64.h"
#include "webhook/base/json_member.h"

namespace keyward {
namespace {

// One webhook's answer, its response read as the apiserver reads it; null
// with run->error set when the apiserver would not take it.
nlohmann::json Call(Webhook webhook, const Policy& policy, const nlohmann::json& review, const AdmitOptions& options,
                    AdmissionOutcome* outcome, ApiServerRun* run) {
  *outcome = Admit(webhook, policy, "application/json", review.dump(), options);
  const std::string name(WebhookName(webhook));
  if (outcome->http_status != 200) {
    run->error = "the " + name + " webhook answered HTTP " + std::to_string(outcome->http_status) + ": " +
                 outcome->error;
    return nullptr;
  }
  nlohmann::json body = nlohmann::json::parse(outcome->body, nullptr, false);
  if (!body.is_object() || !body.contains("response") || !body["response"].is_object()) {
    run->error = "the " + name + " webhook answered no AdmissionReview response";
    return nullptr;
  }
  nlohmann::json response = std::move(body["response"]);
  if (const auto warnings = response.find("warnings"); warnings != response.end() && warnings->is_array()) {
    for (const nlohmann::json& warning : *warnings) {
      if (warning.is_string()) run->warnings.push_back(warning.get<std::string>());
    }
  }
  return response;
}

// The patch applied as the apiserver applies it; false, with the error,
// when it does not apply (the apiserver answers 500).
bool ApplyPatch(const nlohmann::json& response, nlohmann::json& request, ApiServerRun* run) {
  if (!request.contains("object") || !request["object"].is_object()) return true;  // a DELETE: nothing is stored
  run->patched = request["object"];
  const std::string encoded = StringMember(response, "patch");
  if (encoded.empty()) return true;
  std::optional<std::string> decoded = Base64Decode(encoded);
  run->patch = decoded ? nlohmann::json::parse(*decoded, nullptr, false) : nlohmann::json();
  if (!run->patch.is_array()) {
    run->error = "the mutating webhook's patch is not a base64 JSON Patch";
    return false;
  }
  try {
    run->patched = run->patched.patch(run->patch);
  } catch (const nlohmann::json::exception& e) {
    run->error = std::string("the mutating webhook's patch does not apply (the apiserver answers 500): ") + e.what();
    return false;
  }
  request["object"] = run->patched;
  return true;
}

}  // namespace

ApiServerRun AdmitAsTheApiServer(const Policy& policy, nlohmann::json review, const AdmitOptions& options) {
  ApiServerRun run;
  const nlohmann::json mutated = Call(Webhook::kMutate, policy, review, options, &run.mutation, &run);
  run.mutation_warnings = run.warnings.size();
  if (mutated.is_null() || !review.contains("request") || !ApplyPatch(mutated, review["request"], &run)) return run;
  const nlohmann::json validated = Call(Webhook::kValidate, policy, review, options, &run.validation, &run);
  if (const auto status = validated.is_object() ? validated.find("status") : validated.end();
      validated.is_object() && status != validated.end() && status->is_object()) {
    run.message = StringMember(*status, "message");
  }
  return run;
}

nlohmann::json ReviewFor(const nlohmann::json& object, const ReviewRequest& request) {
  const AdmissionRequest decoded = CreateRequestFor(object);
  std::string namespace_name = request.namespace_name;
  if (namespace_name.empty()) namespace_name = decoded.namespace_name;
  if (namespace_name.empty()) namespace_name = "default";
  std::string name = decoded.name;
  if (auto metadata = object.find("metadata"); name.empty() && metadata != object.end() && metadata->is_object()) {
    name = StringMember(*metadata, "generateName");
  }
  const CatalogKind* kind = FindCatalogKind(decoded.group, decoded.kind);
  const std::string resource = kind != nullptr ? std::string(kind->resource) : AsciiLower(decoded.kind) + "s";
  auto in_namespace = [&](nlohmann::json stored) {
    if (!request.write_namespace) return stored;
    if (auto metadata = stored.find("metadata"); metadata != stored.end() && metadata->is_object()) {
      (*metadata)["namespace"] = namespace_name;
    }
    return stored;
  };
  nlohmann::json review_request = {
      {"uid", request.uid},
      {"kind", {{"group", decoded.group}, {"version", decoded.version}, {"kind", decoded.kind}}},
      {"resource", {{"group", decoded.group}, {"version", decoded.version}, {"resource", resource}}},
      {"name", name},
      {"namespace", namespace_name},
      {"operation", OperationName(request.operation)},
      {"userInfo", {{"username", request.username}}},
      {"dryRun", false}};
  if (request.operation == Operation::kDelete) {
    review_request["oldObject"] = in_namespace(object);
  } else {
    review_request["object"] = in_namespace(object);
    if (request.old_object != nullptr) review_request["oldObject"] = in_namespace(*request.old_object);
  }
  return {{"apiVersion", kAdmissionV1}, {"kind", "AdmissionReview"}, {"request", std::move(review_request)}};
}

}  // namespace keyward
