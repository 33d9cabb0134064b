// `keyward audit` from files, run as the real binary: the captured
// admission reviews' objects as one `kubectl get -o json` List, the upstream
// samples as manifests. The JSON schema, the exit statuses, the HTML's
// structure, and the PolicyReport/OpenReports output against the CRDs'
// openAPIV3Schema (tests/fixtures/policy-reports/).
#include <filesystem>
#include <map>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "tests/support/files.h"
#include "tests/support/fixture_keys.h"
#include "tests/support/keyward_process.h"
#include "tests/webhook/cli/report_crd_schema.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path Fixtures() { return fs::path(KEYWARD_SOURCE_DIR) / "tests" / "fixtures"; }

// Every object the captured reviews carry, as one List.
json CapturedList() {
  json items = json::array();
  std::set<std::string> seen;
  for (const auto& entry : fs::recursive_directory_iterator(Fixtures() / "admission-reviews")) {
    if (entry.path().extension() != ".json") continue;
    json review = json::parse(ReadFile(entry.path().string()), nullptr, false);
    if (!review.is_object() || !review.contains("request")) continue;
    const json& object = review["request"].value("object", json());
    if (!object.is_object()) continue;
    const std::string key = object.dump();
    if (seen.insert(key).second) items.push_back(object);
  }
  return {{"apiVersion", "v1"}, {"kind", "List"}, {"metadata", {{"resourceVersion", ""}}}, {"items", items}};
}

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    list_ = dir_.File("all.json");
    WriteFile(list_, CapturedList().dump(1));
  }
  RunResult Audit(std::vector<std::string> extra) {
    std::vector<std::string> args = {"audit", "--policy", PolicyFixturePath("team-a-b.yaml"), "-f", list_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKeyward(args, dir_.File("out-" + std::to_string(++runs_)));
  }
  TempDir dir_;
  std::string list_;
  int runs_ = 0;
};

