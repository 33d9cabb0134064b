// `keyward audit` on a live cluster, against FakeKubeApi over real TLS:
// discovery, paginated lists, a 403 on one kind, a group not installed, the
// namespaces' labels and annotations as the context of every object (and a
// 403 on them), and each way to authenticate (token, token file, client
// certificate, exec plugin, in-cluster), with kubeconfigs found and merged
// as kubectl does.
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/certificates.h"
#include "tests/support/files.h"
#include "tests/support/fixture_keys.h"
#include "tests/support/keyward_process.h"
#include "tests/webhook/kube/fake_kube_api.h"
#include "webhook/base/base64.h"
#include "webhook/kube/exec_credential.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

constexpr char kAck[] = "sagemaker.services.k8s.aws";

json Namespace(const std::string& name, const json& labels = json::object(), const json& annotations = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", name}, {"labels", labels}, {"annotations", annotations}}}};
}

json TrainingJob(int i, bool keyed) {
  json job = {{"apiVersion", std::string(kAck) + "/v1alpha1"},
              {"kind", "TrainingJob"},
              {"metadata", {{"name", "job-" + std::to_string(i)}, {"namespace", i % 2 ? "team-a" : "team-b"},
                            {"creationTimestamp", "2026-11-2" + std::to_string(i % 7) + "T10:00:00Z"}}},
              {"spec", {{"trainingJobName", "job"},
                        {"outputDataConfig", {{"s3OutputPath", "s3://b"}}},
                        {"resourceConfig", {{"instanceType", "ml.m5.xlarge"}, {"instanceCount", 1}}}}}};
  if (keyed) {
    job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAKey;
    job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAKey;
  }
  return job;
}

class LiveAuditTest : public ::testing::Test {
 protected:
  // A cluster with namespaces team-a and team-b, 8 TrainingJobs (4 in
  // team-a, compliant; 4 in team-b, not), EndpointConfigs forbidden, and
  // the legacy group not installed.
  void StartCluster(FakeKubeApi::Options options) {
    api_ = std::make_unique<FakeKubeApi>(ca_, dir_.path(), options);
    api_->Serve("", "v1", "namespaces", "Namespace", {Namespace("team-a"), Namespace("team-b")});
    std::vector<json> jobs;
    for (int i = 0; i < 8; ++i) jobs.push_back(TrainingJob(i, i % 2 == 1));
    api_->Serve(kAck, "v1alpha1", "trainingjobs", "TrainingJob", jobs);
    api_->Serve(kAck, "v1alpha1", "endpointconfigs", "EndpointConfig", {});
    api_->Forbid("endpointconfigs");
  }

  std::string CaData() const { return Base64Encode(ReadFile(dir_.File("ca.crt"))); }

  // A kubeconfig whose user is `user` (YAML lines under `user:`).
  std::string WriteKubeconfig(const std::string& name, const std::string& user, const std::string& cluster_extra = "") {
    const std::string path = dir_.File(name);
    WriteFile(path, "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n  cluster:\n"
                    "    server: " + api_->server() + "\n    certificate-authority-data: " + CaData() + "\n" + cluster_extra +
                        "contexts:\n- name: test\n  context: {cluster: fake, user: tester}\nusers:\n- name: tester\n  user:\n" +
                        user);
    return path;
  }

