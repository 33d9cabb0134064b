// keyward test: runs the policy test suites (keyward-test.yaml) found under
// the paths, each case through the server's Admit (test_runner.h), and
// reports pass or fail per case as text, JSON (a contract, in the README) or
// JUnit XML. Exit 0: every expectation holds; 1: one does not; 2: a suite
// is malformed (every mistake is listed first, and nothing runs).
#include <iostream>

#include "webhook/cli/commands.h"
#include "webhook/cli/test_report.h"
#include "webhook/cli/test_runner.h"
#include "webhook/cli/test_suite.h"

namespace keyward {
namespace {

struct TestOptions {
  std::vector<std::string> paths;
  std::string output = "text";
  bool fail_fast = false;
};

int RunTests(const TestOptions& options) {
  std::vector<Status> errors;
  const std::vector<std::string> files = FindTestSuites(options.paths.empty() ? std::vector<std::string>{"."}
                                                                              : options.paths,
                                                        &errors);
  std::vector<std::unique_ptr<TestSuite>> suites;
  for (const std::string& file : files) {
    SuiteReadResult read = ReadTestSuite(file);
    errors.insert(errors.end(), read.errors.begin(), read.errors.end());
    suites.push_back(std::move(read.suite));
  }
  if (!errors.empty()) {
    for (const Status& error : errors) std::cerr << "error: " << error.ToString() << "\n";
    std::cerr << errors.size() << (errors.size() == 1 ? " mistake" : " mistakes")
              << " in the suites; nothing was run\n";
    return kExitUsage;
  }
  std::vector<SuiteRun> runs;
  bool failed = false;
  for (const std::unique_ptr<TestSuite>& suite : suites) {
    SuiteRun& run = runs.emplace_back(SuiteRun{suite.get(), {}});
    for (const TestCase& test_case : suite->cases) {
      run.cases.push_back(RunCase(*suite, test_case));
      failed = failed || !run.cases.back().passed();
      if (failed && options.fail_fast) break;
    }
    if (failed && options.fail_fast) break;
  }
  if (options.output == "json") {
    std::cout << TestReportJson(runs).dump(2) << "\n";
  } else if (options.output == "junit") {
    std::cout << TestReportJunit(runs);
  } else {
    PrintTestReport(runs, std::cout);
  }
  return failed ? kExitDenied : kExitOk;
}

}  // namespace

void AddTestCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<TestOptions>();
  CLI::App* test = app.add_subcommand(
      "test", "Run the policy test suites (keyward-test.yaml) under the paths (exit 0 pass, 1 fail, 2 bad suite)");
  test->add_option("paths", options->paths,
                   "Suite files, or folders searched for keyward-test.yaml (default: the current folder)");
  test->add_option("-o,--output", options->output, "text, json or junit (JUnit XML, for CI)")
      ->check(CLI::IsMember({"text", "json", "junit"}));
  test->add_flag("--fail-fast", options->fail_fast, "Stop at the first failing case");
  test->callback([options, exit_code] { *exit_code = RunTests(*options); });
}

}  // namespace keyward
