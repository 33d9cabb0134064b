// `keyward check` on inputs keyward does not judge, or judges as a whole
// request: an exempt namespace (EXEMPT, never ALLOWED), a misspelt kind of a
// SageMaker group (SKIPPED, naming the nearest kind), and a captured
// AdmissionReview (judged as the request it holds: operation, oldObject and
// user). Against the real binary.
#include <filesystem>
#include <map>
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

const fs::path kPolicy = fs::path(KEYWARD_FIXTURES_DIR) / "policies" / "team-a-b.yaml";
const fs::path kReviews = fs::path(KEYWARD_FIXTURES_DIR) / "admission-reviews";

constexpr char kTrainingJob[] = R"(apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: %KIND%
metadata:
  name: train
  namespace: %NS%
spec:
  trainingJobName: train
  roleARN: arn:aws:iam::111122223333:role/team-a
  algorithmSpecification: {trainingImage: 111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1, trainingInputMode: File}
  outputDataConfig: {s3OutputPath: "s3://team-a/out"}
  resourceConfig: {instanceCount: 1, instanceType: ml.m5.xlarge, volumeSizeInGB: 10}
  stoppingCondition: {maxRuntimeInSeconds: 3600}
)";

std::string Manifest(const std::string& kind, const std::string& ns) {
  std::string text = kTrainingJob;
  text.replace(text.find("%KIND%"), 6, kind);
  text.replace(text.find("%NS%"), 4, ns);
  return text;
}

class CheckScopeTest : public ::testing::Test {
 protected:
  RunResult Check(const std::string& file_text, const std::string& output = "text") {
    WriteFile(dir_.File("in.yaml"), file_text);
    return RunKeyward({"check", "--policy", kPolicy.string(), "-o", output, "-f", dir_.File("in.yaml")},
                      dir_.File("out"));
  }
  static nlohmann::json Parsed(const RunResult& run) {
    return nlohmann::json::parse(run.output.substr(0, run.output.rfind(']') + 1));
  }
  TempDir dir_;
};

TEST_F(CheckScopeTest, AnExemptObjectIsExemptNeverAllowed) {
  RunResult text = Check(Manifest("TrainingJob", "kube-system"));
  ASSERT_TRUE(text.finished) << text.why;
  EXPECT_EQ(text.exit_status, 0) << text.output;
  EXPECT_NE(text.output.find(": EXEMPT"), std::string::npos) << text.output;
  EXPECT_EQ(text.output.find("ALLOWED"), std::string::npos) << text.output;

  RunResult json = Check(Manifest("TrainingJob", "kube-system"), "json");
  ASSERT_TRUE(json.finished) << json.why;
  const nlohmann::json report = Parsed(json);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0]["exempt"], true);
  EXPECT_EQ(report[0]["verdict"], "exempt");
  EXPECT_TRUE(report[0]["patch"].empty());

  // In a tenant's namespace the same job is judged (and keyed).
  const nlohmann::json judged = Parsed(Check(Manifest("TrainingJob", "team-a"), "json"));
  EXPECT_EQ(judged[0]["exempt"], false);
  EXPECT_EQ(judged[0]["verdict"], "allowed");
  EXPECT_FALSE(judged[0]["patch"].empty());
}