TEST_F(AuditCliTest, JsonReportHasTheDocumentedSchemaAndExitStatus) {
  const RunResult run = Audit({"-o", "json"});
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 1) << "the captures include non-compliant objects";
  const json report = json::parse(run.output.substr(0, run.output.rfind('}') + 1));
  EXPECT_EQ(report["apiVersion"], "keyward.dev/v1alpha1");
  EXPECT_EQ(report["kind"], "AuditReport");
  EXPECT_TRUE(std::regex_match(report["generatedAt"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_EQ(report["policy"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(report["complete"], true);
  const json& summary = report["summary"];
  EXPECT_GT(summary["objects"].get<int>(), 10);
  EXPECT_EQ(summary["objects"].get<int>(), summary["compliant"].get<int>() + summary["noncompliant"].get<int>() +
                                               summary["exempt"].get<int>() + summary["unclaimed"].get<int>());
  EXPECT_GT(summary["noncompliant"].get<int>(), 0);
  EXPECT_TRUE(summary["keys"]["share"].is_number());
  EXPECT_TRUE(summary["keysByKind"].contains("TrainingJob"));
  ASSERT_FALSE(report["findings"].empty());
  for (const json& f : report["findings"]) {
    for (const char* member : {"id", "tenant", "namespace", "kind", "name", "path", "code", "message", "fix", "firstSeen"}) {
      EXPECT_TRUE(f.contains(member) && f[member].is_string()) << member;
    }
    EXPECT_TRUE(report["evidence"].contains(f["code"].get<std::string>())) << f["code"];
  }
  EXPECT_EQ(report["resources"].size(), summary["objects"].get<size_t>());

  const RunResult lenient = Audit({"-o", "json", "--fail-on", "none"});
  EXPECT_EQ(lenient.exit_status, 0);
  const RunResult bad = RunKeyward({"audit", "--policy", PolicyFixturePath("team-a-b.yaml"), "-f", dir_.File("missing.json")},
                                   dir_.File("out-bad"));
  EXPECT_EQ(bad.exit_status, 2) << bad.output;
}

TEST_F(AuditCliTest, ABaselineCarriesFirstSeenAndCountsFixes) {
  const RunResult first = Audit({"-o", "json"});
  const std::string baseline = dir_.File("baseline.json");
  WriteFile(baseline, first.output.substr(0, first.output.rfind('}') + 1));
  // One object fixed: drop it from the List.
  json list = CapturedList();
  const json first_report = json::parse(ReadFile(baseline));
  const std::string gone = first_report["findings"][0]["name"];
  json kept = json::array();
  for (const json& item : list["items"]) {
    if (item["metadata"].value("name", "") != gone) kept.push_back(item);
  }
  list["items"] = kept;
  WriteFile(list_, list.dump());
  const RunResult second = Audit({"-o", "json", "--baseline", baseline});
  ASSERT_TRUE(second.finished) << second.why;
  const json report = json::parse(second.output.substr(0, second.output.rfind('}') + 1));
  EXPECT_GT(report["summary"]["baseline"]["fixed"].get<int>(), 0);
  EXPECT_EQ(report["summary"]["baseline"]["new"], 0);
  for (const json& f : report["findings"]) {
    bool found = false;
    for (const json& old : first_report["findings"]) {
      if (old["id"] == f["id"]) {
        EXPECT_EQ(old["firstSeen"], f["firstSeen"]);
        found = true;
      }
    }
    EXPECT_TRUE(found) << f["id"];
  }
  const RunResult wrong = Audit({"--baseline", list_});
  EXPECT_EQ(wrong.exit_status, 2) << wrong.output;
}

TEST_F(AuditCliTest, SampleManifestsAsYamlToo) {
  const RunResult run = RunKeyward({"audit", "--policy", PolicyFixturePath("team-a-b.yaml"), "-f",
                                    (Fixtures() / "samples" / "xgboost_trainingjob.yaml").string(), "-n", "team-a"},
                                   dir_.File("yaml-out"));
  // -n is not an audit option: a usage error, said clearly.
  EXPECT_EQ(run.exit_status, 2) << run.output;
  TempDir manifests;
  std::string text = ReadFile((Fixtures() / "samples" / "xgboost_trainingjob.yaml").string());
  text.replace(text.find("metadata:\n"), 10, "metadata:\n  namespace: team-a\n");
  WriteFile(manifests.File("job.yaml"), text);
  const RunResult yaml = RunKeyward({"audit", "--policy", PolicyFixturePath("team-a-b.yaml"), "-f", manifests.path(),
                                     "-o", "markdown"},
                                    dir_.File("yaml-out2"));
  EXPECT_EQ(yaml.exit_status, 1) << yaml.output;
  EXPECT_NE(yaml.output.find("| objects | 1 |"), std::string::npos) << yaml.output;
  EXPECT_NE(yaml.output.find("`MissingKey`"), std::string::npos);
}

TEST_F(AuditCliTest, HtmlIsSelfContainedWithChartsAndEveryFinding) {
  const RunResult json_run = Audit({"-o", "json"});
  const json report = json::parse(json_run.output.substr(0, json_run.output.rfind('}') + 1));
  const RunResult run = Audit({"-o", "html"});
  ASSERT_TRUE(run.finished) << run.why;
  const std::string& html = run.output;
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  for (const char* outside : {"src=", "href=", "<link", "@import", "url(", "http://", "https://"}) {
    EXPECT_EQ(html.find(outside), std::string::npos) << "loads from outside: " << outside;
  }
  auto count = [&html](const std::string& needle) {
    size_t n = 0;
    for (size_t at = html.find(needle); at != std::string::npos; at = html.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<svg "), 3u);
  EXPECT_EQ(count("<svg "), count("</svg>"));
  EXPECT_EQ(count("<table"), count("</table>"));
  EXPECT_EQ(count("<tr"), count("</tr>"));
  const size_t table = html.find("<table id=\"findings\"");
  ASSERT_NE(table, std::string::npos);
  const std::string findings = html.substr(table, html.find("</table>", table) - table);
  size_t rows = 0;
  for (size_t at = findings.find("<tr><td>"); at != std::string::npos; at = findings.find("<tr><td>", at + 1)) ++rows;
  EXPECT_EQ(rows, report["findings"].size());
  for (const json& f : report["findings"]) {
    EXPECT_NE(html.find("<code>" + f["path"].get<std::string>() + "</code>"), std::string::npos) << f["id"];
  }
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_EQ(count("<table"), count("<colgroup>"));
  EXPECT_NE(html.find("sortBy"), std::string::npos);
}

// The page fits a 1280-pixel window without scrolling sideways: every table
// is laid out fixed at the full width with a share per column adding up to
// 100%, cells wrap long paths and messages anywhere, and the charts scale
// down (a viewBox, at most 100% wide). Without these the findings table ran
// off the right edge, hiding the age and fix columns.
TEST_F(AuditCliTest, HtmlFitsTheWindowWidth) {
  const RunResult run = Audit({"-o", "html"});
  ASSERT_TRUE(run.finished) << run.why;
  const std::string& html = run.output;
  const std::string style = html.substr(html.find("<style>"), html.find("</style>") - html.find("<style>"));
  EXPECT_TRUE(std::regex_search(style, std::regex(R"(table\{[^}]*table-layout:fixed)"))) << style;
  EXPECT_TRUE(std::regex_search(style, std::regex(R"(table\{[^}]*width:100%)"))) << style;
  EXPECT_TRUE(std::regex_search(style, std::regex(R"(td\{[^}]*overflow-wrap:anywhere)"))) << style;
  EXPECT_TRUE(std::regex_search(style, std::regex(R"(svg\{[^}]*max-width:100%)"))) << style;
  size_t tables = 0;
  for (size_t at = html.find("<table"); at != std::string::npos; at = html.find("<table", at + 1)) {
    ++tables;
    const size_t head = html.find("</colgroup>", at);
    ASSERT_NE(head, std::string::npos);
    const std::string colgroup = html.substr(at, head - at);
    EXPECT_EQ(colgroup.find("<tr"), std::string::npos) << "the colgroup comes before the rows";
    const std::regex col(R"(<col style="width:(\d+)%">)");
    int percent = 0, columns = 0;
    for (auto it = std::sregex_iterator(colgroup.begin(), colgroup.end(), col); it != std::sregex_iterator(); ++it) {
      percent += std::stoi((*it)[1]);
      ++columns;
    }
    EXPECT_EQ(percent, 100) << colgroup;
    const size_t first_row = html.find("</tr>", head);
    const std::string header = html.substr(head, first_row - head);
    size_t headings = 0;
    for (size_t th = header.find("<th "); th != std::string::npos; th = header.find("<th ", th + 1)) ++headings;
    EXPECT_EQ(headings, static_cast<size_t>(columns)) << header;
  }
  EXPECT_GE(tables, 2u);  // findings and framework controls
  for (size_t at = html.find("<svg "); at != std::string::npos; at = html.find("<svg ", at + 1)) {
    EXPECT_NE(html.substr(at, html.find('>', at) - at).find("viewBox=\"0 0 "), std::string::npos);
  }
}

TEST_F(AuditCliTest, PolicyReportsAndOpenReportsAreValidAgainstTheirCrds) {
  struct Format {
    std::string flag, version, namespaced_kind, cluster_kind, namespaced_crd, cluster_crd;
  };
  for (const Format& f : {Format{"policyreport", "v1alpha2", "PolicyReport", "ClusterPolicyReport",
                                 "kyverno-vendored/wgpolicyk8s.io_policyreports.yaml",
                                 "kyverno-vendored/wgpolicyk8s.io_clusterpolicyreports.yaml"},
                          Format{"openreports", "v1alpha1", "Report", "ClusterReport",
                                 "openreports/openreports.io_reports.yaml", "openreports/openreports.io_clusterreports.yaml"}}) {
    SCOPED_TRACE(f.flag);
    const RunResult run = Audit({"-o", f.flag});
    ASSERT_TRUE(run.finished) << run.why;
    const std::string yaml = run.output.substr(run.output.find("---"));
    const std::vector<YAML::Node> documents = YAML::LoadAll(yaml);
    ASSERT_GE(documents.size(), 3u);
    const YAML::Node namespaced = ReportCrdSchema(f.namespaced_crd, f.version);
    const YAML::Node cluster = ReportCrdSchema(f.cluster_crd, f.version);
    ASSERT_TRUE(namespaced && cluster);
    size_t results = 0, clusters = 0;
    for (const YAML::Node& document : documents) {
      const std::string kind = document["kind"].as<std::string>();
      const bool is_cluster = kind == f.cluster_kind;
      EXPECT_TRUE(is_cluster || kind == f.namespaced_kind) << kind;
      clusters += is_cluster;
      ValidateAgainstSchema(document, is_cluster ? cluster : namespaced, "");
      EXPECT_EQ(document["metadata"]["namespace"].IsDefined(), !is_cluster);
      int counted = 0;
      for (const char* r : {"pass", "fail", "warn", "error", "skip"}) counted += document["summary"][r].as<int>();
      EXPECT_EQ(static_cast<size_t>(counted), document["results"].size());
      results += document["results"].size();
    }
    EXPECT_EQ(clusters, 1u);
    EXPECT_GT(results, 10u);
  }
}

// Namespace objects among the inputs, or in --namespaces, are the cluster
// context of every object in their namespace, wherever they stand (after
// the objects too), and no resources of the report: the answers are those
// of `keyward check` on the same inputs (tests/fixtures/policies/
// team-a-b-context.yaml: team-l claims namespaces labelled for it, team-a
// has keys for eu-west-1 too).
json ContextJob(const std::string& name, const std::string& ns, const std::string& key) {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "TrainingJob"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"trainingJobName", name},
            {"roleARN", "arn:aws:iam::111122223333:role/team-a"},
            {"algorithmSpecification",
             {{"trainingImage", "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1"}, {"trainingInputMode", "File"}}},
            {"outputDataConfig", {{"s3OutputPath", "s3://team-a/out"}, {"kmsKeyID", key}}},
            {"resourceConfig",
             {{"instanceCount", 1}, {"instanceType", "ml.m5.xlarge"}, {"volumeSizeInGB", 10}, {"volumeKMSKeyID", key}}},
            {"stoppingCondition", {{"maxRuntimeInSeconds", 3600}}}}}};
}

json NamespaceObject(const std::string& name, const json& labels, const json& annotations) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", name}, {"labels", labels}, {"annotations", annotations}}}};
}

// What one object was found to be: its tenant and its (path, code) pairs.
struct Judged {
  std::string tenant;
  std::set<std::pair<std::string, std::string>> violations;
  bool operator==(const Judged&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Judged& judged) {
  out << "tenant " << judged.tenant << ":";
  for (const auto& [path, code] : judged.violations) out << " " << code << "@" << path;
  return out;
}

class AuditContextCliTest : public ::testing::Test {
 protected:
  // `keyward audit -o json` on `args`: the report, or null.
  json Audit(std::vector<std::string> args, int* exit_status = nullptr) {
    args.insert(args.begin(), {"audit", "--policy", PolicyFixturePath("team-a-b-context.yaml"), "-o", "json"});
    const RunResult run = RunKeyward(args, dir_.File("out-" + std::to_string(++runs_)));
    EXPECT_TRUE(run.finished) << run.why;
    if (exit_status != nullptr) *exit_status = run.exit_status;
    const size_t start = run.output.find("{\n"), end = run.output.rfind('}');
    if (start == std::string::npos || end == std::string::npos) return json();
    return json::parse(run.output.substr(start, end - start + 1), nullptr, false);
  }
  static Judged InAudit(const json& report, const std::string& name) {
    Judged judged;
    for (const json& resource : report.value("resources", json::array())) {
      if (resource.value("name", "") == name) judged.tenant = resource.value("tenant", "");
    }
    for (const json& finding : report.value("findings", json::array())) {
      if (finding.value("name", "") == name) judged.violations.emplace(finding["path"], finding["code"]);
    }
    return judged;
  }
  static std::string StatusOf(const json& report, const std::string& name) {
    for (const json& resource : report.value("resources", json::array())) {
      if (resource.value("name", "") == name) return resource.value("status", "");
    }
    return "(not reported)";
  }
  // `keyward check -o json` on the same `args`: each object as check judges it.
  std::map<std::string, Judged> Check(std::vector<std::string> args) {
    args.insert(args.begin(), {"check", "--policy", PolicyFixturePath("team-a-b-context.yaml"), "-o", "json"});
    const RunResult run = RunKeyward(args, dir_.File("check-" + std::to_string(++runs_)));
    EXPECT_TRUE(run.finished) << run.why;
    std::map<std::string, Judged> out;
    const json verdicts = json::parse(run.output.substr(0, run.output.rfind(']') + 1), nullptr, false);
    for (const json& verdict : verdicts.is_array() ? verdicts : json::array()) {
      Judged& judged = out[verdict.value("name", "")];
      judged.tenant = verdict.value("tenant", "");
      for (const json& v : verdict["violations"]) judged.violations.emplace(v["path"], v["code"]);
    }
    return out;
  }
  std::string Write(const std::string& name, const std::string& text) {
    WriteFile(dir_.File(name), text);
    return dir_.File(name);
  }
  TempDir dir_;
  int runs_ = 0;
};

TEST_F(AuditContextCliTest, ANamespaceObjectAfterTheObjectsInItIsTheirContext) {
  const json job = ContextJob("labelled", "ml-1", kTeamLKey);
  const json ns = NamespaceObject("ml-1", {{"platform.example.com/tenant", "l"}}, json::object());
  // YAML, the Namespace last.
  const std::string yaml = Write("all.yaml", "# kubectl get trainingjobs,ns -o yaml, in any order\n" + job.dump() +
                                                 "\n---\n" + ns.dump() + "\n");
  int exit_status = -1;
  const json report = Audit({"-f", yaml}, &exit_status);
  EXPECT_EQ(exit_status, 0);
  EXPECT_EQ(report["summary"]["objects"], 1) << "the Namespace is context, not a resource: " << report.dump(1);
  EXPECT_EQ(InAudit(report, "labelled").tenant, "team-l");
  EXPECT_EQ(StatusOf(report, "labelled"), "compliant");
  EXPECT_EQ(InAudit(report, "labelled"), Check({"-f", yaml})["labelled"]);

  // A JSON List, the Namespace as its last item, and a second file after the first.
  const std::string list = Write("list.json", json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", {job, ns}}}.dump(1));
  EXPECT_EQ(InAudit(Audit({"-f", list}), "labelled").tenant, "team-l");
  const std::string job_only = Write("job.json", job.dump());
  const std::string ns_only = Write("ns.json", ns.dump());
  EXPECT_EQ(InAudit(Audit({"-f", job_only, "-f", ns_only}), "labelled").tenant, "team-l");

  // Without the Namespace object its labels are unknown: no tenant claims it.
  const json blind = Audit({"-f", job_only});
  EXPECT_EQ(StatusOf(blind, "labelled"), "unclaimed");
  EXPECT_EQ(blind["summary"]["unclaimed"], 1);
}

TEST_F(AuditContextCliTest, TheNamespacesRegionChangesTheVerdictAsInCheck) {
  // kubectl get ns team-a -o yaml: a List of one, annotated for eu-west-1.
  const std::string namespaces =
      Write("ns.yaml", "apiVersion: v1\nkind: List\nitems:\n- " +
                           NamespaceObject("team-a", json::object(), {{"services.k8s.aws/default-region", "eu-west-1"}})
                               .dump() +
                           "\n");
  const std::string jobs = Write("jobs.json", json{{"apiVersion", "v1"},
                                                   {"kind", "List"},
                                                   {"items",
                                                    {ContextJob("home-keys", "team-a", kTeamAKey),
                                                     ContextJob("regional-keys", "team-a", kTeamAKeyEuWest)}}}
                                                  .dump());
  const std::vector<std::string> args = {"--namespaces", namespaces, "-f", jobs};
  int exit_status = -1;
  const json report = Audit(args, &exit_status);
  EXPECT_EQ(exit_status, 1);
  const Judged home = InAudit(report, "home-keys");
  EXPECT_EQ(home.violations, (std::set<std::pair<std::string, std::string>>{
                                 {"spec.outputDataConfig.kmsKeyID", "RegionMismatch"},
                                 {"spec.resourceConfig.volumeKMSKeyID", "RegionMismatch"}}))
      << home;
  EXPECT_EQ(StatusOf(report, "regional-keys"), "compliant");
  const std::map<std::string, Judged> checked = Check(args);
  ASSERT_EQ(checked.size(), 2u);
  EXPECT_EQ(home, checked.at("home-keys"));
  EXPECT_EQ(InAudit(report, "regional-keys"), checked.at("regional-keys"));
  EXPECT_NE(report["inputs"].dump().find("ns.yaml"), std::string::npos) << report["inputs"].dump();

  // Without the namespace, the tenant's own region: the other way round.
  const json blind = Audit({"-f", jobs});
  EXPECT_EQ(StatusOf(blind, "home-keys"), "compliant");
  EXPECT_EQ(StatusOf(blind, "regional-keys"), "noncompliant");

  // --namespaces reads files; a live cluster's namespaces come from the cluster.
  Audit({"--namespaces", namespaces}, &exit_status);
  EXPECT_EQ(exit_status, 2);
}

TEST_F(AuditContextCliTest, ANamespaceTwoTenantsClaimIsAmbiguousAndOfNoTenant) {
  // team-a by name, team-l by label.
  const json items = json::array({NamespaceObject("team-a", {{"platform.example.com/tenant", "l"}}, json::object()),
                                   ContextJob("claimed-twice", "team-a", kTeamAKey)});
  const std::string inputs = Write("both.json", json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}}.dump());
  const json report = Audit({"-f", inputs});
  EXPECT_EQ(StatusOf(report, "claimed-twice"), "noncompliant");
  const Judged judged = InAudit(report, "claimed-twice");
  EXPECT_EQ(judged, (Judged{"", {{"metadata.namespace", "AmbiguousTenant"}}})) << judged;
  EXPECT_EQ(report["summary"]["keys"]["total"], 0) << "in no tenant's share";
  EXPECT_EQ(judged.violations, Check({"-f", inputs})["claimed-twice"].violations);
  const RunResult text = RunKeyward({"audit", "--policy", PolicyFixturePath("team-a-b-context.yaml"), "-f", inputs},
                                    dir_.File("text"));
  EXPECT_NE(text.output.find("TrainingJob team-a/claimed-twice (no tenant, open"), std::string::npos) << text.output;
}

}  // namespace
// The Pipelines among the inputs, wherever they stand, are what the
// PipelineExecutions name: another tenant's pipeline is ForeignPipeline, as
// in check.
TEST_F(AuditContextCliTest, APipelineAfterTheExecutionsThatNameItIsTheirs) {
  auto pipeline = [](const std::string& name, const std::string& ns) {
    return json{{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
                {"kind", "Pipeline"},
                {"metadata", {{"name", name}, {"namespace", ns}}},
                {"spec", {{"pipelineName", name}, {"pipelineDefinition", R"({"Version":"2020-12-01","Steps":[]})"}}}};
  };
  auto execution = [](const std::string& name, const std::string& pipeline_name) {
    return json{{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
                {"kind", "PipelineExecution"},
                {"metadata", {{"name", name}, {"namespace", "team-a"}}},
                {"spec", {{"pipelineName", pipeline_name}}}};
  };
  const std::string yaml =
      Write("runs.yaml", "# the runs first\n" + execution("run-theirs", "train-b").dump() + "\n---\n" +
                             execution("run-own", "train-a").dump() + "\n---\n" + pipeline("train-a", "team-a").dump() +
                             "\n---\n" + pipeline("train-b", "team-b").dump() + "\n");
  const json report = Audit({"-f", yaml});
  const Judged theirs = InAudit(report, "run-theirs");
  EXPECT_EQ(theirs.violations.count({"spec.pipelineName", "ForeignPipeline"}), 1u) << report.dump(1);
  EXPECT_EQ(InAudit(report, "run-own").violations.count({"spec.pipelineName", "ForeignPipeline"}), 0u);
  const std::map<std::string, Judged> checked = Check({"-f", yaml});
  EXPECT_EQ(theirs, checked.at("run-theirs"));
  EXPECT_EQ(InAudit(report, "run-own"), checked.at("run-own"));
}

}  // namespace keyward::testing
