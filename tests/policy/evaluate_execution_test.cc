// A PipelineExecution judged with the Pipeline it names: found as ACK finds
// it (spec.pipelineName, a name or an ARN), never another tenant's, and its
// parameter values judged as the steps that read them will run, by the
// Pipeline's own rules. Executions are never mutated.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/rules/evaluate.h"
#include "policy/rules/known_pipelines.h"
#include "tests/policy/samples.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using namespace keyward::testing;
using nlohmann::json;
using CodeList = std::vector<std::string>;

constexpr char kRole[] = "arn:aws:iam::111122223333:role/sagemaker-execution";

// A training step whose volume is keyed and whose instance type and output
// key come from parameters.
json TrainingPipeline(const std::string& pipeline_name, const std::string& ns) {
  const json step = {
      {"Name", "Train"},
      {"Type", "Training"},
      {"Arguments",
       {{"RoleArn", kRole},
        {"AlgorithmSpecification", {{"TrainingImage", "img"}, {"TrainingInputMode", "File"}}},
        {"OutputDataConfig", {{"S3OutputPath", "s3://b/out"}, {"KmsKeyId", {{"Get", "Parameters.OutKey"}}}}},
        {"ResourceConfig",
         {{"InstanceCount", 1},
          {"InstanceType", {{"Get", "Parameters.TrainType"}}},
          {"VolumeSizeInGB", 30},
          {"VolumeKmsKeyId", kTeamAVolume}}},
        {"StoppingCondition", {{"MaxRuntimeInSeconds", 60}}}}}};
  const json definition = {{"Version", "2020-12-01"},
                           {"Parameters",
                            {{{"Name", "TrainType"}, {"Type", "String"}, {"DefaultValue", "ml.m5.xlarge"}},
                             {{"Name", "OutKey"}, {"Type", "String"}, {"DefaultValue", kTeamAOutput}},
                             {{"Name", "Epochs"}, {"Type", "Integer"}, {"DefaultValue", 3}}}},
                           {"Steps", {step}}};
  json pipeline = LoadSample("pipeline.yaml");
  pipeline["metadata"]["namespace"] = ns;
  pipeline["spec"]["pipelineName"] = pipeline_name;
  pipeline["spec"]["roleARN"] = kRole;
  pipeline["spec"]["pipelineDefinition"] = definition.dump();
  return pipeline;
}

json Execution(const std::string& pipeline_name, const json& parameters = json::array()) {
  json execution = LoadSample("pipeline_execution.yaml");
  execution["metadata"]["namespace"] = "team-a";
  execution["spec"]["pipelineName"] = pipeline_name;
  if (!parameters.empty()) execution["spec"]["pipelineParameters"] = parameters;
  return execution;
}

class ExecutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    known_.Add(&own_, "team-a", nullptr);
    known_.Add(&foreign_, "team-b", nullptr);
  }
  Evaluation Judge(const json& execution, const PipelineDirectory* pipelines) {
    auto request = MakeRequest(execution, "team-a");
    request->request.pipelines = pipelines;
    Evaluation evaluation = Evaluate(*policy_, request->request);
    EXPECT_TRUE(evaluation.mutation.patch.empty()) << "an execution is never mutated";
    return evaluation;
  }
  Evaluation Judge(const json& execution) { return Judge(execution, &known_); }

  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
  json own_ = TrainingPipeline("train-a", "team-a");
  json foreign_ = TrainingPipeline("train-b", "team-b");
  KnownPipelines known_;
};

