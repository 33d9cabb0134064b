// The real `keyward serve` with cluster context on (--kubeconfig), against
// the in-test API server: namespaces listed, then watched; tenants by
// label, the region chain and the owner account decided from them; a
// namespace whose labels change while the server runs; one GET for a
// namespace the cache has not seen; readiness only after the first list;
// the last known namespaces when the API server is gone. Every case is
// also run through `keyward check` with the Namespace objects among its
// inputs, and must get the same answer.
#include <chrono>
#include <functional>
#include <map>
#include <sstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/server_fixture.h"
#include "tests/webhook/kube/fake_kube_api.h"

namespace keyward::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kLabel[] = "platform.example.com/tenant";
constexpr char kKeyL[] = "arn:aws:kms:us-east-1:121212121212:key/11111111-0000-4000-8000-000000000001";
constexpr char kKeyLEu[] = "arn:aws:kms:eu-west-1:121212121212:key/11111111-0000-4000-8000-000000000002";
constexpr char kKeyA[] = "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab";

// team-a and team-b of the fixture, plus team-l, which claims the
// namespaces labelled platform.example.com/tenant=l and has a key for
// eu-west-1 as well as its home key.
std::string ContextPolicy(const std::string& fixture) {
  return fixture + R"(    - name: team-l
      namespaceSelector: {matchLabels: {platform.example.com/tenant: l}}
      keys:
        default: )" + kKeyL + R"(
        regions:
          eu-west-1: {default: )" + kKeyLEu + R"(}
)";
}

json Namespace(const std::string& name, std::map<std::string, std::string> labels = {},
               std::map<std::string, std::string> annotations = {}) {
  json metadata = {{"name", name}, {"uid", "uid-" + name}, {"creationTimestamp", "2026-12-01T00:00:00Z"}};
  if (!labels.empty()) metadata["labels"] = labels;
  if (!annotations.empty()) metadata["annotations"] = annotations;
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", metadata}, {"status", {{"phase", "Active"}}}};
}

// What a request came to: the tenant, the keys written (path -> value),
// whether the (patched) object was allowed, and the violation codes.
struct Answer {
  std::string tenant;
  std::map<std::string, std::string> injected;
  bool allowed = false;
  std::set<std::string> codes;
  bool operator==(const Answer&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Answer& a) {
  out << "{tenant " << a.tenant << ", allowed " << a.allowed << ", codes [";
  for (const std::string& code : a.codes) out << code << " ";
  out << "], injected [";
  for (const auto& [path, value] : a.injected) out << path << "=" << value << " ";
  return out << "]}";
}

// A key in every one of the six key fields of EndpointConfigWithoutKeys.
std::map<std::string, std::string> EveryField(const std::string& key) {
  std::map<std::string, std::string> fields;
  for (const char* path : {"/spec/kmsKeyID", "/spec/asyncInferenceConfig/outputConfig/kmsKeyID",
                           "/spec/dataCaptureConfig/kmsKeyID", "/spec/productionVariants/0/coreDumpConfig/kmsKeyID",
                           "/spec/productionVariants/1/coreDumpConfig/kmsKeyID",
                           "/spec/productionVariants/2/coreDumpConfig/kmsKeyID"}) {
    fields[path] = key;
  }
  EXPECT_EQ(fields.size(), kEndpointConfigKmsFields);
  return fields;
}

struct ContextCase {
  std::string name;
  json ns;
  std::map<std::string, std::string> resource_annotations;
  std::string tenant;
  std::string injected_key;  // "" when nothing may be written
  bool allowed;
  std::set<std::string> codes;
};

std::vector<ContextCase> Cases() {
  return {
      {"label", Namespace("ml-1", {{kLabel, "l"}}), {}, "team-l", kKeyL, true, {}},
      {"namespace-region", Namespace("ml-eu", {{kLabel, "l"}}, {{"services.k8s.aws/default-region", "eu-west-1"}}),
       {}, "team-l", kKeyLEu, true, {}},
      {"resource-region-first", Namespace("ml-eu2", {{kLabel, "l"}}, {{"services.k8s.aws/default-region", "eu-west-1"}}),
       {{"services.k8s.aws/region", "us-east-1"}}, "team-l", kKeyL, true, {}},
      {"region-without-key", Namespace("ml-ap", {{kLabel, "l"}}, {{"services.k8s.aws/default-region", "ap-south-1"}}),
       {}, "team-l", "", false, {"MissingKey"}},
      {"owner-account", Namespace("team-b", {}, {{"services.k8s.aws/owner-account-id", "444455556666"}}), {}, "team-b",
       "", false, {"MissingKey"}},
      {"ambiguous", Namespace("team-a", {{kLabel, "l"}}), {}, "", "", false, {"AmbiguousTenant"}},
      {"unclaimed", Namespace("ml-none"), {}, "", "", false, {"NoTenant"}},
  };
}

json ResourceOf(const ContextCase& c) {
  json object = EndpointConfigWithoutKeys("ec-" + c.name);
  object["metadata"]["namespace"] = c.ns["metadata"]["name"];
  if (!c.resource_annotations.empty()) object["metadata"]["annotations"] = c.resource_annotations;
  return object;
}

Answer Expected(const ContextCase& c) {
  Answer answer{c.tenant, {}, c.allowed, c.codes};
  if (!c.injected_key.empty()) answer.injected = EveryField(c.injected_key);
  return answer;
}

class ContextServerTest : public ServerTest {
 protected:
  void StartCluster(std::vector<json> namespaces) {
    api_ = std::make_unique<FakeKubeApi>(ca_, dir_, FakeKubeApi::Options{.token = "s3cr3t"});
    api_->Serve("", "v1", "namespaces", "Namespace", std::move(namespaces));
    WriteKubeconfig(api_->server());
  }

