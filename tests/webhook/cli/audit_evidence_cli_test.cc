// `keyward audit` on the example manifests, run as the real binary: an
// EndpointConfig on ml.g4dn.xlarge without spec.kmsKeyID is compliant (its
// local NVMe storage takes no customer key) and every format says so, with
// the reason and the AWS checks that will flag it; the framework controls
// appear per finding and, every one of them with its counts, in the summary
// of the HTML and Markdown reports and in the PolicyReport properties.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "policy/catalog/violation_codes.h"
#include "policy/report/evidence.h"
#include "tests/support/files.h"
#include "tests/support/keyward_process.h"
#include "tests/webhook/cli/report_crd_schema.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kKeyless = "vision-endpoint-config";  // examples/manifests/12-endpointconfig-local-nvme.yaml
constexpr const char* kReason = "local storage is hardware-encrypted; no customer key is possible (ml.g4dn.xlarge";
constexpr const char* kAwsConfig = "AWS Config sagemaker-endpoint-configuration-kms-key-configured";

fs::path Examples() { return fs::path(KEYWARD_SOURCE_DIR) / "examples"; }

// Every (framework, control) the code table maps to, as the tests read it.
std::vector<std::pair<std::string, std::string>> EveryMappedControl() {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const ViolationCode& row : ViolationCodes()) {
    for (const ControlRef& ref : EvidenceFor(row.code)) {
      std::pair<std::string, std::string> control(ref.framework, ref.control);
      if (seen.insert(control).second) out.push_back(control);
    }
  }
  return out;
}

class AuditEvidenceCliTest : public ::testing::Test {
 protected:
  std::string Audit(const std::string& format) {
    const RunResult run = RunKeyward({"audit", "--policy", (Examples() / "policy.yaml").string(), "-f",
                                      (Examples() / "manifests").string(), "-o", format, "--fail-on", "none"},
                                     dir_.File("out-" + format));
    EXPECT_TRUE(run.finished) << run.why;
    EXPECT_EQ(run.exit_status, 0) << run.output;
    return run.output;
  }
  json JsonReport() {
    const std::string out = Audit("json");
    return json::parse(out.substr(0, out.rfind('}') + 1));
  }
  // Open findings, and the objects they are on, per control: counted from the JSON report.
  struct Counts {
    size_t findings = 0;
    std::set<std::string> objects;
  };
  std::map<std::pair<std::string, std::string>, Counts> CountsPerControl(const json& report) {
    std::map<std::pair<std::string, std::string>, Counts> out;
    for (const json& f : report["findings"]) {
      for (const json& c : report["evidence"][f["code"].get<std::string>()]) {
        Counts& counts = out[{c["framework"], c["control"]}];
        ++counts.findings;
        counts.objects.insert(f["kind"].get<std::string>() + "/" + f["namespace"].get<std::string>() + "/" +
                              f["name"].get<std::string>());
      }
    }
    return out;
  }
  TempDir dir_;
};

