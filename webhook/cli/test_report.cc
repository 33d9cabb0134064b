#include "webhook/cli/test_report.h"

#include <string_view>

#include "webhook/base/markup_text.h"

namespace keyward {
namespace {

struct Counts {
  size_t cases = 0;
  size_t failed = 0;
};

Counts CountOf(const SuiteRun& run) {
  Counts counts;
  for (const CaseRun& c : run.cases) {
    ++counts.cases;
    counts.failed += c.passed() ? 0 : 1;
  }
  return counts;
}

Counts CountOf(const std::vector<SuiteRun>& runs) {
  Counts all;
  for (const SuiteRun& run : runs) {
    const Counts counts = CountOf(run);
    all.cases += counts.cases;
    all.failed += counts.failed;
  }
  return all;
}

std::string_view VerdictWord(Outcome verdict) { return WordOf<Outcome>(kOutcomeWords, verdict); }

// What happened, for a failure's text: the verdict, each violation and
// warning, the patch.
std::string WhatHappened(const CaseRun& run, std::string_view indent) {
  std::string out;
  if (!run.error.empty()) return out;
  out += std::string(indent) + "got " + std::string(VerdictWord(run.verdict)) + "\n";
  for (const FoundViolation& v : run.violations) out += std::string(indent) + "  " + v.code + " " + v.path + "\n";
  for (const std::string& w : run.warnings) out += std::string(indent) + "  warning: " + w + "\n";
  if (!run.patch.empty()) out += std::string(indent) + "  patch: " + run.patch.dump() + "\n";
  return out;
}

std::string FailureText(const CaseRun& run) {
  std::string out;
  for (const std::string& failure : run.failures) out += "  " + failure + "\n";
  return out + WhatHappened(run, "  ");
}

nlohmann::json ExpectedJson(const CaseExpectation& expect) {
  nlohmann::json out = {{"verdict", VerdictWord(expect.verdict)}};
  if (expect.codes) out["codes"] = *expect.codes;
  if (!expect.paths.empty()) out["paths"] = expect.paths;
  if (expect.warnings) out["warnings"] = *expect.warnings;
  if (expect.patched) out["patched"] = *expect.patched;
  return out;
}

nlohmann::json ActualJson(const CaseRun& run) {
  nlohmann::json violations = nlohmann::json::array();
  for (const FoundViolation& v : run.violations) violations.push_back({{"code", v.code}, {"path", v.path}});
  nlohmann::json out = {{"verdict", VerdictWord(run.verdict)},
                        {"violations", std::move(violations)},
                        {"message", run.message},
                        {"warnings", run.warnings},
                        {"patch", run.patch},
                        {"patched", run.patched}};
  if (!run.error.empty()) out["error"] = run.error;
  return out;
}

}  // namespace

void PrintTestReport(const std::vector<SuiteRun>& runs, std::ostream& out) {
  for (const SuiteRun& run : runs) {
    out << run.suite->path << " (policy " << run.suite->policy_path << ")\n";
    for (const CaseRun& c : run.cases) {
      out << (c.passed() ? "  PASS " : "  FAIL ") << c.test_case->name;
      if (c.passed()) {
        out << "\n";
        continue;
      }
      out << " (" << c.test_case->source << ")\n";
      for (const std::string& failure : c.failures) out << "    " << failure << "\n";
      out << WhatHappened(c, "    ");
      if (!c.message.empty()) out << "    message: " << c.message << "\n";
    }
  }
  const Counts counts = CountOf(runs);
  out << (counts.cases - counts.failed) << " passed, " << counts.failed << " failed\n";
}

nlohmann::json TestReportJson(const std::vector<SuiteRun>& runs) {
  const Counts counts = CountOf(runs);
  nlohmann::json suites = nlohmann::json::array();
  for (const SuiteRun& run : runs) {
    nlohmann::json cases = nlohmann::json::array();
    for (const CaseRun& c : run.cases) {
      cases.push_back({{"name", c.test_case->name},
                       {"source", c.test_case->source},
                       {"passed", c.passed()},
                       {"failures", c.failures},
                       {"expected", ExpectedJson(c.test_case->expect)},
                       {"actual", ActualJson(c)},
                       {"request", c.test_case->review}});
    }
    suites.push_back({{"file", run.suite->path}, {"policy", run.suite->policy_path}, {"cases", std::move(cases)}});
  }
  return {{"apiVersion", "keyward.dev/v1alpha1"},
          {"kind", "KeyPolicyTestReport"},
          {"summary",
           {{"suites", runs.size()},
            {"cases", counts.cases},
            {"passed", counts.cases - counts.failed},
            {"failed", counts.failed}}},
          {"suites", std::move(suites)}};
}

std::string TestReportJunit(const std::vector<SuiteRun>& runs) {
  const Counts all = CountOf(runs);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"keyward test\" tests=\"" + std::to_string(all.cases) + "\" failures=\"" +
         std::to_string(all.failed) + "\" errors=\"0\">\n";
  for (const SuiteRun& run : runs) {
    const Counts counts = CountOf(run);
    out += "  <testsuite name=\"" + EscapeMarkup(run.suite->path) + "\" tests=\"" + std::to_string(counts.cases) +
           "\" failures=\"" + std::to_string(counts.failed) + "\" errors=\"0\" skipped=\"0\">\n";
    for (const CaseRun& c : run.cases) {
      const std::string& source = c.test_case->source;
      const std::string line = source.substr(source.rfind(':') + 1);
      out += "    <testcase name=\"" + EscapeMarkup(c.test_case->name) + "\" classname=\"" + EscapeMarkup(run.suite->path) +
             "\" file=\"" + EscapeMarkup(run.suite->path) + "\" line=\"" + line + "\"";
      if (c.passed()) {
        out += "/>\n";
        continue;
      }
      out += ">\n      <failure message=\"" + EscapeMarkup(c.failures.front()) + "\" type=\"expectation\">" +
             EscapeMarkup(FailureText(c)) + "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace keyward
