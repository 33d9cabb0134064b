// The `keyward check -o json` contract, against the real binary: the field
// names, types and codes pipelines parse, and valid UTF-8 in every format.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/files.h"
#include "tests/support/keyward_process.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;

// `keyward check -o json` is a stable contract (README, "keyward check"):
// CI pipelines parse it. Adding a field or a code is allowed; renaming or
// removing one fails here.
class CheckJsonContractTest : public ::testing::Test {
 protected:
  fs::path Write(const std::string& name, const std::string& text) {
    WriteFile(dir_.File(name), text);
    return dir_.File(name);
  }

  TempDir dir_;
};

// The codes of the contract. A new code joins the README's table (and may
// join this list); none of these may go.
const std::set<std::string> kContractCodes = {"MissingKey",      "AwsManagedKey", "KeyFormat",   "ForeignKey",
                                              "UnapprovedKey",   "RegionMismatch", "LocalStorageKey",
                                              "ImmutableKey",    "NoTenant",      "ForeignRole", "UnapprovedRole",
                                              "PipelineDefinition", "OpaqueStep", "NetworkIsolation",
                                              "InterContainerEncryption", "VpcRequired", "UnapprovedNetwork",
                                              "NotebookExposure", "DomainNetwork", "PublicWorkforce",
                                              "InteractiveAccess", "UnapprovedImage"};

std::set<std::string> ReadmeCodes() {
  std::ifstream readme(fs::path(KEYWARD_SOURCE_DIR) / "README.md");
  std::set<std::string> codes;
  const std::regex row(R"(^\| `([A-Z][A-Za-z]+)` \|)");
  std::string line;
  std::smatch match;
  while (std::getline(readme, line)) {
    if (std::regex_search(line, match, row)) codes.insert(match[1]);
  }
  return codes;
}

TEST_F(CheckJsonContractTest, EveryContractCodeIsDocumented) {
  const std::set<std::string> documented = ReadmeCodes();
  for (const std::string& code : kContractCodes) EXPECT_TRUE(documented.count(code)) << code;
}

TEST_F(CheckJsonContractTest, EveryObjectHasTheContractFieldsWithTheirTypes) {
  const fs::path policy = fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml";
  const fs::path manifests = fs::path(KEYWARD_SOURCE_DIR) / "examples" / "manifests";
  const RunResult outcome = RunKeyward({"check", "--policy", policy.string(), "-o", "json", "-f", manifests.string()},
                                     dir_.File("out"));
  ASSERT_TRUE(outcome.finished) << outcome.why;
  ASSERT_EQ(outcome.exit_status, 1) << "the examples include denied objects\n" << outcome.output;
  const nlohmann::json report = nlohmann::json::parse(outcome.output.substr(0, outcome.output.rfind(']') + 1));
  ASSERT_TRUE(report.is_array());
  ASSERT_GE(report.size(), 8u);
  const std::set<std::string> documented = ReadmeCodes();
  std::set<std::string> codes_seen;
  bool some_patch = false, some_warning = false;
  for (const nlohmann::json& object : report) {
    SCOPED_TRACE(object.dump());
    for (const char* field : {"apiVersion", "kind", "namespace", "name", "tenant", "enforcement", "source"}) {
      ASSERT_TRUE(object.contains(field) && object[field].is_string()) << field;
    }
    EXPECT_TRUE(std::regex_match(object["source"].get<std::string>(), std::regex(R"(.+\.yaml:[0-9]+)")));
    EXPECT_TRUE(std::set<std::string>({"deny", "warn", "audit"}).count(object["enforcement"]));
    ASSERT_TRUE(object.contains("allowed") && object["allowed"].is_boolean());
    ASSERT_TRUE(object.contains("violations") && object["violations"].is_array());
    for (const nlohmann::json& violation : object["violations"]) {
      for (const char* field : {"path", "code", "message", "enforcement"}) {
        ASSERT_TRUE(violation.contains(field) && violation[field].is_string()) << field;
      }
      codes_seen.insert(violation["code"]);
      EXPECT_TRUE(documented.count(violation["code"])) << "undocumented code " << violation["code"];
    }
    ASSERT_TRUE(object.contains("warnings") && object["warnings"].is_array());
    for (const nlohmann::json& warning : object["warnings"]) ASSERT_TRUE(warning.is_string());
    some_warning = some_warning || !object["warnings"].empty();
    ASSERT_TRUE(object.contains("patch") && object["patch"].is_array());
    for (const nlohmann::json& operation : object["patch"]) {
      ASSERT_TRUE(operation.contains("op") && operation["op"].is_string());
      ASSERT_TRUE(operation.contains("path") && operation["path"].is_string());
      EXPECT_EQ(operation["path"].get<std::string>().front(), '/');
      some_patch = true;
    }
  }
  EXPECT_TRUE(some_patch && some_warning);
  // The examples show most codes; each one they show must still be a contract code.
  EXPECT_GE(codes_seen.size(), 5u);
  for (const std::string& code : codes_seen) EXPECT_TRUE(kContractCodes.count(code)) << code;
}

// Messages cut to fit (a namespace name in a NoTenant warning, here) stay
// valid UTF-8 in every output format: nlohmann's dump() throws on anything
// else, which ended `keyward check -o json` with an abort.
TEST_F(CheckJsonContractTest, OutputStaysUtf8WhenAMessageIsCut) {
  std::string ns;
  for (int i = 0; i < 25; ++i) ns += "\xc3\xa9\xe6\x95\xb0";  // é and 数, 125 bytes
  const fs::path manifest = Write("utf8.yaml",
                                  "apiVersion: sagemaker.services.k8s.aws/v1alpha1\n"
                                  "kind: TrainingJob\n"
                                  "metadata: {name: utf8, namespace: \"" + ns + "\"}\n"
                                  "spec: {outputDataConfig: {s3OutputPath: s3://b/o}}\n");
  // Under unmatchedNamespaces: warn the violation is a warning, whose short
  // form cuts the namespace name to fit kubectl's line.
  std::ifstream example(fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml");
  std::ostringstream text;
  text << example.rdbuf();
  std::string yaml = text.str();
  const std::string deny = "unmatchedNamespaces: deny";
  ASSERT_NE(yaml.find(deny), std::string::npos);
  yaml.replace(yaml.find(deny), deny.size(), "unmatchedNamespaces: warn");
  const fs::path policy = Write("policy.yaml", yaml);
  for (const char* format : {"json", "text", "yaml"}) {
    SCOPED_TRACE(format);
    const RunResult outcome =
        RunKeyward({"check", "--policy", policy.string(), "-o", format, "-f", manifest.string()}, dir_.File("out"));
    ASSERT_TRUE(outcome.finished) << outcome.why << "\n" << outcome.output;
    EXPECT_EQ(outcome.exit_status, 0) << outcome.output;
    EXPECT_NE(outcome.output.find("belongs to no tenant"), std::string::npos) << outcome.output;
    // Strict UTF-8: dump() throws on any byte sequence that is not.
    EXPECT_NO_THROW((void)nlohmann::json(outcome.output).dump()) << "not valid UTF-8";
    if (std::string(format) == "json") {
      EXPECT_TRUE(nlohmann::json::parse(outcome.output, nullptr, false).is_array()) << outcome.output;
    }
  }
}

}  // namespace
}  // namespace keyward::testing
