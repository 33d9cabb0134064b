// `keyward test` as CI runs it, against the real binary: the shipped
// example suites pass and cover every violation code; a failing
// expectation shows expected against actual (text, JSON and JUnit); a
// malformed suite lists every mistake with file:line and runs nothing.
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/catalog/violation_codes.h"
#include "tests/support/files.h"
#include "tests/support/keyward_process.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kExamples = fs::path(KEYWARD_SOURCE_DIR) / "examples";

size_t Count(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

class PolicyTestCommandTest : public ::testing::Test {
 protected:
  RunResult Test(std::vector<std::string> args) {
    args.insert(args.begin(), "test");
    RunResult run = RunKeyward(args, dir_.File("out"));
    EXPECT_TRUE(run.finished) << run.why;
    return run;
  }
  static json Parsed(const RunResult& run) {
    return json::parse(run.output.substr(run.output.find('{')), nullptr, false);
  }
  // A suite in the scratch folder judged by the example policy, with
  // `cases` (YAML text of the list's items) as its cases.
  std::string Suite(const std::string& cases, const std::string& name = "keyward-test.yaml") {
    const std::string path = dir_.File(name);
    WriteFile(path, "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicyTest\npolicy: " +
                        (kExamples / "policy.yaml").string() + "\ncases:\n" + cases);
    return path;
  }
  TempDir dir_;
};

// The shipped suites pass, and together expect every violation code keyward
// has, on CREATE, UPDATE and DELETE, and every verdict.
TEST_F(PolicyTestCommandTest, TheExampleSuitesPassAndCoverEveryCode) {
  const RunResult run = Test({(kExamples / "tests").string(), "-o", "json"});
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const json report = Parsed(run);
  ASSERT_TRUE(report.is_object()) << run.output;
  EXPECT_EQ(report["kind"], "KeyPolicyTestReport");
  EXPECT_EQ(report["summary"]["failed"], 0);
  EXPECT_GE(report["summary"]["suites"], 2);
  std::set<std::string> expected_codes;
  std::set<std::string> verdicts;
  std::set<std::string> operations;
  for (const json& suite : report["suites"]) {
    for (const json& c : suite["cases"]) {
      EXPECT_TRUE(c["passed"]) << c.dump(1);
      for (const json& code : c["expected"].value("codes", json::array())) expected_codes.insert(code);
      verdicts.insert(c["expected"]["verdict"]);
      operations.insert(c["request"]["request"]["operation"].get<std::string>());
    }
  }
  for (const ViolationCode& code : ViolationCodes()) {
    EXPECT_TRUE(expected_codes.count(std::string(code.code))) << "no example case expects " << code.code;
  }
  EXPECT_EQ(verdicts, (std::set<std::string>{"allowed", "warned", "audited", "denied", "exempt", "skipped"}));
  EXPECT_EQ(operations, (std::set<std::string>{"CREATE", "UPDATE", "DELETE"}));

  // The text report ends with the plain count CI systems read.
  const RunResult text = Test({(kExamples / "tests").string()});
  EXPECT_EQ(text.exit_status, 0);
  EXPECT_NE(text.output.find(std::to_string(report["summary"]["cases"].get<int>()) + " passed, 0 failed\n"),
            std::string::npos)
      << text.output;
}

// A case whose expectations do not hold fails, saying what was expected
// and what happened, with the difference between the patched objects.
TEST_F(PolicyTestCommandTest, AFailingCaseShowsExpectedAgainstActual) {
  const std::string suite = Suite(R"(
  - name: wrong on purpose
    resource: )" + (kExamples / "manifests" / "01-trainingjob-no-keys.yaml").string() + R"(
    expect:
      verdict: denied
      codes: [MissingKey]
      paths: [spec.outputDataConfig.kmsKeyID]
      warnings: 1
      patched: {apiVersion: sagemaker.services.k8s.aws/v1alpha1, kind: TrainingJob, metadata: {name: x}}
  - name: right
    resource: )" + (kExamples / "manifests" / "07-notebook-unclaimed-namespace.yaml").string() + R"(
    expect: {verdict: denied, codes: [NoTenant]}
)");
  const RunResult text = Test({suite});
  EXPECT_EQ(text.exit_status, 1) << text.output;
  for (const char* line : {"FAIL wrong on purpose (", "keyward-test.yaml:6)", "verdict: expected denied, got audited",
                           "codes: expected [MissingKey], got [VpcRequired]",
                           "paths: no violation at spec.outputDataConfig.kmsKeyID", "warnings: expected 1, got 4",
                           "patched: the object after the patch differs", "\"path\":\"/metadata/name\"",
                           "PASS right", "1 passed, 1 failed"}) {
    EXPECT_NE(text.output.find(line), std::string::npos) << line << "\n" << text.output;
  }

  const json report = Parsed(Test({suite, "-o", "json"}));
  const json& failed = report["suites"][0]["cases"][0];
  EXPECT_EQ(failed["passed"], false);
  EXPECT_EQ(failed["failures"].size(), 5u) << failed.dump(1);
  EXPECT_EQ(failed["actual"]["verdict"], "audited");
  EXPECT_EQ(failed["actual"]["patched"]["spec"]["outputDataConfig"]["kmsKeyID"],
            "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab");
  EXPECT_EQ(report["summary"]["passed"], 1);

  const RunResult junit = Test({suite, "-o", "junit"});
  EXPECT_EQ(junit.exit_status, 1);
  EXPECT_EQ(junit.output.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 0), 0u) << junit.output;
  EXPECT_EQ(Count(junit.output, "<testsuite "), 1u);
  EXPECT_EQ(Count(junit.output, "<testcase "), 2u);
  EXPECT_EQ(Count(junit.output, "<failure "), 1u);
  EXPECT_NE(junit.output.find("tests=\"2\" failures=\"1\""), std::string::npos) << junit.output;
  EXPECT_NE(junit.output.find("&quot;path&quot;:&quot;/metadata/name&quot;"), std::string::npos)
      << "the failure's text is XML-escaped: " << junit.output;

  // --fail-fast stops at the first failure: the second case never runs.
  const json fast = Parsed(Test({suite, "-o", "json", "--fail-fast"}));
  EXPECT_EQ(fast["summary"]["cases"], 1);
}

