#include "webhook/cli/test_runner.h"

#include <algorithm>
#include <set>

#include "webhook/admission/admit.h"
#include "webhook/base/base64.h"
#include "webhook/base/json_member.h"

namespace keyward {
namespace {

// The suite's Namespace objects, answered as the server's watched cache
// answers; a namespace the suite does not list is decided from its name
// alone, as `keyward check` does.
class SuiteNamespaces : public NamespaceSource {
 public:
  explicit SuiteNamespaces(const NamespaceContext& namespaces) : namespaces_(namespaces) {}
  NamespaceLookup Lookup(std::string_view name) const override {
    // Borrowed: the suite outlives every case it runs.
    return {LookupSource::kCache, std::shared_ptr<const NamespaceInfo>(std::shared_ptr<void>(), namespaces_.Find(name)),
            ""};
  }

 private:
  const NamespaceContext& namespaces_;
};

// One webhook's answer, as the apiserver reads it.
struct WebhookAnswer {
  AdmissionOutcome outcome;
  nlohmann::json response;  // the AdmissionReview's response
};

std::optional<WebhookAnswer> Call(Webhook webhook, const TestSuite& suite, const nlohmann::json& review,
                                  CaseRun* run) {
  SuiteNamespaces namespaces(suite.namespaces);
  AdmitOptions options;
  if (suite.namespaces.size() != 0) options.namespaces = &namespaces;
  if (!suite.pipelines.empty()) options.pipelines = &suite.pipelines;
  WebhookAnswer answer{Admit(webhook, *suite.policy, "application/json", review.dump(), options), {}};
  const std::string name(WebhookName(webhook));
  if (answer.outcome.http_status != 200) {
    run->error = "the " + name + " webhook answered HTTP " + std::to_string(answer.outcome.http_status) + ": " +
                 answer.outcome.error;
    return std::nullopt;
  }
  const nlohmann::json body = nlohmann::json::parse(answer.outcome.body, nullptr, false);
  if (!body.is_object() || !body.contains("response") || !body["response"].is_object()) {
    run->error = "the " + name + " webhook answered no AdmissionReview response";
    return std::nullopt;
  }
  answer.response = body["response"];
  if (const auto warnings = answer.response.find("warnings"); warnings != answer.response.end()) {
    for (const nlohmann::json& warning : *warnings) {
      if (warning.is_string()) run->warnings.push_back(warning.get<std::string>());
    }
  }
  return answer;
}

// The mutating webhook's patch applied to the object, as the apiserver
// applies it; false, with the error, when it does not apply.
bool ApplyPatch(const nlohmann::json& response, nlohmann::json* review, CaseRun* run) {
  nlohmann::json& request = (*review)["request"];
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

std::string Listed(const std::set<std::string>& words) {
  std::string out = "[";
  for (const std::string& word : words) out += (out.size() > 1 ? ", " : "") + word;
  return out + "]";
}

void Compare(const CaseExpectation& expect, CaseRun* run) {
  if (!run->error.empty()) {
    run->failures.push_back(run->error);
    return;
  }
  if (run->verdict != expect.verdict) {
    run->failures.push_back("verdict: expected " + std::string(WordOf<Outcome>(kOutcomeWords, expect.verdict)) +
                            ", got " + std::string(WordOf<Outcome>(kOutcomeWords, run->verdict)));
  }
  std::set<std::string> codes;
  std::set<std::string> paths;
  for (const FoundViolation& v : run->violations) {
    codes.insert(v.code);
    paths.insert(v.path);
  }
  if (expect.codes && *expect.codes != codes) {
    run->failures.push_back("codes: expected " + Listed(*expect.codes) + ", got " + Listed(codes));
  }
  for (const std::string& path : expect.paths) {
    if (!paths.count(path)) run->failures.push_back("paths: no violation at " + path + "; got " + Listed(paths));
  }
  if (expect.warnings && *expect.warnings != run->warnings.size()) {
    run->failures.push_back("warnings: expected " + std::to_string(*expect.warnings) + ", got " +
                            std::to_string(run->warnings.size()));
  }
  if (expect.patched && *expect.patched != run->patched) {
    run->patch_difference = nlohmann::json::diff(*expect.patched, run->patched).dump();
    run->failures.push_back("patched: the object after the patch differs from the expected one: " +
                            run->patch_difference);
  }
}

}  // namespace

CaseRun RunCase(const TestSuite& suite, const TestCase& test_case) {
  CaseRun run;
  run.test_case = &test_case;
  nlohmann::json review = test_case.review;
  std::optional<WebhookAnswer> mutated = Call(Webhook::kMutate, suite, review, &run);
  if (mutated && ApplyPatch(mutated->response, &review, &run)) {
    if (std::optional<WebhookAnswer> validated = Call(Webhook::kValidate, suite, review, &run)) {
      const AdmissionOutcome& outcome = validated->outcome;
      run.verdict = outcome.outcome;
      for (size_t i = 0; i < outcome.violation_codes.size(); ++i) {
        run.violations.push_back({outcome.violation_codes[i], outcome.violation_paths[i]});
      }
      if (const nlohmann::json* status = validated->response.contains("status") ? &validated->response["status"]
                                                                                 : nullptr) {
        run.message = StringMember(*status, "message");
      }
    }
  }
  Compare(test_case.expect, &run);
  return run;
}

}  // namespace keyward
