#include "webhook/cli/test_runner.h"

#include <algorithm>
#include <set>

#include "webhook/admission/as_the_apiserver.h"

namespace keyward {
namespace {

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
  NamespaceContextSource namespaces(suite.namespaces);
  AdmitOptions options;
  if (suite.namespaces.size() != 0) options.namespaces = &namespaces;
  if (!suite.pipelines.empty()) options.pipelines = &suite.pipelines;
  ApiServerRun admitted = AdmitAsTheApiServer(*suite.policy, test_case.review, options);
  run.error = std::move(admitted.error);
  run.warnings = std::move(admitted.warnings);
  run.patch = std::move(admitted.patch);
  run.patched = std::move(admitted.patched);
  run.message = std::move(admitted.message);
  run.verdict = admitted.validation.outcome;
  for (const Violation& v : admitted.validation.violations) run.violations.push_back({v.code, v.path});
  Compare(test_case.expect, &run);
  return run;
}

}  // namespace keyward