// Every mistake in a suite is reported at once, each at file:line with the
// fix, and nothing runs: exit 2.
TEST_F(PolicyTestCommandTest, EveryMistakeOfAMalformedSuiteIsReported) {
  const std::string suite = Suite(R"(
  - name: unknown key
    resource: )" + (kExamples / "manifests" / "01-trainingjob-no-keys.yaml").string() + R"(
    expected: {verdict: allowed}
  - name: missing file
    resource: no-such-file.yaml
    expect: {verdict: allowed}
  - name: update without the stored object
    operation: UPDATE
    resource: )" + (kExamples / "manifests" / "01-trainingjob-no-keys.yaml").string() + R"(
    expect: {verdict: allowed}
  - name: unknown verdict
    resource: )" + (kExamples / "manifests" / "01-trainingjob-no-keys.yaml").string() + R"(
    expect: {verdict: passed}
  - name: no such code
    resource: )" + (kExamples / "manifests" / "01-trainingjob-no-keys.yaml").string() + R"(
    expect: {verdict: denied, codes: [MissingKMSKey]}
  - name: two resources
    resource: )" + (kExamples / "manifests" / "01-trainingjob-no-keys.yaml").string() + R"(
    object: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}
    expect: {verdict: allowed}
)");
  const RunResult run = Test({suite});
  EXPECT_EQ(run.exit_status, 2) << run.output;
  const std::string file = dir_.File("keyward-test.yaml");
  for (const std::string& line : std::vector<std::string>
       {file + ":8:5: unknown key \"expected\" in a case; the keys are name, resource, object",
        file + ":10:15: resource no-such-file.yaml: ", file + ":13:16: an UPDATE needs the stored object",
        file + ":18:23: verdict \"passed\" is not one keyward gives; write allowed, denied",
        file + ":21:38: \"MissingKMSKey\" is not a violation code",
        file + ":22:5: the case names more than one resource", file + ":6:5: the case has no expect", "7 mistakes in the suites; nothing was run"}) {
    EXPECT_NE(run.output.find(line), std::string::npos) << line << "\n" << run.output;
  }
  EXPECT_EQ(run.output.find("PASS"), std::string::npos) << "nothing runs: " << run.output;

  // A suite of the wrong kind, and a folder with no suite at all.
  fs::create_directories(dir_.File("other"));
  WriteFile(dir_.File("other/keyward-test.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
  const RunResult other = Test({dir_.File("other")});
  EXPECT_EQ(other.exit_status, 2);
  EXPECT_NE(other.output.find("kind is \"ConfigMap\"; write kind: KeyPolicyTest"), std::string::npos) << other.output;
  EXPECT_NE(other.output.find("policy is missing"), std::string::npos) << other.output;
  fs::create_directories(dir_.File("empty"));
  const RunResult none = Test({dir_.File("empty")});
  EXPECT_EQ(none.exit_status, 2);
  EXPECT_NE(none.output.find("no keyward-test.yaml found"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace keyward::testing