TEST_F(CheckScopeTest, AMisspeltSageMakerKindIsSkippedWithTheNearestKind) {
  RunResult text = Check(Manifest("Trainingjob", "team-a"));
  ASSERT_TRUE(text.finished) << text.why;
  EXPECT_NE(text.output.find(": SKIPPED"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("did you mean TrainingJob?"), std::string::npos) << text.output;
  EXPECT_EQ(text.output.find("ALLOWED"), std::string::npos) << text.output;
  const nlohmann::json report = Parsed(Check(Manifest("Trainingjob", "team-a"), "json"));
  EXPECT_EQ(report[0]["verdict"], "skipped");
  bool named = false;
  for (const auto& warning : report[0]["warnings"]) named = named || warning.get<std::string>().find("TrainingJob") != std::string::npos;
  EXPECT_TRUE(named) << report.dump();
}

TEST_F(CheckScopeTest, ACapturedReviewIsJudgedAsItsRequest) {
  // An UPDATE that changes a create-only key to team-b's: ImmutableKey, as
  // the server answers it.
  const std::string review = ReadFile((kReviews / "EndpointConfig" / "06-update-kms-change.validating.json").string());
  RunResult run = Check(review, "json");
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 1) << run.output;
  const nlohmann::json report = Parsed(run);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0]["operation"], "UPDATE");
  EXPECT_EQ(report[0]["verdict"], "denied");
  std::set<std::string> codes;
  for (const auto& v : report[0]["violations"]) codes.insert(v["code"]);
  EXPECT_TRUE(codes.count("ImmutableKey")) << report.dump(2);

  // The controller's late-initialisation UPDATE is admitted (trusted user).
  const std::string lateinit =
      ReadFile((kReviews / "EndpointConfig" / "03-update-ctrl-lateinit.validating.json").string());
  const nlohmann::json trusted = Parsed(Check(lateinit, "json"));
  EXPECT_EQ(trusted[0]["verdict"], "allowed") << trusted.dump(2);
  EXPECT_TRUE(trusted[0]["violations"].empty());

  // A DELETE review has no object: allowed, nothing printed as YAML.
  const std::string deletion =
      ReadFile((kReviews / "EndpointConfig" / "09-delete-finalizer.validating.json").string());
  const nlohmann::json deleted = Parsed(Check(deletion, "json"));
  EXPECT_EQ(deleted[0]["operation"], "DELETE");
  EXPECT_EQ(deleted[0]["allowed"], true);
}

TEST_F(CheckScopeTest, AMalformedReviewIsAnErrorNamingTheFile) {
  RunResult run = Check(R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": 7}})");
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 2) << run.output;
  EXPECT_NE(run.output.find("in.yaml"), std::string::npos) << run.output;
}

TEST_F(CheckScopeTest, LintWarnsWhenAnExemptNamespaceIsATenants) {
  std::string policy = ReadFile(kPolicy.string());
  policy.replace(policy.find("exemptNamespaces: [kube-system]"), 31, "exemptNamespaces: [kube-system, \"team-*\"]");
  WriteFile(dir_.File("policy.yaml"), policy);
  RunResult run = RunKeyward({"policy", "lint", dir_.File("policy.yaml")}, dir_.File("out"));
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("\"team-*\" covers namespace \"team-a\" of tenant team-a"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("\"team-*\" covers namespace \"team-b\" of tenant team-b"), std::string::npos)
      << run.output;
}

// `review --help` listed the manifests as required twice (positional and
// -f are one option); the check is RunReview's, with a message.
TEST_F(CheckScopeTest, ReviewHelpDoesNotMarkTheManifestsRequiredTwice) {
  RunResult help = RunKeyward({"review", "--help"}, dir_.File("help"));
  ASSERT_TRUE(help.finished) << help.why;
  EXPECT_EQ(help.exit_status, 0);
  std::istringstream lines(help.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("inputs") != std::string::npos || line.find("--filename") != std::string::npos) {
      EXPECT_EQ(line.find("REQUIRED"), std::string::npos) << line;
    }
  }
  WriteFile(dir_.File("ca.pem"), "");
  RunResult none = RunKeyward({"review", "--ca-file", dir_.File("ca.pem")}, dir_.File("none"));
  ASSERT_TRUE(none.finished) << none.why;
  EXPECT_EQ(none.exit_status, 2) << none.output;
  EXPECT_NE(none.output.find("no manifests given"), std::string::npos) << none.output;
}