TEST_F(ExecutionTest, AnInstanceTypeThatPutsTheKeyedVolumeOnLocalNvmeIsLocalStorageKey) {
  const Evaluation big = Judge(Execution("train-a", {{{"name", "TrainType"}, {"value", "ml.p4d.24xlarge"}}}));
  EXPECT_FALSE(big.validation.allowed);
  EXPECT_EQ(CodesAt(big.validation.violations, "spec.pipelineParameters[0].value"),
            CodeList{std::string(kLocalStorageKey)})
      << big.validation.message;
  const Violation* v = FindViolation(big.validation.violations, kLocalStorageKey, "spec.pipelineParameters[0].value");
  ASSERT_NE(v, nullptr);
  EXPECT_NE(v->message.find("parameter \"TrainType\""), std::string::npos) << v->message;
  EXPECT_NE(v->message.find("Steps[Train].Arguments.ResourceConfig.VolumeKmsKeyId"), std::string::npos) << v->message;

  // An EBS-only type is fine, and so is a parameter no key reads.
  EXPECT_TRUE(Judge(Execution("train-a", {{{"name", "TrainType"}, {"value", "ml.m5.2xlarge"}},
                                          {{"name", "Epochs"}, {"value", "9"}}}))
                  .validation.allowed);
}

TEST_F(ExecutionTest, AKeyParameterIsJudgedWhateverItIsCalled) {
  // "OutKey" does not mention kms; by its name alone it was never checked.
  const Evaluation empty = Judge(Execution("train-a", {{{"name", "OutKey"}, {"value", ""}}}));
  EXPECT_EQ(CodesAt(empty.validation.violations, "spec.pipelineParameters[0].value"), CodeList{std::string(kMissingKey)})
      << empty.validation.message;
  EXPECT_NE(empty.validation.message.find(kTeamAOutput), std::string::npos) << "the fix names the key to use";
  EXPECT_NE(empty.validation.message.find("\"OutKey\" of pipeline \"train-a\", read by Steps[Train]."), std::string::npos)
      << empty.validation.message;
  EXPECT_NE(empty.validation.message.find("is empty, so the job has no KMS key; set it to"), std::string::npos)
      << "the run's value is what to change: " << empty.validation.message;
  EXPECT_EQ(empty.validation.message.find("DefaultValue"), std::string::npos)
      << "the Pipeline's default is not what the run gets wrong: " << empty.validation.message;

  const Evaluation foreign_key = Judge(Execution("train-a", {{{"name", "OutKey"}, {"value", kTeamBUsEast}}}));
  EXPECT_EQ(CodesAt(foreign_key.validation.violations, "spec.pipelineParameters[0].value"),
            CodeList{std::string(kForeignKey)})
      << foreign_key.validation.message;
  const Evaluation aws_managed = Judge(Execution("train-a", {{{"name", "OutKey"}, {"value", "alias/aws/s3"}}}));
  EXPECT_EQ(CodesAt(aws_managed.validation.violations, "spec.pipelineParameters[0].value"),
            CodeList{std::string(kAwsManagedKey)});
  EXPECT_TRUE(Judge(Execution("train-a", {{{"name", "OutKey"}, {"value", kTeamAOutput}}})).validation.allowed);
}

TEST_F(ExecutionTest, AnotherTenantsPipelineIsForeignPipelineAtDeny) {
  policy_ = MustLoadPolicy(TestPolicyYaml("revealOtherTenants: false"));
  const Evaluation run = Judge(Execution("train-b"));
  EXPECT_FALSE(run.validation.allowed);
  EXPECT_EQ(CodesAt(run.validation.violations, "spec.pipelineName"), CodeList{std::string(kForeignPipeline)});
  EXPECT_EQ(run.validation.message.find("team-b"), std::string::npos) << run.validation.message;
  // Under warn enforcement too: running another tenant's pipeline is never allowed.
  policy_ = MustLoadPolicy(TestPolicyYaml("enforcement: warn"));
  const Evaluation warned = Judge(Execution("train-b"));
  EXPECT_FALSE(warned.validation.allowed);
  const Violation* v = FindViolation(warned.validation.violations, kForeignPipeline, "spec.pipelineName");
  ASSERT_NE(v, nullptr);
  EXPECT_NE(v->message.find("tenant team-b"), std::string::npos) << v->message;
}

