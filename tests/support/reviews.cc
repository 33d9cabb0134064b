#include "tests/support/reviews.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "tests/support/files.h"

namespace keyward::testing {
namespace {

using Json = nlohmann::json;

bool DecodeBase64(const std::string& text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  std::string bytes(text.size() / 4 * 3, '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                   reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (size < 0) return false;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  bytes.resize(static_cast<size_t>(size) - padding);
  *out = std::move(bytes);
  return true;
}

}  // namespace

Json EndpointConfigWithoutKeys(const std::string& name) {
  Json variants = Json::array();
  for (int i = 0; i < 3; ++i) {
    variants.push_back({{"variantName", "variant-" + std::to_string(i)},
                        {"modelName", "model"},
                        {"instanceType", "ml.m5.large"},
                        {"initialInstanceCount", 1},
                        {"coreDumpConfig", {{"destinationS3URI", "s3://bucket/core-dumps"}}}});
  }
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "EndpointConfig"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"endpointConfigName", name},
            {"asyncInferenceConfig", {{"outputConfig", {{"s3OutputPath", "s3://bucket/async"}}}}},
            {"dataCaptureConfig",
             {{"enableCapture", true},
              {"initialSamplingPercentage", 10},
              {"destinationS3URI", "s3://bucket/capture"},
              {"captureOptions", Json::array({{{"captureMode", "Input"}}})}}},
            {"productionVariants", variants}}}};
}

std::string CreateReview(const Json& object, const std::string& ns, const std::string& uid) {
  Json with_namespace = object;
  with_namespace["metadata"]["namespace"] = ns;
  const Json review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", uid},
        {"kind", {{"group", "sagemaker.services.k8s.aws"}, {"version", "v1alpha1"}, {"kind", object["kind"]}}},
        {"resource", {{"group", "sagemaker.services.k8s.aws"}, {"version", "v1alpha1"}, {"resource", "endpointconfigs"}}},
        {"requestKind", {{"group", "sagemaker.services.k8s.aws"}, {"version", "v1alpha1"}, {"kind", object["kind"]}}},
        {"name", object["metadata"]["name"]},
        {"namespace", ns},
        {"operation", "CREATE"},
        {"userInfo", {{"username", "admin"}, {"groups", {"system:masters", "system:authenticated"}}}},
        {"object", with_namespace},
        {"oldObject", nullptr},
        {"dryRun", false},
        {"options", {{"apiVersion", "meta.k8s.io/v1"}, {"kind", "CreateOptions"}}}}}};
  return review.dump();
}

AdmissionAnswer ReadAdmissionAnswer(const HttpResponse& http, const std::string& uid, const Json& object) {
  AdmissionAnswer answer;
  if (http.status != 200) {
    answer.error = "HTTP " + std::to_string(http.status) + ": " + http.body.substr(0, 300);
    return answer;
  }
  const Json review = Json::parse(http.body, nullptr, false);
  if (!review.is_object() || review.value("kind", "") != "AdmissionReview" || !review.contains("response")) {
    answer.error = "not an AdmissionReview: " + http.body.substr(0, 300);
    return answer;
  }
  answer.response = review["response"];
  if (answer.response.value("uid", "") != uid) {
    answer.error = "uid " + answer.response.value("uid", "") + " answers request " + uid;
    return answer;
  }
  if (!answer.response.value("allowed", false)) {
    answer.error = "not allowed: " + answer.response.dump();
    return answer;
  }
  if (!answer.response.contains("patch")) return answer;
  std::string patch_text;
  if (!DecodeBase64(answer.response.value("patch", ""), &patch_text)) {
    answer.error = "the patch is not base64";
    return answer;
  }
  const Json patch = Json::parse(patch_text, nullptr, false);
  if (!patch.is_array()) {
    answer.error = "the patch is not a JSON array: " + patch_text;
    return answer;
  }
  try {
    (void)object.patch(patch);
  } catch (const Json::exception& e) {
    answer.error = std::string("the patch does not apply: ") + e.what();
    return answer;
  }
  for (const Json& op : patch) answer.patched[op.value("path", "")] = op.value("value", "");
  return answer;
}

Json LoadReviewFixture(const std::string& relative) {
  return Json::parse(ReadFile(std::string(KEYWARD_FIXTURES_DIR) + "/admission-reviews/" + relative));
}

Json DecodePatch(const Json& review) {
  const Json& response = review.at("response");
  if (!response.contains("patch")) return Json::array();
  EXPECT_EQ(response.value("patchType", ""), "JSONPatch");
  std::string text;
  if (!DecodeBase64(response.at("patch").get<std::string>(), &text)) {
    ADD_FAILURE() << "the patch is not base64";
    return Json::array();
  }
  return Json::parse(text);
}

std::set<std::string> DeniedCodes(const nlohmann::json& response) {
  std::set<std::string> codes;
  const std::string message = response.value("/status/message"_json_pointer, std::string());
  for (size_t open = message.find("] "); open != std::string::npos; open = message.find("] ", open + 1)) {
    const size_t at = message.find(" at ", open);
    if (at != std::string::npos) codes.insert(message.substr(open + 2, at - open - 2));
  }
  return codes;
}

}  // namespace keyward::testing