// Namespace objects among the inputs, or in --namespaces, are the cluster
// context: tenants by label and the namespace's region, as the server
// decides with its watched namespaces.
TEST_F(CheckScopeTest, NamespaceObjectsDecideAsTheServersContextDoes) {
  std::string policy = ReadFile(kPolicy.string());
  policy += R"(    - name: team-l
      namespaceSelector: {matchLabels: {platform.example.com/tenant: l}}
      keys:
        default: arn:aws:kms:us-east-1:111122223333:key/11111111-0000-4000-8000-00000000000l
)";
  policy.replace(policy.find("00000000000l"), 12, "000000000001");
  WriteFile(dir_.File("policy.yaml"), policy);
  const std::string labelled = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml-1\n  labels:\n"
                               "    platform.example.com/tenant: l\n---\n" + Manifest("TrainingJob", "ml-1");
  WriteFile(dir_.File("in.yaml"), labelled);
  RunResult run = RunKeyward({"check", "--policy", dir_.File("policy.yaml"), "-o", "json", "-f", dir_.File("in.yaml")},
                             dir_.File("out"));
  ASSERT_TRUE(run.finished) << run.why;
  nlohmann::json report = Parsed(run);
  ASSERT_EQ(report.size(), 1u) << "the Namespace object is context, not a verdict: " << report.dump(2);
  EXPECT_EQ(report[0]["tenant"], "team-l") << report.dump(2);
  EXPECT_EQ(report[0]["verdict"], "allowed");

  // The same namespace from --namespaces, annotated for another region: a
  // us-east-1 key is in the wrong region for what ACK will create there.
  WriteFile(dir_.File("ns.yaml"), "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n"
                                  "  metadata:\n    name: team-a\n    annotations:\n"
                                  "      services.k8s.aws/default-region: eu-west-1\n");
  std::string keyed = Manifest("TrainingJob", "team-a");
  keyed.replace(keyed.find("outputDataConfig: {"), 19,
                "outputDataConfig: {kmsKeyID: arn:aws:kms:us-east-1:111122223333:key/"
                "0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab, ");
  WriteFile(dir_.File("job.yaml"), keyed);
  RunResult regional = RunKeyward({"check", "--policy", kPolicy.string(), "-o", "json", "-f", dir_.File("job.yaml"),
                                   "--namespaces", dir_.File("ns.yaml")},
                                  dir_.File("out2"));
  ASSERT_TRUE(regional.finished) << regional.why;
  const nlohmann::json judged = Parsed(regional);
  std::set<std::string> codes;
  for (const auto& v : judged[0]["violations"]) {
    if (v["path"] == "spec.outputDataConfig.kmsKeyID") codes.insert(v["code"]);
  }
  EXPECT_EQ(codes, std::set<std::string>{"RegionMismatch"}) << regional.output;
}

// A pipeline's steps are keyed with the keys of the pipeline's region: a
// Namespace object annotated services.k8s.aws/default-region decides it, as
// for the fields of any kind (tests/fixtures/policies/team-a-b-context.yaml:
// team-a has keys for eu-west-1 too, none for ap-south-1).
TEST_F(CheckScopeTest, APipelinesStepKeysAreThoseOfItsNamespacesRegion) {
  const std::string definition =
      R"({"Version": "2020-12-01", "Parameters": [], "Steps": [{"Name": "Train", "Type": "Training", "Arguments": )"
      R"({"RoleArn": "arn:aws:iam::111122223333:role/team-a", "AlgorithmSpecification": {"TrainingImage": )"
      R"("111122223333.dkr.ecr.eu-west-1.amazonaws.com/x:1", "TrainingInputMode": "File"}, "OutputDataConfig": )"
      R"({"S3OutputPath": "s3://team-a/out"}, "ResourceConfig": {"InstanceCount": 1, "InstanceType": )"
      R"("ml.m5.xlarge", "VolumeSizeInGB": 30}, "StoppingCondition": {"MaxRuntimeInSeconds": 60}}}]})";
  auto inputs = [&](const std::string& region) {
    return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  annotations:\n"
           "    services.k8s.aws/default-region: " + region + "\n---\n"
           "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Pipeline\nmetadata: {name: train, namespace: team-a}\n"
           "spec:\n  pipelineName: train\n  roleARN: arn:aws:iam::111122223333:role/team-a\n"
           "  pipelineDefinition: '" + definition + "'\n";
  };
  const std::string policy = PolicyFixturePath("team-a-b-context.yaml");
  auto check = [&](const std::string& region) {
    WriteFile(dir_.File("in.yaml"), inputs(region));
    RunResult run = RunKeyward({"check", "--policy", policy, "-o", "json", "-f", dir_.File("in.yaml")},
                               dir_.File("out-" + region));
    EXPECT_TRUE(run.finished) << run.why;
    return Parsed(run);
  };
  const nlohmann::json eu = check("eu-west-1");
  ASSERT_EQ(eu.size(), 1u) << eu.dump(2);
  EXPECT_EQ(eu[0]["verdict"], "allowed") << eu.dump(2);
  ASSERT_EQ(eu[0]["patch"].size(), 1u) << eu.dump(2);
  const std::string filled = eu[0]["patch"][0].value("value", "");
  const nlohmann::json steps = nlohmann::json::parse(filled)["Steps"];
  const std::string eu_key = "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-3333-4000-8000-000000000001";
  EXPECT_EQ(steps[0]["Arguments"]["OutputDataConfig"]["KmsKeyId"], eu_key) << filled;
  EXPECT_EQ(steps[0]["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"], eu_key) << filled;

  // No key of team-a's in ap-south-1: nothing written, and MissingKey says how to add one.
  const nlohmann::json none = check("ap-south-1");
  ASSERT_EQ(none.size(), 1u) << none.dump(2);
  EXPECT_EQ(none[0]["verdict"], "denied");
  EXPECT_TRUE(none[0]["patch"].empty()) << none.dump(2);
  ASSERT_EQ(none[0]["violations"].size(), 2u) << none.dump(2);
  for (const auto& v : none[0]["violations"]) {
    EXPECT_EQ(v["code"], "MissingKey");
    EXPECT_NE(v["message"].get<std::string>().find("keys.regions.ap-south-1"), std::string::npos) << v.dump();
  }
}