  void WriteKubeconfig(const std::string& server) {
    WriteFile(Path("kubeconfig"), "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: fake\n"
                                  "  cluster:\n    server: " + server + "\n    certificate-authority: " + ca_path_ +
                                      "\ncontexts:\n- name: test\n  context: {cluster: fake, user: keyward}\n"
                                      "users:\n- name: keyward\n  user:\n    token: s3cr3t\n");
  }

  // Starts the server with cluster context on; waits until it serves and,
  // when `ready`, until /readyz says the namespaces are listed.
  void StartWithContext(bool ready = true) {
    WriteFile(policy_path_, ContextPolicy(ReadFile(policy_path_)));
    server_ = std::make_unique<KeywardProcess>(ServeArgs({"--kubeconfig", Path("kubeconfig")}), Path("server.log"));
    ASSERT_TRUE(server_->WaitUntilServing()) << server_->Log();
    if (!ready) return;
    ASSERT_TRUE(WaitFor([&] { return GetOps("/readyz").status == 200; })) << server_->Log();
  }

  static bool WaitFor(const std::function<bool()>& condition, milliseconds bound = milliseconds(10'000)) {
    const auto deadline = steady_clock::now() + bound;
    while (steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return condition();
  }

  json Review(const std::string& path, const json& object) {
    const std::string uid = "uid-" + std::to_string(++reviews_);
    auto client = Client();
    HttpResult http = Post(*client, path, CreateReview(object, object["metadata"]["namespace"], uid));
    EXPECT_EQ(http.status, 200) << http.body;
    EXPECT_EQ(http.json["response"]["uid"], uid) << http.body;
    return http.json["response"];
  }

  // Mutate, apply the patch, validate the patched object: what the API
  // server does with keyward's two webhooks.
  Answer ThroughTheServer(const json& object) {
    Answer answer;
    const json mutated = Review("/mutate", object);
    json patched = object;
    if (mutated.contains("patch")) {
      const json patch = DecodePatch({{"response", mutated}});
      patched = object.patch(patch);
      for (const json& op : patch) answer.injected[op["path"]] = op.value("value", "(not a string)");
    }
    const json validated = Review("/validate", patched);
    answer.allowed = validated["allowed"];
    answer.codes = CodesIn(validated);
    answer.tenant = LoggedTenant(validated["uid"]);
    return answer;
  }

  static std::set<std::string> CodesIn(const json& response) { return DeniedCodes(response); }

  // The tenant the server's decision log names for the request `uid`.
  std::string LoggedTenant(const std::string& uid) {
    const std::string needle = "\"uid\":\"" + uid + "\"";
    EXPECT_TRUE(server_->WaitForLog(needle)) << server_->Log();
    std::istringstream lines(server_->Log());
    for (std::string line; std::getline(lines, line);) {
      if (line.find(needle) == std::string::npos) continue;
      const json entry = json::parse(line, nullptr, false);
      if (entry.is_object()) return entry.value("tenant", "");
    }
    return "";
  }

  // The same objects through `keyward check -o json`, the Namespace objects
  // among the inputs.
  std::vector<Answer> ThroughCheck(const std::vector<json>& namespaces, const std::vector<json>& objects) {
    std::string input;
    for (const json& ns : namespaces) input += ns.dump() + "\n---\n";
    for (const json& object : objects) input += object.dump() + "\n---\n";
    WriteFile(Path("check-input.yaml"), input);
    RunResult run = RunKeyward({"check", "--policy", policy_path_, "-o", "json", "-f", Path("check-input.yaml")},
                               Path("check-output"));
    EXPECT_TRUE(run.finished) << run.why;
    const json report = json::parse(run.output.substr(run.output.find('[')), nullptr, false);
    EXPECT_TRUE(report.is_array()) << run.output;
    std::vector<Answer> answers;
    for (size_t i = 0; report.is_array() && i < report.size(); ++i) {
      const json& r = report[i];
      Answer answer{r["tenant"], {}, r["allowed"], {}};
      for (const json& op : r["patch"]) answer.injected[op["path"]] = op["value"];
      for (const json& v : r["violations"]) {
        if (v["enforcement"] == "deny") answer.codes.insert(v["code"].get<std::string>());
      }
      answers.push_back(answer);
    }
    return answers;
  }

  std::unique_ptr<FakeKubeApi> api_;
  int reviews_ = 0;
};

TEST_F(ContextServerTest, EveryCaseIsDecidedFromTheNamespaceAsCheckDecidesIt) {
  const std::vector<ContextCase> cases = Cases();
  std::vector<json> namespaces;
  std::vector<json> objects;
  for (const ContextCase& c : cases) {
    namespaces.push_back(c.ns);
    objects.push_back(ResourceOf(c));
  }
  StartCluster(namespaces);
  StartWithContext();
  const std::vector<Answer> checked = ThroughCheck(namespaces, objects);
  ASSERT_EQ(checked.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const ContextCase& c = cases[i];
    EXPECT_EQ(ThroughTheServer(objects[i]), Expected(c)) << "server, case " << c.name;
    EXPECT_EQ(checked[i], Expected(c)) << "keyward check, case " << c.name;
  }
  const std::string metrics = Metrics();
  EXPECT_EQ(MetricValue(metrics, "keyward_namespace_cache_synced"), 1) << metrics;
  EXPECT_EQ(MetricValue(metrics, "keyward_namespaces_cached"), static_cast<double>(cases.size())) << metrics;
  EXPECT_EQ(MetricValue(metrics, "keyward_namespace_lookups_total{result=\"cache\"}"), 2.0 * cases.size()) << metrics;
  EXPECT_GE(MetricValue(metrics, "keyward_violations_total{kind=\"EndpointConfig\",code=\"AmbiguousTenant\"}"), 1)
      << metrics;
}

TEST_F(ContextServerTest, TheNextRequestFollowsLabelsChangedWhileTheServerRuns) {
  StartCluster({Namespace("ml-2")});
  StartWithContext();
  json object = EndpointConfigWithoutKeys("moving");
  object["metadata"]["namespace"] = "ml-2";
  EXPECT_EQ(ThroughTheServer(object), (Answer{"", {}, false, {"NoTenant"}}));

  api_->Push("MODIFIED", Namespace("ml-2", {{kLabel, "l"}}));
  const Answer labelled{"team-l", EveryField(kKeyL), true, {}};
  EXPECT_TRUE(WaitFor([&] { return ThroughTheServer(object) == labelled; })) << ThroughTheServer(object);

  api_->Push("MODIFIED", Namespace("ml-2", {{kLabel, "l"}}, {{"services.k8s.aws/default-region", "eu-west-1"}}));
  const Answer moved{"team-l", EveryField(kKeyLEu), true, {}};
  EXPECT_TRUE(WaitFor([&] { return ThroughTheServer(object) == moved; })) << ThroughTheServer(object);

  api_->Push("DELETED", Namespace("ml-2", {{kLabel, "l"}}));
  api_->AnswerNamespaceGets(0);  // deleted: the GET answers 404, the request is denied asking to retry
  EXPECT_TRUE(WaitFor([&] { return Review("/validate", object)["status"]["code"] == 503; })) << server_->Log();
}

TEST_F(ContextServerTest, ANamespaceTheCacheHasNotSeenIsReadWithOneGet) {
  StartCluster({Namespace("ml-1", {{kLabel, "l"}})});
  StartWithContext();
  api_->AddWithoutEvent(Namespace("ml-new", {{kLabel, "l"}}));
  json object = EndpointConfigWithoutKeys("fresh");
  object["metadata"]["namespace"] = "ml-new";
  EXPECT_EQ(ThroughTheServer(object), (Answer{"team-l", EveryField(kKeyL), true, {}}));
  EXPECT_EQ(api_->namespace_gets(), 2u) << "one GET per request: mutate, then validate";
  EXPECT_EQ(MetricValue(Metrics(), "keyward_namespace_lookups_total{result=\"fetched\"}"), 2);

  // The GET fails: denied, with a message to retry, never judged without labels.
  api_->AnswerNamespaceGets(500);
  object["metadata"]["namespace"] = "ml-newer";
  for (const char* webhook : {"/mutate", "/validate"}) {
    const json response = Review(webhook, object);
    EXPECT_EQ(response["allowed"], false) << response.dump();
    EXPECT_EQ(response["status"]["code"], 503) << response.dump();
    const std::string message = response["status"]["message"];
    EXPECT_NE(message.find("namespace \"ml-newer\""), std::string::npos) << message;
    EXPECT_NE(message.find("retry"), std::string::npos) << message;
    EXPECT_FALSE(response.contains("patch")) << response.dump();
  }
  EXPECT_EQ(MetricValue(Metrics(), "keyward_namespace_lookups_total{result=\"unavailable\"}"), 2);

  // A slow API server: the request waits at most --namespace-lookup-timeout (2 s here).
  api_->AnswerNamespaceGets(0, milliseconds(6000));
  const auto start = steady_clock::now();
  EXPECT_EQ(Review("/validate", object)["status"]["code"], 503);
  EXPECT_LT(steady_clock::now() - start, milliseconds(5000)) << "the lookup is bounded";
}

TEST_F(ContextServerTest, WithTheApiServerGoneTheLastKnownNamespacesDecide) {
  StartCluster({Namespace("ml-1", {{kLabel, "l"}})});
  StartWithContext();
  api_.reset();  // the API server is gone
  json object = EndpointConfigWithoutKeys("steady");
  object["metadata"]["namespace"] = "ml-1";
  EXPECT_EQ(ThroughTheServer(object), (Answer{"team-l", EveryField(kKeyL), true, {}}));
  EXPECT_EQ(GetOps("/readyz").status, 200) << "the last known state serves";
  std::this_thread::sleep_for(milliseconds(1100));
  const std::string metrics = Metrics();
  EXPECT_GE(MetricValue(metrics, "keyward_namespace_cache_staleness_seconds"), 1.0) << metrics;
  EXPECT_EQ(MetricValue(metrics, "keyward_namespace_cache_synced"), 1) << metrics;
  // An unknown namespace cannot be read: denied, asking to retry.
  object["metadata"]["namespace"] = "ml-unknown";
  EXPECT_EQ(Review("/validate", object)["status"]["code"], 503);
}

TEST_F(ContextServerTest, NotReadyUntilTheNamespacesAreListed) {
  WriteKubeconfig("https://127.0.0.1:1");  // nothing listens there
  StartWithContext(/*ready=*/false);
  const HttpResult readyz = GetOps("/readyz");
  EXPECT_EQ(readyz.status, 503);
  EXPECT_NE(readyz.body.find("the namespaces are not listed yet"), std::string::npos) << readyz.body;
  json object = EndpointConfigWithoutKeys("early");
  object["metadata"]["namespace"] = "team-a";
  EXPECT_EQ(Review("/validate", object)["status"]["code"], 503) << "never judged without its labels";
  EXPECT_EQ(MetricValue(Metrics(), "keyward_namespace_cache_synced"), 0);
}

// The chart's way: --in-cluster, the service account's token file and CA,
// KUBERNETES_SERVICE_HOST/_PORT. The kubelet rotates the token file; the
// server reads it at each request, so a lookup after the rotation is sent
// with the new token.
TEST_F(ContextServerTest, InClusterWithTheServiceAccountsRotatingToken) {
  api_ = std::make_unique<FakeKubeApi>(ca_, dir_, FakeKubeApi::Options{});
  api_->Serve("", "v1", "namespaces", "Namespace", {Namespace("ml-1", {{kLabel, "l"}})});
  WriteFile(Path("token"), "sa-token-1\n");
  WriteFile(policy_path_, ContextPolicy(ReadFile(policy_path_)));
  std::vector<std::string> args =
      ServeArgs({"--in-cluster-token-file", Path("token"), "--in-cluster-ca-file", ca_path_});
  args.push_back("--in-cluster");
  server_ = std::make_unique<KeywardProcess>(
      args, Path("server.log"),
      Environment{{"KUBERNETES_SERVICE_HOST", "127.0.0.1"}, {"KUBERNETES_SERVICE_PORT", std::to_string(api_->port())}});
  ASSERT_TRUE(server_->WaitUntilServing()) << server_->Log();
  ASSERT_TRUE(WaitFor([&] { return GetOps("/readyz").status == 200; })) << server_->Log();
  json object = EndpointConfigWithoutKeys("pod");
  object["metadata"]["namespace"] = "ml-1";
  EXPECT_EQ(ThroughTheServer(object), (Answer{"team-l", EveryField(kKeyL), true, {}}));
  EXPECT_EQ(api_->tokens_seen(), std::set<std::string>{"sa-token-1"});

  // The kubelet rotates the token; the next request to the API server (a
  // namespace the cache has not seen) carries the new one.
  WriteFile(Path("token"), "sa-token-2\n");
  api_->AddWithoutEvent(Namespace("ml-2", {{kLabel, "l"}}));
  object["metadata"]["namespace"] = "ml-2";
  EXPECT_EQ(ThroughTheServer(object), (Answer{"team-l", EveryField(kKeyL), true, {}}));
  EXPECT_EQ(api_->tokens_seen(), (std::set<std::string>{"sa-token-1", "sa-token-2"}));
}

// A training pipeline of `ns` whose keyed volume takes its instance type
// from the TrainType parameter (or a literal type, `typed_by_parameter`
// false), and whose output key comes from the OutKey parameter, a name
// with no "kms" in it.
json TrainingPipeline(const std::string& name, const std::string& ns, bool typed_by_parameter = true) {
  const json type = typed_by_parameter ? json{{"Get", "Parameters.TrainType"}} : json("ml.m5.xlarge");
  const json definition = {
      {"Version", "2020-12-01"},
      {"Parameters",
       {{{"Name", "TrainType"}, {"Type", "String"}, {"DefaultValue", "ml.m5.xlarge"}},
        {{"Name", "OutKey"}, {"Type", "String"}, {"DefaultValue", kKeyA}}}},
      {"Steps",
       {{{"Name", "Train"},
         {"Type", "Training"},
         {"Arguments",
          {{"RoleArn", "arn:aws:iam::111122223333:role/r"},
           {"AlgorithmSpecification", {{"TrainingImage", "img"}, {"TrainingInputMode", "File"}}},
           {"OutputDataConfig", {{"S3OutputPath", "s3://b/o"}, {"KmsKeyId", {{"Get", "Parameters.OutKey"}}}}},
           {"ResourceConfig",
            {{"InstanceCount", 1}, {"InstanceType", type}, {"VolumeSizeInGB", 30}, {"VolumeKmsKeyId", kKeyA}}},
           {"StoppingCondition", {{"MaxRuntimeInSeconds", 60}}}}}}}}};
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "Pipeline"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "uid-" + name}}},
          {"spec", {{"pipelineName", name}, {"pipelineDefinition", definition.dump()}}}};
}