  RunResult Audit(std::vector<std::string> extra, const Environment& env = {}) {
    std::vector<std::string> args = {"audit", "--policy", PolicyFixturePath(policy_), "-o", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKeyward(args, dir_.File("out-" + std::to_string(++runs_)), {}, env);
  }

  static json Report(const RunResult& run) {
    const size_t end = run.output.rfind('}');
    const size_t start = run.output.find("{\n");
    if (end == std::string::npos || start == std::string::npos) return json();
    return json::parse(run.output.substr(start, end - start + 1), nullptr, false);
  }

  void SetUp() override { ca_.WriteCertificate(dir_.File("ca.crt")); }

  TempDir dir_;
  TestCertificateAuthority ca_;
  std::unique_ptr<FakeKubeApi> api_;
  std::string policy_ = "team-a-b.yaml";
  int runs_ = 0;
};

json KeyedJob(const std::string& name, const std::string& ns, const std::string& key) {
  json job = TrainingJob(1, true);
  job["metadata"]["name"] = name;
  job["metadata"]["namespace"] = ns;
  job["spec"]["outputDataConfig"]["kmsKeyID"] = key;
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = key;
  return job;
}

// The report's resource of that name, and its findings' codes.
json ResourceNamed(const json& report, const std::string& name) {
  for (const json& resource : report.value("resources", json::array())) {
    if (resource.value("name", "") == name) return resource;
  }
  return json();
}
std::multiset<std::string> FindingCodes(const json& report, const std::string& name) {
  std::multiset<std::string> codes;
  for (const json& finding : report.value("findings", json::array())) {
    if (finding.value("name", "") == name) codes.insert(finding.value("code", ""));
  }
  return codes;
}

// The cluster context as the server sees it (tests/fixtures/policies/
// team-a-b-context.yaml): namespace ml-1 is labelled for team-l, team-a is
// annotated for eu-west-1, where team-a has keys of its own.
class LiveAuditContextTest : public LiveAuditTest {
 protected:
  void SetUp() override {
    LiveAuditTest::SetUp();
    policy_ = "team-a-b-context.yaml";
    api_ = std::make_unique<FakeKubeApi>(ca_, dir_.path(), FakeKubeApi::Options{.token = "t"});
    api_->Serve("", "v1", "namespaces", "Namespace",
                {Namespace("ml-1", {{"platform.example.com/tenant", "l"}}),
                 Namespace("team-a", json::object(), {{"services.k8s.aws/default-region", "eu-west-1"}})});
    api_->Serve(kAck, "v1alpha1", "trainingjobs", "TrainingJob",
                {KeyedJob("labelled", "ml-1", kTeamLKey), KeyedJob("home-keys", "team-a", kTeamAKey),
                 KeyedJob("regional-keys", "team-a", kTeamAKeyEuWest)});
    kubeconfig_ = WriteKubeconfig("config", "    token: t\n");
  }
  std::string kubeconfig_;
};

TEST_F(LiveAuditContextTest, TheNamespacesAreListedFirstAndDecideTenantAndRegion) {
  const RunResult run = Audit({"--kubeconfig", kubeconfig_});
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 1) << run.output;
  const json report = Report(run);
  ASSERT_TRUE(report.is_object()) << run.output;
  EXPECT_EQ(report["complete"], true) << report["incomplete"].dump();
  EXPECT_EQ(report["summary"]["objects"], 3) << "Namespaces are context, not resources of the report";
  // A tenant by label.
  EXPECT_EQ(ResourceNamed(report, "labelled")["tenant"], "team-l");
  EXPECT_EQ(ResourceNamed(report, "labelled")["status"], "compliant");
  // The namespace's region: team-a's keys there are compliant, its home keys are not.
  EXPECT_EQ(ResourceNamed(report, "regional-keys")["status"], "compliant");
  EXPECT_EQ(ResourceNamed(report, "home-keys")["status"], "noncompliant");
  EXPECT_EQ(FindingCodes(report, "home-keys"), (std::multiset<std::string>{"RegionMismatch", "RegionMismatch"}));
  const std::vector<std::string> requests = api_->requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.front(), "/api/v1/namespaces?...");

  // With -n the one namespace is read (get, which a RoleBinding there grants).
  const RunResult one = Audit({"--kubeconfig", kubeconfig_, "-n", "ml-1"});
  EXPECT_EQ(one.exit_status, 0) << one.output;
  EXPECT_EQ(ResourceNamed(Report(one), "labelled")["tenant"], "team-l") << one.output;
  const std::vector<std::string> later = api_->requests();
  EXPECT_NE(std::find(later.begin(), later.end(), "/api/v1/namespaces/ml-1"), later.end());
}

TEST_F(LiveAuditContextTest, NamespacesThatCannotBeReadLeaveTheReportIncompleteAndNamesAlone) {
  api_->Forbid("namespaces");
  const RunResult run = Audit({"--kubeconfig", kubeconfig_});
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 3) << run.output;
  const json report = Report(run);
  ASSERT_TRUE(report.is_object()) << run.output;
  EXPECT_EQ(report["complete"], false);
  ASSERT_EQ(report["incomplete"].size(), 1u) << report["incomplete"].dump();
  const std::string problem = report["incomplete"][0];
  EXPECT_NE(problem.find("forbidden to list namespaces: grant the RBAC verb list on namespaces"), std::string::npos)
      << problem;
  EXPECT_NE(problem.find("judged by namespace names alone"), std::string::npos) << problem;
  // Judged by names alone: no tenant by label, the tenant's own region.
  EXPECT_EQ(ResourceNamed(report, "labelled")["status"], "unclaimed");
  EXPECT_EQ(ResourceNamed(report, "home-keys")["status"], "compliant");
  EXPECT_EQ(FindingCodes(report, "regional-keys"), (std::multiset<std::string>{"RegionMismatch", "RegionMismatch"}));

  const RunResult one = Audit({"--kubeconfig", kubeconfig_, "-n", "ml-1"});
  EXPECT_EQ(one.exit_status, 3) << one.output;
  EXPECT_NE(Report(one)["incomplete"].dump().find("forbidden to get namespace ml-1: grant the RBAC verb get on "
                                                  "namespaces"),
            std::string::npos)
      << one.output;
}