TEST_F(AuditEvidenceCliTest, JsonNotesTheKeylessFieldAndKeepsTheObjectCompliant) {
  const json report = JsonReport();
  EXPECT_EQ(report["summary"]["compliantWithoutKey"], 1);
  bool found = false;
  for (const json& r : report["resources"]) {
    ASSERT_TRUE(r.contains("notes") && r["notes"].is_array()) << r.dump();
    if (r["name"] != kKeyless) continue;
    found = true;
    EXPECT_EQ(r["status"], "compliant");
    ASSERT_EQ(r["notes"].size(), 1u) << r.dump();
    const json& note = r["notes"][0];
    EXPECT_EQ(note["path"], "spec.kmsKeyID");
    EXPECT_NE(note["reason"].get<std::string>().find(kReason), std::string::npos) << note.dump();
    EXPECT_EQ(note["flaggedBy"], json::array({kAwsConfig, "Checkov CKV_AWS_98"}));
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(report["summary"]["keysByKind"]["EndpointConfig"]["compliant"],
            report["summary"]["keysByKind"]["EndpointConfig"]["total"].get<int>() - 1)
      << "the keyless one counts as on approved keys; the foreign-key example does not";
}

TEST_F(AuditEvidenceCliTest, TextMarkdownAndHtmlSayCompliantWithoutAKeyAndWhichChecksFlagIt) {
  const std::string text = Audit("text");
  EXPECT_NE(text.find("compliant without a key where SageMaker refuses one: 1"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string("EndpointConfig team-a/") + kKeyless + " spec.kmsKeyID: " + kReason),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(std::string("flagged by: ") + kAwsConfig + ", Checkov CKV_AWS_98"), std::string::npos) << text;

  const std::string markdown = Audit("markdown");
  EXPECT_NE(markdown.find("### Compliant without a key (1)"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| resource | field | reason | AWS checks that will flag it |"), std::string::npos);
  EXPECT_NE(markdown.find(std::string("| EndpointConfig team-a/") + kKeyless + " | `spec.kmsKeyID` | " + kReason),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find(std::string(" | ") + kAwsConfig + ", Checkov CKV_AWS_98 |"), std::string::npos);

  const std::string html = Audit("html");
  EXPECT_NE(html.find("<h2>Compliant without a key (1)</h2>"), std::string::npos);
  EXPECT_NE(html.find("<th onclick=\"sortBy(this)\">AWS checks that will flag it</th>"), std::string::npos);
  EXPECT_NE(html.find(std::string("<tr><td>EndpointConfig team-a/") + kKeyless +
                      "</td><td><code>spec.kmsKeyID</code></td><td>local storage is hardware-encrypted"),
            std::string::npos);
  EXPECT_NE(html.find(std::string("<td>") + kAwsConfig + ", Checkov CKV_AWS_98</td>"), std::string::npos);
}

TEST_F(AuditEvidenceCliTest, HtmlAndMarkdownListEveryMappedControlWithItsCounts) {
  const json report = JsonReport();
  const auto expected = CountsPerControl(report);
  const std::string html = Audit("html");
  const std::string markdown = Audit("markdown");
  size_t zero = 0;
  for (const auto& [framework, control] : EveryMappedControl()) {
    SCOPED_TRACE(framework + " " + control);
    auto it = expected.find({framework, control});
    const std::string findings = std::to_string(it == expected.end() ? 0 : it->second.findings);
    const std::string objects = std::to_string(it == expected.end() ? 0 : it->second.objects.size());
    zero += it == expected.end();
    const size_t row = markdown.find("| " + framework + " | " + control + " | ");
    ASSERT_NE(row, std::string::npos);
    const std::string line = markdown.substr(row, markdown.find('\n', row) - row);
    EXPECT_TRUE(line.ends_with(" | " + findings + " | " + objects + " |")) << line;
    const size_t cell = html.find("<td>" + framework + "</td><td>" + control + "</td>");
    ASSERT_NE(cell, std::string::npos);
    const std::string html_row = html.substr(cell, html.find("</tr>", cell) - cell);
    EXPECT_TRUE(html_row.ends_with("</td><td>" + findings + "</td><td>" + objects + "</td>")) << html_row;
  }
  EXPECT_GT(zero, 0u) << "the examples leave some controls without findings; those rows must show 0";
  EXPECT_NE(html.find("<h2>Framework controls (" + std::to_string(EveryMappedControl().size()) + ")</h2>"),
            std::string::npos);
  // Per finding: the compact controls of its code.
  EXPECT_NE(markdown.find("| `MissingKey` |"), std::string::npos);
  EXPECT_NE(markdown.find("| SOC 2 CC6.1; PCI DSS v4.0.1 3.5.1 (contributes to), 3.6.1, 3.7; HIPAA "),
            std::string::npos)
      << markdown;
  EXPECT_NE(html.find("<td><small>SOC 2 CC6.1; PCI DSS v4.0.1 3.5.1 (contributes to), 3.6.1, 3.7; HIPAA "),
            std::string::npos);
}

TEST_F(AuditEvidenceCliTest, PolicyReportResultsCarryControlsAndTheKeylessReasonAndStayValid) {
  const json report = JsonReport();
  const YAML::Node schema = ReportCrdSchema("kyverno-vendored/wgpolicyk8s.io_policyreports.yaml", "v1alpha2");
  ASSERT_TRUE(schema);
  const std::string out = Audit("policyreport");
  bool keyless = false;
  size_t failures = 0;
  for (const YAML::Node& document : YAML::LoadAll(out.substr(out.find("---")))) {
    if (document["kind"].as<std::string>() != "PolicyReport") continue;
    ValidateAgainstSchema(document, schema, "");
    for (const YAML::Node& result : document["results"]) {
      const std::string name = result["resources"][0]["name"].as<std::string>();
      const std::string verdict = result["result"].as<std::string>();
      if (name == kKeyless) {
        keyless = true;
        EXPECT_EQ(verdict, "pass");
        EXPECT_NE(result["message"].as<std::string>().find(std::string("compliant without a key at spec.kmsKeyID: ") +
                                                           kReason),
                  std::string::npos);
        EXPECT_EQ(result["properties"]["compliantWithoutKey"].as<std::string>(), "spec.kmsKeyID");
        EXPECT_EQ(result["properties"]["flaggedBy"].as<std::string>(), std::string(kAwsConfig) + ", Checkov CKV_AWS_98");
        EXPECT_NE(result["properties"]["reason"].as<std::string>().find(kReason), std::string::npos);
      }
      if (verdict != "fail" && verdict != "warn") continue;
      ++failures;
      // One property per framework the code maps to, naming its controls.
      const std::string code = result["rule"].as<std::string>();
      ASSERT_TRUE(report["evidence"].contains(code)) << code;
      for (const json& c : report["evidence"][code]) {
        const std::string framework = c["framework"];
        ASSERT_TRUE(result["properties"][framework]) << code << " lacks " << framework;
        EXPECT_NE(result["properties"][framework].as<std::string>().find(c["control"].get<std::string>()),
                  std::string::npos);
      }
    }
  }
  EXPECT_TRUE(keyless);
  EXPECT_EQ(failures, report["findings"].size());
}

}  // namespace
}  // namespace keyward::testing