json Execution(const std::string& name, const std::string& pipeline, const std::string& value,
               const std::string& parameter = "TrainType") {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "PipelineExecution"},
          {"metadata", {{"name", name}, {"namespace", "team-a"}}},
          {"spec", {{"pipelineName", pipeline}, {"pipelineParameters", {{{"name", parameter}, {"value", value}}}}}}};
}

// The server watches ACK Pipelines too: an execution of another tenant's
// pipeline is denied, and its values are judged as the steps that read
// them; a Pipeline changed or deleted while the server runs is followed by
// the next execution. `keyward check` with the Pipelines among its inputs
// answers the same.
TEST_F(ContextServerTest, ExecutionsAreJudgedWithTheWatchedPipelines) {
  StartCluster({Namespace("team-a"), Namespace("team-b")});
  const std::vector<json> pipelines = {TrainingPipeline("train-a", "team-a"), TrainingPipeline("train-b", "team-b")};
  api_->Serve("sagemaker.services.k8s.aws", "v1alpha1", "pipelines", "Pipeline", pipelines);
  StartWithContext();
  const json theirs = Execution("theirs", "arn:aws:sagemaker:us-east-1:111122223333:pipeline/Train-B", "ml.m5.xlarge");
  const json big = Execution("big", "train-a", "ml.p4d.24xlarge");
  const json fine = Execution("fine", "train-a", "ml.m5.2xlarge");
  auto codes = [this](const json& execution) { return CodesIn(Review("/validate", execution)); };
  ASSERT_TRUE(WaitFor([&] { return codes(theirs) == std::set<std::string>{"ForeignPipeline"}; }))
      << "the Pipelines are listed: " << server_->Log();
  EXPECT_EQ(codes(big), std::set<std::string>{"LocalStorageKey"});
  EXPECT_EQ(Review("/validate", fine)["allowed"], true);
  EXPECT_FALSE(Review("/mutate", big).contains("patch")) << "an execution is never mutated";

  // The same through keyward check, the Pipelines among its inputs.
  std::vector<Answer> checked = ThroughCheck(
      {Namespace("team-a"), Namespace("team-b"), pipelines[0], pipelines[1]}, {theirs, big, fine});
  ASSERT_EQ(checked.size(), 5u) << "the two Pipelines have verdicts of their own, first";
  EXPECT_EQ(checked[2].codes, std::set<std::string>{"ForeignPipeline"});
  EXPECT_EQ(checked[3].codes, std::set<std::string>{"LocalStorageKey"});
  EXPECT_TRUE(checked[4].allowed);

  // train-a no longer takes its instance type from the run: the next run follows.
  api_->Push("MODIFIED", TrainingPipeline("train-a", "team-a", /*typed_by_parameter=*/false));
  EXPECT_TRUE(WaitFor([&] { return Review("/validate", big)["allowed"] == true; })) << server_->Log();
  // train-b is deleted: unknown now, so the run is judged by its values alone (nothing key-like), with a warning.
  api_->Push("DELETED", TrainingPipeline("train-b", "team-b"));
  EXPECT_TRUE(WaitFor([&] { return Review("/validate", theirs)["allowed"] == true; })) << server_->Log();
  const json unknown = Review("/validate", theirs);
  ASSERT_TRUE(unknown.contains("warnings")) << unknown.dump();
  EXPECT_NE(unknown["warnings"].dump().find("is not known to keyward"), std::string::npos) << unknown.dump();
}