TEST_F(LiveAuditTest, ListsEveryPageReportsTheForbiddenKindAndExitsIncomplete) {
  StartCluster({.token = "s3cr3t"});
  const std::string kubeconfig = WriteKubeconfig("config", "    token: s3cr3t\n");
  const RunResult run = Audit({"--kubeconfig", kubeconfig});
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 3) << run.output;  // incomplete: a gate cannot pass on a silent 403
  const json report = Report(run);
  ASSERT_TRUE(report.is_object()) << run.output;
  EXPECT_EQ(report["summary"]["objects"], 8);
  EXPECT_EQ(report["summary"]["compliant"], 4);
  EXPECT_EQ(report["summary"]["noncompliant"], 4);
  EXPECT_EQ(report["cluster"], "fake");
  EXPECT_EQ(report["context"], "test");
  EXPECT_EQ(report["complete"], false);
  ASSERT_EQ(report["incomplete"].size(), 1u);
  const std::string problem = report["incomplete"][0];
  EXPECT_NE(problem.find("forbidden to list endpointconfigs.sagemaker.services.k8s.aws"), std::string::npos) << problem;
  EXPECT_NE(problem.find("RBAC verb list"), std::string::npos) << problem;
  // The legacy operator's group is not installed: listed as such, not as a failure.
  bool legacy = false;
  for (const json& kind : report["notInstalled"]) legacy = legacy || kind == "trainingjobs.sagemaker.aws.amazon.com";
  EXPECT_TRUE(legacy) << report["notInstalled"].dump();
  // 8 items at most 3 per page: 3 pages, continued twice.
  int job_pages = 0;
  for (const std::string& path : api_->requests()) job_pages += path.starts_with("/apis/sagemaker.services.k8s.aws/v1alpha1/trainingjobs");
  EXPECT_EQ(job_pages, 3);

  const RunResult allowed = Audit({"--kubeconfig", kubeconfig, "--allow-incomplete"});
  EXPECT_EQ(allowed.exit_status, 1) << allowed.output;  // non-compliant objects remain

  const RunResult one_namespace = Audit({"--kubeconfig", kubeconfig, "-n", "team-a", "--allow-incomplete"});
  EXPECT_EQ(Report(one_namespace)["summary"]["objects"], 4);
  EXPECT_EQ(one_namespace.exit_status, 0) << one_namespace.output;
}

TEST_F(LiveAuditTest, AWrongTokenOrCaIsAClearError) {
  StartCluster({.token = "s3cr3t"});
  const RunResult wrong_token = Audit({"--kubeconfig", WriteKubeconfig("bad-token", "    token: nope\n")});
  EXPECT_EQ(wrong_token.exit_status, 3);
  EXPECT_NE(Report(wrong_token)["incomplete"].dump().find("unauthorized"), std::string::npos) << wrong_token.output;

  TestCertificateAuthority other;
  other.WriteCertificate(dir_.File("other-ca.crt"));
  const std::string path = dir_.File("bad-ca");
  WriteFile(path, "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n  cluster:\n    server: " +
                      api_->server() + "\n    certificate-authority: other-ca.crt\ncontexts:\n- name: test\n"
                      "  context: {cluster: fake, user: tester}\nusers:\n- name: tester\n  user: {token: s3cr3t}\n");
  const RunResult bad_ca = Audit({"--kubeconfig", path});
  EXPECT_EQ(bad_ca.exit_status, 2) << bad_ca.output;
  EXPECT_NE(bad_ca.output.find("certificate authority"), std::string::npos) << bad_ca.output;

  const RunResult insecure =
      Audit({"--kubeconfig", WriteKubeconfig("insecure", "    token: s3cr3t\n", "    insecure-skip-tls-verify: true\n"),
             "--allow-incomplete"});
  EXPECT_NE(insecure.output.find("warning: insecure-skip-tls-verify"), std::string::npos) << insecure.output;
  EXPECT_EQ(Report(insecure)["summary"]["objects"], 8);
}