TEST_F(ExecutionTest, ThePipelineIsFoundByNameOrArnIgnoringCase) {
  const Evaluation by_arn =
      Judge(Execution("arn:aws:sagemaker:us-east-1:444455556666:pipeline/Train-B",
                      {{{"name", "OutKey"}, {"value", kTeamAOutput}}}));
  EXPECT_EQ(CodesAt(by_arn.validation.violations, "spec.pipelineName"), CodeList{std::string(kForeignPipeline)});
  const Evaluation own_arn = Judge(Execution("arn:aws:sagemaker:us-east-1:111122223333:pipeline/train-a",
                                             {{{"name", "OutKey"}, {"value", ""}}}));
  EXPECT_EQ(CodesAt(own_arn.validation.violations, "spec.pipelineParameters[0].value"),
            CodeList{std::string(kMissingKey)});
}

TEST_F(ExecutionTest, AnUnknownPipelineWarnsAndTheValuesAloneAreJudged) {
  const json execution = Execution("somebody-elses", {{{"name", "Key"}, {"value", kTeamBUsEast}}});
  const Evaluation unknown = Judge(execution);
  bool warned = false;
  for (const std::string& w : unknown.validation.warnings) {
    warned = warned || w.find("is not known to keyward") != std::string::npos;
    EXPECT_LT(w.size(), 120u) << w;
  }
  EXPECT_TRUE(warned);
  EXPECT_EQ(CodesAt(unknown.validation.violations, "spec.pipelineParameters[0].value"),
            CodeList{std::string(kForeignKey)});
  // With no directory at all (the server today), the same values-alone rule, and no warning.
  const Evaluation alone = Judge(execution, nullptr);
  EXPECT_EQ(CodesAt(alone.validation.violations, "spec.pipelineParameters[0].value"),
            CodeList{std::string(kForeignKey)});
}

// A role a step takes from a parameter: the run's value is judged too.
TEST_F(ExecutionTest, ARoleTheRunSetsIsJudgedLikeThePipelinesOwn) {
  policy_ = MustLoadPolicy(std::string(R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  tenants:
    - name: team-a
      namespaces: [team-a]
      keys: {default: )") + kTeamADefault + R"(}
      roles: ["arn:aws:iam::111122223333:role/team-a-*"]
    - name: team-b
      namespaces: [team-b]
      keys: {default: )" + kTeamBUsEast + R"(}
      roles: ["arn:aws:iam::444455556666:role/team-b-*"]
)");
  json definition = json::parse(own_["spec"]["pipelineDefinition"].get<std::string>());
  definition["Parameters"] = {{{"Name", "Role"}, {"Type", "String"},
                               {"DefaultValue", "arn:aws:iam::111122223333:role/team-a-train"}}};
  json& arguments = definition["Steps"][0]["Arguments"];
  arguments["RoleArn"] = {{"Get", "Parameters.Role"}};
  arguments["OutputDataConfig"]["KmsKeyId"] = kTeamADefault;
  arguments["ResourceConfig"]["VolumeKmsKeyId"] = kTeamADefault;
  arguments["ResourceConfig"]["InstanceType"] = "ml.m5.xlarge";
  own_["spec"]["pipelineDefinition"] = definition.dump();
  const Evaluation plain = Judge(Execution("train-a"));
  EXPECT_TRUE(plain.validation.allowed) << plain.validation.message;

  const Evaluation theirs =
      Judge(Execution("train-a", {{{"name", "Role"}, {"value", "arn:aws:iam::444455556666:role/team-b-train"}}}));
  EXPECT_EQ(CodesAt(theirs.validation.violations, "spec.pipelineParameters[0].value"),
            CodeList{std::string(kForeignRole)})
      << theirs.validation.message;
  EXPECT_NE(theirs.validation.message.find("Steps[Train].Arguments.RoleArn"), std::string::npos)
      << theirs.validation.message;
  EXPECT_TRUE(Judge(Execution("train-a", {{{"name", "Role"}, {"value", "arn:aws:iam::111122223333:role/team-a-x"}}}))
                  .validation.allowed);
}

}  // namespace
}  // namespace keyward
