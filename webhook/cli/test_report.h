// keyward test's reports: text for people, JSON (a stable contract, in the
// README) and JUnit XML for CI systems (GitLab, GitHub Actions, Jenkins):
// one testsuite per suite file, one testcase per case.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cli/test_runner.h"

namespace keyward {

struct SuiteRun {
  const TestSuite* suite = nullptr;
  std::vector<CaseRun> cases;  // in the suite's order; fewer than its cases after --fail-fast
};

void PrintTestReport(const std::vector<SuiteRun>& runs, std::ostream& out);
nlohmann::json TestReportJson(const std::vector<SuiteRun>& runs);
std::string TestReportJunit(const std::vector<SuiteRun>& runs);

}  // namespace keyward