TEST_F(LiveAuditTest, TokenFileAndKubeconfigListMergedAsKubectlDoes) {
  StartCluster({.token = "from-file"});
  WriteFile(dir_.File("token"), "from-file\n");
  // The first file sets current-context (and a user); the second defines the cluster and context.
  const std::string first = dir_.File("first");
  WriteFile(first, "apiVersion: v1\nkind: Config\ncurrent-context: test\nusers:\n- name: tester\n  user: {tokenFile: token}\n");
  const std::string second = WriteKubeconfig("second", "    token: ignored-the-first-file-wins\n");
  const RunResult run = Audit({"--allow-incomplete"}, {{"KUBECONFIG", first + ":" + dir_.File("missing") + ":" + second}});
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(Report(run)["summary"]["objects"], 8) << run.output;
  EXPECT_EQ(api_->tokens_seen(), std::set<std::string>{"from-file"});
  // --context names one that does not exist.
  const RunResult missing = Audit({"--context", "prod"}, {{"KUBECONFIG", first + ":" + second}});
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_NE(missing.output.find("there is no context prod"), std::string::npos) << missing.output;
}

TEST_F(LiveAuditTest, ClientCertificateFromFiles) {
  TestCertificate client = ca_.Issue("system:serviceaccount:audit:keyward");
  WriteFile(dir_.File("client.crt"), client.certificate_pem);
  WriteFile(dir_.File("client.key"), client.key_pem);
  StartCluster({.client_ca_file = dir_.File("ca.crt")});
  const RunResult run = Audit({"--kubeconfig", WriteKubeconfig("certs", "    client-certificate: client.crt\n"
                                                                        "    client-key: client.key\n"),
                               "--allow-incomplete"});
  EXPECT_EQ(Report(run)["summary"]["objects"], 8) << run.output;
  // Without one the TLS handshake is refused, and the report says so.
  const RunResult none = Audit({"--kubeconfig", WriteKubeconfig("no-certs", "    token: x\n")});
  EXPECT_EQ(none.exit_status, 2) << none.output;
}

TEST_F(LiveAuditTest, ExecPluginPrintsAnExecCredential) {
  StartCluster({.token = "k8s-aws-v1.token"});
  const std::string plugin = dir_.File("get-token.sh");
  WriteFile(plugin, "#!/bin/sh\n[ \"$1\" = eks ] && [ \"$AWS_PROFILE\" = team ] || exit 7\n"
                    "echo \"$KUBERNETES_EXEC_INFO\" | grep -q ExecCredential || exit 8\n"
                    "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
                    "\"status\":{\"token\":\"k8s-aws-v1.token\"}}'\n");
  ::chmod(plugin.c_str(), 0755);
  const std::string exec = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: " + plugin +
                           "\n      args: [eks, get-token]\n      env: [{name: AWS_PROFILE, value: team}]\n";
  const RunResult run = Audit({"--kubeconfig", WriteKubeconfig("exec", exec), "--allow-incomplete"});
  EXPECT_EQ(Report(run)["summary"]["objects"], 8) << run.output;
  EXPECT_EQ(api_->tokens_seen(), std::set<std::string>{"k8s-aws-v1.token"});

  const std::string failing = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: " + plugin +
                              "\n      args: [wrong]\n";
  const RunResult failed = Audit({"--kubeconfig", WriteKubeconfig("exec-bad", failing)});
  EXPECT_EQ(failed.exit_status, 2);
  EXPECT_NE(failed.output.find("failed (exit status 7)"), std::string::npos) << failed.output;
}