// A key parameter is judged by the steps that read it, whatever it is
// called: the run's OutKey value is the training step's output key. An
// empty, another tenant's, an AWS-managed or a malformed value is the
// violation it would be in the Pipeline, at the run's parameter, through
// the server and through keyward check alike.
TEST_F(ContextServerTest, AKeyParameterOfTheWatchedPipelineIsJudgedWhateverItIsCalled) {
  StartCluster({Namespace("team-a"), Namespace("team-b")});
  const json pipeline = TrainingPipeline("train-a", "team-a");
  api_->Serve("sagemaker.services.k8s.aws", "v1alpha1", "pipelines", "Pipeline", {pipeline});
  StartWithContext();
  const std::string team_b_key = "arn:aws:kms:us-east-1:111122223333:key/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
  struct KeyCase {
    std::string value;
    std::set<std::string> codes;
  };
  const std::vector<KeyCase> cases = {{"", {"MissingKey"}},
                                      {team_b_key, {"ForeignKey"}},
                                      {"alias/aws/s3", {"AwsManagedKey"}},
                                      {"not-a-key", {"KeyFormat"}},
                                      {kKeyA, {}}};
  std::vector<json> executions;
  for (size_t i = 0; i < cases.size(); ++i) {
    executions.push_back(Execution("out-" + std::to_string(i), "train-a", cases[i].value, "OutKey"));
  }
  auto answer = [this](const json& execution) {
    const json validated = Review("/validate", execution);
    return Answer{"", {}, validated["allowed"] == true, CodesIn(validated)};
  };
  ASSERT_TRUE(WaitFor([&] { return answer(executions[0]).codes == cases[0].codes; }))
      << "the Pipeline is listed: " << server_->Log();
  const std::vector<Answer> checked = ThroughCheck({Namespace("team-a"), Namespace("team-b"), pipeline}, executions);
  ASSERT_EQ(checked.size(), cases.size() + 1) << "the Pipeline has a verdict of its own, first";
  for (size_t i = 0; i < cases.size(); ++i) {
    const Answer expected{"", {}, cases[i].codes.empty(), cases[i].codes};
    const json validated = Review("/validate", executions[i]);
    EXPECT_EQ(answer(executions[i]), expected) << "server, OutKey = \"" << cases[i].value << "\"";
    EXPECT_EQ((Answer{"", {}, checked[i + 1].allowed, checked[i + 1].codes}), expected)
        << "keyward check, OutKey = \"" << cases[i].value << "\"";
    if (cases[i].codes.empty()) continue;
    const std::string message = validated["status"]["message"].get<std::string>();
    for (const char* named :
         {"spec.pipelineParameters[0].value", "\"OutKey\"", "Steps[Train].Arguments.OutputDataConfig.KmsKeyId"}) {
      EXPECT_NE(message.find(named), std::string::npos) << "the message names " << named << ": " << message;
    }
  }
  EXPECT_FALSE(Review("/mutate", executions[0]).contains("patch")) << "the fix is the run's value, not a patch";
}

TEST_F(ContextServerTest, WithoutAKubeconfigContextIsOffAndNamesAloneDecide) {
  StartServer({}, ContextPolicy(ReadFile(policy_path_)));
  json object = EndpointConfigWithoutKeys("plain");
  object["metadata"]["namespace"] = "team-a";
  EXPECT_EQ(ThroughTheServer(object), (Answer{"team-a", EveryField(kKeyA), true, {}}));
  EXPECT_EQ(MetricValue(Metrics(), "keyward_namespace_cache_synced"), -1) << "no context metrics when it is off";
}

}  // namespace
}  // namespace keyward::testing