// The Pipelines among the inputs are what the PipelineExecutions among them
// name: another tenant's pipeline is ForeignPipeline, and a run's values are
// judged as the steps that read them (the core's tests hold every case).
TEST_F(CheckScopeTest, PipelinesAmongTheInputsJudgeTheExecutionsThatNameThem) {
  const std::string definition =
      R"({"Version":"2020-12-01","Parameters":[{"Name":"TrainType","Type":"String","DefaultValue":"ml.m5.xlarge"}],)"
      R"("Steps":[{"Name":"Train","Type":"Training","Arguments":{"RoleArn":"arn:aws:iam::111122223333:role/r",)"
      R"("AlgorithmSpecification":{"TrainingImage":"img","TrainingInputMode":"File"},"OutputDataConfig":)"
      R"({"S3OutputPath":"s3://b/o","KmsKeyId":"arn:aws:kms:us-east-1:111122223333:key/)"
      R"(0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab"},"ResourceConfig":{"InstanceCount":1,"InstanceType":)"
      R"({"Get":"Parameters.TrainType"},"VolumeSizeInGB":30,"VolumeKmsKeyId":"arn:aws:kms:us-east-1:)"
      R"(111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab"},"StoppingCondition":{"MaxRuntimeInSeconds":60}}}]})";
  auto pipeline = [&definition](const std::string& name, const std::string& ns) {
    return nlohmann::json{{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
                          {"kind", "Pipeline"},
                          {"metadata", {{"name", name}, {"namespace", ns}}},
                          {"spec", {{"pipelineName", name}, {"pipelineDefinition", definition}}}}
        .dump();
  };
  auto execution = [](const std::string& name, const std::string& pipeline, const std::string& type) {
    return nlohmann::json{{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
                          {"kind", "PipelineExecution"},
                          {"metadata", {{"name", name}, {"namespace", "team-a"}}},
                          {"spec",
                           {{"pipelineName", pipeline},
                            {"pipelineParameters", {{{"name", "TrainType"}, {"value", type}}}}}}}
        .dump();
  };
  const RunResult run =
      Check(pipeline("train-a", "team-a") + "\n---\n" + pipeline("train-b", "team-b") + "\n---\n" +
                execution("big", "train-a", "ml.p4d.24xlarge") + "\n---\n" +
                execution("theirs", "arn:aws:sagemaker:us-east-1:111122223333:pipeline/train-b", "ml.m5.xlarge") +
                "\n---\n" + execution("fine", "train-a", "ml.m5.2xlarge") + "\n",
            "json");
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 1) << run.output;
  std::map<std::string, std::set<std::string>> codes;
  for (const nlohmann::json& r : Parsed(run)) {
    std::set<std::string>& mine = codes[r["name"].get<std::string>()];
    for (const nlohmann::json& v : r["violations"]) mine.insert(v["path"].get<std::string>() + " " + v["code"].get<std::string>());
  }
  EXPECT_EQ(codes["big"], std::set<std::string>{"spec.pipelineParameters[0].value LocalStorageKey"}) << run.output;
  EXPECT_EQ(codes["theirs"], std::set<std::string>{"spec.pipelineName ForeignPipeline"}) << run.output;
  EXPECT_TRUE(codes["fine"].empty()) << run.output;
  EXPECT_TRUE(codes["train-a"].empty()) << "team-a's pipeline is compliant: " << run.output;
  EXPECT_EQ(codes["train-b"].count("spec.pipelineName ForeignPipeline"), 0u) << "a Pipeline is not an execution";
}

}  // namespace
}  // namespace keyward::testing