// An exec plugin's token does not last (EKS: 15 minutes), and a watch or a
// long audit outlives it: a token past its expirationTimestamp is renewed
// before the next request, and a 401 renews it and retries once.
TEST_F(LiveAuditTest, ExecPluginTokensAreRenewedWhenTheyExpireOrAreRefused) {
  StartCluster({.token = "fresh"});
  const std::string runs = dir_.File("runs");
  const std::string plugin = dir_.File("rotating-token.sh");
  // The first run hands out a token the API server no longer takes.
  WriteFile(plugin, "#!/bin/sh\necho x >>" + runs + "\nif [ \"$(wc -l <" + runs + ")\" -eq 1 ]; then t=stale; "
                    "else t=fresh; fi\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                    "\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$t\"\n");
  ::chmod(plugin.c_str(), 0755);
  const std::string exec = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: " + plugin + "\n";
  const RunResult refused = Audit({"--kubeconfig", WriteKubeconfig("exec-401", exec), "--allow-incomplete"});
  EXPECT_EQ(Report(refused)["summary"]["objects"], 8) << refused.output;
  EXPECT_EQ(api_->tokens_seen(), (std::set<std::string>{"stale", "fresh"}));
  EXPECT_EQ(ReadFile(runs), "x\nx\n") << "one renewal after the 401, then the fresh token serves";

  // A token that says it has expired is renewed before each request.
  WriteFile(runs, "");
  WriteFile(plugin, "#!/bin/sh\necho x >>" + runs + "\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                    "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"fresh\",\"expirationTimestamp\":"
                    "\"2020-01-01T00:00:00Z\"}}'\n");
  ::chmod(plugin.c_str(), 0755);
  const RunResult expired = Audit({"--kubeconfig", WriteKubeconfig("exec-expired", exec), "--allow-incomplete"});
  EXPECT_EQ(Report(expired)["summary"]["objects"], 8) << expired.output;
  const std::string renewals = ReadFile(runs);
  EXPECT_GT(std::count(renewals.begin(), renewals.end(), '\n'), 2) << "renewed at each request";
}

// On a live cluster the Pipelines are listed before the executions (the
// catalog's order), so an execution finds the pipeline it names.
TEST_F(LiveAuditTest, ExecutionsAreJudgedWithTheClustersPipelines) {
  StartCluster({.token = "s3cr3t"});
  const json pipeline = {{"apiVersion", std::string(kAck) + "/v1alpha1"},
                         {"kind", "Pipeline"},
                         {"metadata", {{"name", "train-b"}, {"namespace", "team-b"}}},
                         {"spec", {{"pipelineName", "train-b"}, {"pipelineDefinition", R"({"Steps":[]})"}}}};
  const json run = {{"apiVersion", std::string(kAck) + "/v1alpha1"},
                    {"kind", "PipelineExecution"},
                    {"metadata", {{"name", "run-theirs"}, {"namespace", "team-a"}}},
                    {"spec", {{"pipelineName", "train-b"}}}};
  api_->Serve(kAck, "v1alpha1", "pipelines", "Pipeline", {pipeline});
  api_->Serve(kAck, "v1alpha1", "pipelineexecutions", "PipelineExecution", {run});
  const RunResult audited = Audit({"--kubeconfig", WriteKubeconfig("config", "    token: s3cr3t\n"), "--allow-incomplete"});
  const json report = Report(audited);
  bool foreign = false;
  for (const json& finding : report.value("findings", json::array())) {
    foreign = foreign || (finding.value("name", "") == "run-theirs" && finding.value("code", "") == "ForeignPipeline");
  }
  EXPECT_TRUE(foreign) << audited.output;

  // One namespace audited: its executions still see every namespace's
  // Pipelines, and only its own objects are in the report.
  const std::string kubeconfig = WriteKubeconfig("config-n", "    token: s3cr3t\n");
  auto findings_of = [](const json& report, const std::string& name, const std::string& code) {
    size_t count = 0;
    for (const json& finding : report.value("findings", json::array())) {
      count += finding.value("name", "") == name && finding.value("code", "") == code;
    }
    return count;
  };
  const RunResult one = Audit({"--kubeconfig", kubeconfig, "-n", "team-a", "--allow-incomplete"});
  const json one_report = Report(one);
  EXPECT_EQ(findings_of(one_report, "run-theirs", "ForeignPipeline"), 1u) << one.output;
  for (const json& resource : one_report.value("resources", json::array())) {
    EXPECT_EQ(resource.value("namespace", ""), "team-a") << "only team-a is audited: " << resource.dump();
  }
  EXPECT_EQ(one_report["summary"]["keysByNamespace"].size(), 1u) << one.output;

  // Without a ClusterRole on pipelines the run is judged knowing team-a's
  // Pipelines only, and the report says so, with the fix.
  api_->ForbidAtClusterScope("pipelines");
  const RunResult narrow = Audit({"--kubeconfig", kubeconfig, "-n", "team-a", "--allow-incomplete"});
  const json narrow_report = Report(narrow);
  EXPECT_EQ(findings_of(narrow_report, "run-theirs", "ForeignPipeline"), 0u) << narrow.output;
  EXPECT_NE(narrow_report["incomplete"].dump().find("grant list on pipelines.sagemaker.services.k8s.aws in every "
                                                    "namespace"),
            std::string::npos)
      << narrow.output;
}

TEST(Rfc3339Test, ExecCredentialExpiryTimesAreRead) {
  using std::chrono::system_clock;
  const auto at = [](const char* text) { return ParseRfc3339(text); };
  ASSERT_TRUE(at("2026-12-06T21:00:00Z").has_value());
  EXPECT_EQ(system_clock::to_time_t(*at("2026-12-06T21:00:00Z")), 1796590800);
  EXPECT_EQ(*at("2026-12-06T22:00:00+01:00"), *at("2026-12-06T21:00:00Z"));
  EXPECT_EQ(*at("2026-12-06T20:30:00-00:30"), *at("2026-12-06T21:00:00Z"));
  EXPECT_EQ(system_clock::to_time_t(*at("2026-12-06T21:00:00.123456Z")), 1796590800);
  for (const char* bad : {"", "2026-12-06", "2026-12-06T21:00:00", "2026-13-06T21:00:00Z", "2026-12-06T21:00:00+1",
                          "2026-12-06 21:00:00Z", "x026-12-06T21:00:00Z", "2026-12-06T21:00:00Zjunk"}) {
    EXPECT_FALSE(at(bad).has_value()) << bad;
  }
}

// Answers of the wrong shape, from the API server or a plugin, are input
// like any other: a clear error, never an abort.
TEST_F(LiveAuditTest, MalformedDiscoveryAnswersAreAnErrorNotACrash) {
  for (const char* body : {R"({"kind":"APIResourceList","resources":[{"name":7,"kind":["x"],"namespaced":"yes"}]})",
                           R"({"kind":"APIResourceList","resources":"none"})", R"([1,2,3])", R"({"resources":[null,1]})",
                           R"(not json at all)"}) {
    SCOPED_TRACE(body);
    api_ = std::make_unique<FakeKubeApi>(ca_, dir_.path(), FakeKubeApi::Options{.token = "t", .discovery_body = body});
    const RunResult run = Audit({"--kubeconfig", WriteKubeconfig("malformed", "    token: t\n")});
    ASSERT_TRUE(run.finished) << run.why;
    EXPECT_LT(run.exit_status, 128) << run.output;
    EXPECT_EQ(run.output.find("terminate called"), std::string::npos) << run.output;
    EXPECT_NE(run.exit_status, 0) << "a cluster whose discovery cannot be read was reported as audited\n" << run.output;
  }
}

TEST_F(LiveAuditTest, AnExecCredentialOfTheWrongShapeIsAClearError) {
  StartCluster({.token = "k8s-aws-v1.token"});
  const std::string plugin = dir_.File("bad-token.sh");
  WriteFile(plugin, "#!/bin/sh\nprintf '{\"kind\":\"ExecCredential\",\"status\":{\"token\":42,"
                    "\"clientCertificateData\":[1]}}'\n");
  ::chmod(plugin.c_str(), 0755);
  const std::string exec =
      "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: " + plugin + "\n";
  const RunResult run = Audit({"--kubeconfig", WriteKubeconfig("exec-shape", exec)});
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 2) << run.output;
  EXPECT_NE(run.output.find("neither a token nor a certificate"), std::string::npos) << run.output;
}

TEST_F(LiveAuditTest, InClusterWithOverriddenTokenAndCaPaths) {
  StartCluster({.token = "pod-token"});
  WriteFile(dir_.File("sa-token"), "pod-token");
  const RunResult run = Audit({"--in-cluster", "--in-cluster-token-file", dir_.File("sa-token"), "--in-cluster-ca-file",
                               dir_.File("ca.crt"), "--allow-incomplete"},
                              {{"KUBERNETES_SERVICE_HOST", "127.0.0.1"},
                               {"KUBERNETES_SERVICE_PORT", std::to_string(api_->port())}});
  EXPECT_EQ(Report(run)["summary"]["objects"], 8) << run.output;
  EXPECT_EQ(Report(run)["cluster"], "in-cluster");
  const RunResult outside = Audit({"--in-cluster"}, {{"KUBERNETES_SERVICE_HOST", ""}});
  EXPECT_EQ(outside.exit_status, 2);
  EXPECT_NE(outside.output.find("KUBERNETES_SERVICE_HOST"), std::string::npos) << outside.output;
}

}  // namespace
}  // namespace keyward::testing
