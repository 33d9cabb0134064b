// SageMaker Pipelines: the jobs a pipeline definition starts are keyed and
// checked like the jobs themselves. Built on the upstream Pipeline samples
// and tests/fixtures/pipelines/example-pipeline-definition.json; every patch
// is applied and the definition it writes is read back.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/rules/evaluate.h"
#include "tests/policy/samples.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using namespace keyward::testing;
using nlohmann::json;
using nlohmann::ordered_json;
using CodeList = std::vector<std::string>;

constexpr char kDefinition[] = "spec.pipelineDefinition:";
constexpr char kTeamAExecutionRole[] = "arn:aws:iam::111122223333:role/sagemaker-execution";

json ExampleDefinition() { return json::parse(ReadFile(FixturePath("pipelines/example-pipeline-definition.json"))); }

json PipelineWith(const json& definition, int indent = -1) {
  json pipeline = LoadSample("pipeline.yaml");
  pipeline["spec"]["pipelineDefinition"] = definition.dump(indent);
  return pipeline;
}

json DefinitionOf(const json& pipeline) { return json::parse(pipeline["spec"]["pipelineDefinition"].get<std::string>()); }

json TrainingStep(const std::string& name, const json& output_key, const json& volume_key,
                  const std::string& instance_type = "ml.m5.xlarge") {
  json step = {{"Name", name},
               {"Type", "Training"},
               {"Arguments",
                {{"RoleArn", kTeamAExecutionRole},
                 {"AlgorithmSpecification", {{"TrainingImage", "img"}, {"TrainingInputMode", "File"}}},
                 {"OutputDataConfig", {{"S3OutputPath", "s3://b/out"}}},
                 {"ResourceConfig", {{"InstanceCount", 1}, {"InstanceType", instance_type}, {"VolumeSizeInGB", 30}}},
                 {"StoppingCondition", {{"MaxRuntimeInSeconds", 60}}}}}};
  if (!output_key.is_null()) step["Arguments"]["OutputDataConfig"]["KmsKeyId"] = output_key;
  if (!volume_key.is_null()) step["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"] = volume_key;
  return step;
}

json Definition(const json& steps, const json& parameters = json::array()) {
  return {{"Version", "2020-12-01"}, {"Parameters", parameters}, {"Steps", steps}};
}

class PipelineTest : public ::testing::Test {
 protected:
  MutationResult Mutate(const json& object, const Policy* policy = nullptr) {
    return CheckedMutate(policy ? *policy : *policy_, MakeRequest(object, "team-a")->request);
  }
  ValidationResult Validate(const json& object, const Policy* policy = nullptr) {
    return CheckedValidate(policy ? *policy : *policy_, MakeRequest(object, "team-a")->request);
  }
  // Mutates, checks the patch is one replace of the definition (or none),
  // applies it, and checks the result is compliant and stable.
  json MutateAndApply(const json& object) {
    MutationResult mutation = Mutate(object);
    EXPECT_LE(mutation.patch.size(), 1u);
    for (const json& op : mutation.patch) {
      EXPECT_EQ(op.at("op"), "replace");
      EXPECT_EQ(op.at("path"), "/spec/pipelineDefinition");
      EXPECT_TRUE(op.at("value").is_string());
    }
    json patched = ApplyPatch(object, mutation.patch);
    EXPECT_EQ(Mutate(patched).patch, json::array()) << "not idempotent";
    return patched;
  }

  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
};

TEST_F(PipelineTest, UpstreamProcessingSampleGetsBothKeysInOneReplace) {
  json pipeline = LoadSample("pipeline_processing.yaml");
  MutationResult mutation = Mutate(pipeline);
  ASSERT_EQ(mutation.injected.size(), 2u);
  EXPECT_EQ(mutation.injected[0].path,
            std::string(kDefinition) + "Steps[PreprocessData].Arguments.ProcessingOutputConfig.KmsKeyId");
  EXPECT_EQ(mutation.injected[0].key, kTeamAOutput);
  EXPECT_EQ(mutation.injected[1].path,
            std::string(kDefinition) + "Steps[PreprocessData].Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId");
  EXPECT_EQ(mutation.injected[1].key, kTeamAVolume);
  EXPECT_EQ(mutation.warnings.size(), 2u);

  json patched = MutateAndApply(pipeline);
  // The same definition as JSON, plus the two keys.
  json expected = DefinitionOf(pipeline);
  expected["Steps"][0]["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"] = kTeamAOutput;
  expected["Steps"][0]["Arguments"]["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] = kTeamAVolume;
  EXPECT_EQ(DefinitionOf(patched), expected);
  // Member order is kept: the text is the original's members in order.
  ordered_json before = ordered_json::parse(pipeline["spec"]["pipelineDefinition"].get<std::string>());
  ordered_json after = ordered_json::parse(patched["spec"]["pipelineDefinition"].get<std::string>());
  std::vector<std::string> keys_before, keys_after;
  for (auto it = before.begin(); it != before.end(); ++it) keys_before.push_back(it.key());
  for (auto it = after.begin(); it != after.end(); ++it) keys_after.push_back(it.key());
  EXPECT_EQ(keys_before, keys_after);
  EXPECT_EQ(after.dump(), [&] {
    ordered_json filled = before;
    filled["Steps"][0]["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"] = kTeamAOutput;
    filled["Steps"][0]["Arguments"]["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] = kTeamAVolume;
    return filled.dump();
  }());

  ValidationResult valid = Validate(patched);
  EXPECT_TRUE(valid.violations.empty()) << valid.message;
  ValidationResult invalid = Validate(pipeline);
  EXPECT_EQ(Codes(invalid.violations), (CodeList{"MissingKey", "MissingKey"}));
  EXPECT_FALSE(invalid.allowed);
}

TEST_F(PipelineTest, AModelStepHasNoKeysButItsRoleIsChecked) {
  json pipeline = LoadSample("pipeline.yaml");
  EXPECT_EQ(Mutate(pipeline).patch, json::array());
  EXPECT_TRUE(Validate(pipeline).violations.empty());
}

TEST_F(PipelineTest, ParameterReferencesAreJudgedByTheirDefaultAndNeverRewritten) {
  json definition = ExampleDefinition();  // its KmsKeyArn default is nobody's key
  json pipeline = PipelineWith(definition, 2);
  EXPECT_EQ(Mutate(pipeline).patch, json::array());
  ValidationResult result = Validate(pipeline);
  const std::string train = std::string(kDefinition) + "Steps[Train].Arguments.";
  const std::string evaluate = std::string(kDefinition) + "Steps[CheckRunEvaluation].Arguments.IfSteps[Evaluate].Arguments.";
  EXPECT_EQ(CodesAt(result.violations, train + "OutputDataConfig.KmsKeyId"), CodeList{"UnapprovedKey"});
  EXPECT_EQ(CodesAt(result.violations, train + "ResourceConfig.VolumeKmsKeyId"), CodeList{"UnapprovedKey"});
  EXPECT_EQ(CodesAt(result.violations, evaluate + "ProcessingOutputConfig.KmsKeyId"), CodeList{"UnapprovedKey"});
  EXPECT_EQ(CodesAt(result.violations, evaluate + "ProcessingResources.ClusterConfig.VolumeKmsKeyId"),
            CodeList{"UnapprovedKey"});
  EXPECT_EQ(result.violations.size(), 4u) << result.message;

  definition["Parameters"][0]["DefaultValue"] = kTeamADefault;
  EXPECT_TRUE(Validate(PipelineWith(definition)).violations.empty());

  definition["Parameters"][0].erase("DefaultValue");
  ValidationResult unset = Validate(PipelineWith(definition));
  EXPECT_EQ(Codes(unset.violations), CodeList(4, "MissingKey"));
  EXPECT_NE(unset.violations[0].message.find("\"KmsKeyArn\" has no default"), std::string::npos)
      << unset.violations[0].message;
  EXPECT_EQ(Mutate(PipelineWith(definition)).patch, json::array());  // parameters are never rewritten
}

TEST_F(PipelineTest, OnlyAbsentOrEmptyLiteralsAreFilledWhereTheParentExists) {
  json steps = json::array({TrainingStep("Empty", "", nullptr), TrainingStep("Set", kTeamAAllowed, kTeamAVolume)});
  steps[1]["Arguments"].erase("OutputDataConfig");  // no parent: nothing to fill
  json patched = MutateAndApply(PipelineWith(Definition(steps)));
  json after = DefinitionOf(patched);
  EXPECT_EQ(after["Steps"][0]["Arguments"]["OutputDataConfig"]["KmsKeyId"], kTeamAOutput);
  EXPECT_EQ(after["Steps"][0]["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"], kTeamAVolume);
  EXPECT_EQ(after["Steps"][1]["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"], kTeamAVolume);
  EXPECT_FALSE(after["Steps"][1]["Arguments"].contains("OutputDataConfig"));
}

TEST_F(PipelineTest, ExpressionsAreKeyFormat) {
  json steps = json::array({TrainingStep("Train", {{"Get", "Steps.Other.Key"}}, {{"Std:Join", {{"On", ""}}}})});
  ValidationResult result = Validate(PipelineWith(Definition(steps)));
  EXPECT_EQ(Codes(result.violations), (CodeList{"KeyFormat", "KeyFormat"}));
  EXPECT_NE(result.violations[0].message.find("a key must be a literal or a parameter"), std::string::npos);
  EXPECT_EQ(Mutate(PipelineWith(Definition(steps))).patch, json::array());
}

TEST_F(PipelineTest, NestedConditionStepsAreJudgedAtAnyDepth) {
  json inner = {{"Name", "Inner"},
                {"Type", "Condition"},
                {"Arguments", {{"Conditions", json::array()}, {"IfSteps", json::array({TrainingStep("Deep", kTeamBDefault, nullptr)})}}}};
  json outer = {{"Name", "Outer"},
                {"Type", "Condition"},
                {"Arguments", {{"Conditions", json::array()}, {"ElseSteps", json::array({inner})}}}};
  json pipeline = PipelineWith(Definition(json::array({outer})));
  json patched = MutateAndApply(pipeline);
  const std::string deep = std::string(kDefinition) +
                           "Steps[Outer].Arguments.ElseSteps[Inner].Arguments.IfSteps[Deep].Arguments.";
  ValidationResult result = Validate(patched);
  EXPECT_EQ(CodesAt(result.violations, deep + "OutputDataConfig.KmsKeyId"), (CodeList{"ForeignKey", "RegionMismatch"}));
  EXPECT_EQ(DefinitionOf(patched)["Steps"][0]["Arguments"]["ElseSteps"][0]["Arguments"]["IfSteps"][0]["Arguments"]
                                 ["ResourceConfig"]["VolumeKmsKeyId"],
            kTeamAVolume);
}

TEST_F(PipelineTest, OpaqueStepsHaveTheirOwnLevel) {
  json lambda = {{"Name", "Notify"}, {"Type", "Lambda"}, {"FunctionArn", "arn:aws:lambda:us-east-1:1:function:f"},
                 {"Arguments", json::object()}};
  json steps = json::array({lambda, TrainingStep("Train", kTeamBUsEast, kTeamAVolume)});
  const std::string opaque_path = std::string(kDefinition) + "Steps[Notify]";
  // Default warn, while the key rules deny: denied for the key alone.
  ValidationResult result = Validate(PipelineWith(Definition(steps)));
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(result.enforcement, Enforcement::kDeny);
  const Violation* opaque = FindViolation(result.violations, kOpaqueStep, opaque_path);
  ASSERT_NE(opaque, nullptr);
  EXPECT_EQ(opaque->enforcement, Enforcement::kWarn);
  EXPECT_EQ(result.message.find("OpaqueStep"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("ForeignKey"), std::string::npos);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("OpaqueStep at " + opaque_path), std::string::npos) << result.warnings[0];

  json only_lambda = PipelineWith(Definition(json::array({lambda})));
  ValidationResult warned = Validate(only_lambda);
  EXPECT_TRUE(warned.allowed);
  EXPECT_EQ(VerdictOf(warned), Verdict::kWarned);

  auto deny = MustLoadPolicy(TestPolicyYaml("pipelines: {opaqueSteps: deny}"));
  ValidationResult denied = Validate(only_lambda, deny.get());
  EXPECT_FALSE(denied.allowed);
  EXPECT_NE(denied.message.find("OpaqueStep at " + opaque_path), std::string::npos);

  auto audit = MustLoadPolicy(TestPolicyYaml("pipelines: {opaqueSteps: audit}"));
  ValidationResult audited = Validate(only_lambda, audit.get());
  EXPECT_EQ(VerdictOf(audited), Verdict::kAudited);
  EXPECT_TRUE(audited.warnings.empty());

  auto disabled = MustLoadPolicy(TestPolicyYaml("pipelines: {opaqueSteps: disabled}"));
  EXPECT_TRUE(Validate(only_lambda, disabled.get()).violations.empty());

  // Fail needs nothing; an unknown type is opaque too.
  json others = Definition(json::array({{{"Name", "Stop"}, {"Type", "Fail"}, {"Arguments", {{"ErrorMessage", "x"}}}},
                            {{"Name", "Future"}, {"Type", "QuantumStep"}, {"Arguments", json::object()}}}));
  EXPECT_EQ(Codes(Validate(PipelineWith(others)).violations), CodeList{"OpaqueStep"});
}

TEST_F(PipelineTest, UnreadableDefinitionsArePipelineDefinition) {
  json pipeline = LoadSample("pipeline.yaml");
  pipeline["spec"]["pipelineDefinition"] = "{\"Steps\": [ {\"Name\": \"A\",, }]}";
  ValidationResult bad = Validate(pipeline);
  ASSERT_EQ(Codes(bad.violations), CodeList{"PipelineDefinition"});
  EXPECT_EQ(bad.violations[0].path, "spec.pipelineDefinition");
  EXPECT_NE(bad.violations[0].message.find("line 1, column"), std::string::npos) << bad.violations[0].message;
  EXPECT_EQ(Mutate(pipeline).patch, json::array());

  pipeline["spec"]["pipelineDefinition"] = "{\"Version\": \"2020-12-01\"}";
  EXPECT_NE(Validate(pipeline).violations.at(0).message.find("no Steps array"), std::string::npos);
  pipeline["spec"]["pipelineDefinition"] = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_NE(Validate(pipeline).violations.at(0).message.find("nested deeper"), std::string::npos);
  pipeline["spec"]["pipelineDefinition"] = "{\"Steps\": [], \"Huge\": 1e999}";  // out_of_range, not parse_error
  EXPECT_NE(Validate(pipeline).violations.at(0).message.find("number overflow"), std::string::npos);
  EXPECT_EQ(Mutate(pipeline).patch, json::array());
  pipeline["spec"]["pipelineDefinition"] = "{\"Steps\": [\xde\x8a]}";  // the parser quotes half a character
  EXPECT_EQ(Validate(pipeline).violations.at(0).message.find("\xde"), std::string::npos);
  pipeline["spec"]["pipelineDefinition"] = 42;
  EXPECT_EQ(Codes(Validate(pipeline).violations), CodeList{"PipelineDefinition"});
}

TEST_F(PipelineTest, EndpointStepsAreToldApartByTheirArguments) {
  json config = {{"Name", "Config"},
                 {"Type", "Endpoint"},  // the published schema's type for an endpoint-config step
                 {"Arguments", {{"EndpointConfigName", "c"},
                                {"ProductionVariants", {{{"VariantName", "v"}, {"InstanceType", "ml.c5.large"},
                                                         {"CoreDumpConfig", {{"DestinationS3Uri", "s3://b/d"}}}}}}}}};
  json endpoint = {{"Name", "Deploy"}, {"Type", "Endpoint"},
                   {"Arguments", {{"EndpointName", "e"}, {"EndpointConfigName", "c"}}}};
  json config_typed = config;
  config_typed["Name"] = "Config2";
  config_typed["Type"] = "EndpointConfig";
  json after = DefinitionOf(MutateAndApply(PipelineWith(Definition(json::array({config, endpoint, config_typed})))));
  for (int i : {0, 2}) {
    EXPECT_EQ(after["Steps"][i]["Arguments"]["KmsKeyId"], kTeamAVolume);
    EXPECT_EQ(after["Steps"][i]["Arguments"]["ProductionVariants"][0]["CoreDumpConfig"]["KmsKeyId"], kTeamAOutput);
  }
  EXPECT_EQ(after["Steps"][1]["Arguments"], endpoint["Arguments"]);
}

TEST_F(PipelineTest, LocalNvmeInstanceTypesFromParametersToo) {
  json parameters = {{{"Name", "Type"}, {"Type", "String"}, {"DefaultValue", "ml.p4d.24xlarge"}}};
  json step = TrainingStep("Train", nullptr, nullptr);
  step["Arguments"]["ResourceConfig"]["InstanceType"] = {{"Get", "Parameters.Type"}};
  json after = DefinitionOf(MutateAndApply(PipelineWith(Definition(json::array({step}), parameters))));
  EXPECT_FALSE(after["Steps"][0]["Arguments"]["ResourceConfig"].contains("VolumeKmsKeyId"));
  step["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"] = kTeamAVolume;
  ValidationResult result = Validate(PipelineWith(Definition(json::array({step}), parameters)));
  EXPECT_EQ(Codes(result.violations), (CodeList{"LocalStorageKey", "MissingKey"}));
}

TEST_F(PipelineTest, OtherKeyMembersAndStepRolesAnywhereInArguments) {
  json step = TrainingStep("Train", kTeamAOutput, kTeamAVolume);
  step["Arguments"]["ProfilerConfig"] = {{"S3KmsKeyId", "alias/aws/s3"}};
  step["Arguments"]["Nested"] = {{{"KmsKey", ""}}, {{"ExecutionRoleArn", "arn:aws:iam::444455556666:role/b"}}};
  ValidationResult result = Validate(PipelineWith(Definition(json::array({step}))));
  const std::string at = std::string(kDefinition) + "Steps[Train].Arguments.";
  EXPECT_EQ(CodesAt(result.violations, at + "ProfilerConfig.S3KmsKeyId"), CodeList{"AwsManagedKey"});
  EXPECT_TRUE(CodesAt(result.violations, at + "Nested[0].KmsKey").empty());  // empty: never required
  EXPECT_EQ(result.violations.size(), 1u) << result.message;
}

TEST_F(PipelineTest, OnUpdateOnlyChangedStepFieldsAreJudgedAndNeverImmutable) {
  json old_pipeline = PipelineWith(Definition(json::array({TrainingStep("Train", kTeamBUsEast, kTeamAVolume)})));
  json relabelled = old_pipeline;
  relabelled["metadata"]["labels"] = {{"a", "b"}};
  auto update = MakeRequest(relabelled, "team-a", Operation::kUpdate, &old_pipeline);
  ValidationResult kept = CheckedValidate(*policy_, update->request);
  EXPECT_TRUE(kept.allowed) << kept.message;
  ASSERT_EQ(kept.warnings.size(), 1u);
  EXPECT_NE(kept.warnings[0].find("out of KMS policy: ForeignKey"), std::string::npos);

  json changed = PipelineWith(Definition(json::array({TrainingStep("Train", kTeamAAllowed, kTeamAVolume)})));
  auto change = MakeRequest(changed, "team-a", Operation::kUpdate, &old_pipeline);
  ValidationResult fine = CheckedValidate(*policy_, change->request);
  EXPECT_TRUE(fine.violations.empty()) << fine.message;  // pipeline keys can change: no ImmutableKey

  json foreign_volume = PipelineWith(Definition(json::array({TrainingStep("Train", kTeamBUsEast, kTeamBUsEast)})));
  auto worse = MakeRequest(foreign_volume, "team-a", Operation::kUpdate, &old_pipeline);
  ValidationResult denied = CheckedValidate(*policy_, worse->request);
  EXPECT_EQ(Codes(denied.violations), CodeList{"ForeignKey"});
  EXPECT_EQ(denied.violations[0].path, std::string(kDefinition) + "Steps[Train].Arguments.ResourceConfig.VolumeKmsKeyId");

  // UPDATE fills empty keys too.
  json emptied = PipelineWith(Definition(json::array({TrainingStep("Train", "", kTeamAVolume)})));
  auto fill = MakeRequest(emptied, "team-a", Operation::kUpdate, &old_pipeline);
  EXPECT_EQ(CheckedMutate(*policy_, fill->request).injected.size(), 1u);
}

TEST_F(PipelineTest, InjectionWarningsStopAtTwenty) {
  json steps = json::array();
  for (int i = 0; i < 15; ++i) steps.push_back(TrainingStep("T" + std::to_string(i), nullptr, nullptr));
  for (json& step : steps) step["Arguments"]["OutputDataConfig"]["KmsKeyId"] = "";
  MutationResult mutation = Mutate(PipelineWith(Definition(steps)));
  EXPECT_EQ(mutation.injected.size(), 30u);
  ASSERT_EQ(mutation.warnings.size(), 20u);
  EXPECT_EQ(mutation.warnings.back(), "keyward: and 11 more fields set");
  EXPECT_EQ(mutation.patch.size(), 1u);
}

TEST_F(PipelineTest, PrettyDefinitionsStayPretty) {
  json pipeline = PipelineWith(Definition(json::array({TrainingStep("Train", nullptr, nullptr)})), 4);
  json patched = MutateAndApply(pipeline);
  const std::string text = patched["spec"]["pipelineDefinition"];
  EXPECT_NE(text.find("\n    \"Version\""), std::string::npos) << text.substr(0, 80);
}

TEST_F(PipelineTest, ExecutionParametersThatLookLikeKeysAreChecked) {
  json run = LoadSample("pipeline_execution.yaml");
  run["spec"]["pipelineParameters"] = {{{"name", "KmsKeyArn"}, {"value", kTeamBUsEast}},
                                       {{"name", "OutputKms"}, {"value", "alias/aws/s3"}},
                                       {{"name", "VolumeKmsKey"}, {"value", ""}},
                                       {{"name", "RunId"}, {"value", "1234abcd-12ab-34cd-56ef-1234567890ab"}},
                                       {{"name", "Own"}, {"value", kTeamADefault}}};
  ValidationResult result = Validate(run);
  EXPECT_EQ(CodesAt(result.violations, "spec.pipelineParameters[0].value"), CodeList{"ForeignKey"});
  EXPECT_EQ(CodesAt(result.violations, "spec.pipelineParameters[1].value"), CodeList{"AwsManagedKey"});
  EXPECT_EQ(CodesAt(result.violations, "spec.pipelineParameters[2].value"), CodeList{"MissingKey"});
  EXPECT_EQ(result.violations.size(), 3u) << result.message;
  EXPECT_EQ(Mutate(run).patch, json::array());
  // Unclaimed namespace: NoTenant like every catalog kind.
  EXPECT_EQ(Codes(CheckedValidate(*policy_, MakeRequest(run, "elsewhere")->request).violations),
            CodeList{"NoTenant"});
}

// A pipeline's jobs run in its region: the keys filled into its steps are
// the tenant's keys there, chosen as for the fields of any kind (the
// resource's services.k8s.aws/region, the namespace's default-region, the
// tenant's region); none where the tenant has none there, and the step keys
// are checked against that region.
class PipelineRegionTest : public PipelineTest {
 protected:
  void SetUp() override { policy_ = MustLoadPolicy(RegionalPolicyYaml()); }
  Evaluation Judge(const json& object, const NamespaceInfo* info) {
    auto request = MakeRequest(object, "team-a");
    request->request.namespace_info = info;
    Evaluation evaluation = Evaluate(*policy_, request->request);
    CheckedMutate(*policy_, request->request);  // the invariants every result holds
    if (!evaluation.mutation.patch.empty()) {
      EXPECT_EQ(evaluation.mutated_object, ApplyPatch(object, evaluation.mutation.patch));
    }
    return evaluation;
  }
  static NamespaceInfo Annotated(std::string_view annotation, const std::string& value) {
    return {"team-a", {}, {{std::string(annotation), value}}};
  }
  json pipeline_ = PipelineWith(Definition(json::array({TrainingStep("Train", nullptr, nullptr)})));
  const std::string output_ = std::string(kDefinition) + "Steps[Train].Arguments.OutputDataConfig.KmsKeyId";
  const std::string volume_ = std::string(kDefinition) + "Steps[Train].Arguments.ResourceConfig.VolumeKmsKeyId";
};

TEST_F(PipelineRegionTest, StepKeysAreTheKeysOfThePipelinesRegion) {
  const NamespaceInfo eu = Annotated(kNamespaceRegionAnnotation, "eu-west-1");
  Evaluation there = Judge(pipeline_, &eu);
  ASSERT_EQ(there.mutation.injected.size(), 2u);
  for (const Injection& injection : there.mutation.injected) EXPECT_EQ(injection.key, kTeamAEuWest) << injection.path;
  const json steps = DefinitionOf(there.mutated_object)["Steps"];
  EXPECT_EQ(steps[0]["Arguments"]["OutputDataConfig"]["KmsKeyId"], kTeamAEuWest);
  EXPECT_EQ(steps[0]["Arguments"]["ResourceConfig"]["VolumeKmsKeyId"], kTeamAEuWest);
  EXPECT_TRUE(there.validation.violations.empty()) << there.validation.message;

  // The validation side agrees: the home keys are in the wrong region there.
  const json home_keys = PipelineWith(Definition(json::array({TrainingStep("Train", kTeamAOutput, kTeamAVolume)})));
  Evaluation keyed = Judge(home_keys, &eu);
  EXPECT_TRUE(keyed.mutation.patch.empty());
  EXPECT_EQ(CodesAt(keyed.validation.violations, output_), CodeList{std::string(kRegionMismatch)});
  EXPECT_EQ(CodesAt(keyed.validation.violations, volume_), CodeList{std::string(kRegionMismatch)});

  // At home (no namespace context), the tenant's own keys as before.
  Evaluation home = Judge(pipeline_, nullptr);
  EXPECT_EQ(DefinitionOf(home.mutated_object)["Steps"][0]["Arguments"]["OutputDataConfig"]["KmsKeyId"], kTeamAOutput);
  EXPECT_TRUE(home.validation.allowed) << home.validation.message;
}

TEST_F(PipelineRegionTest, NothingIsFilledWhereTheTenantHasNoKeyAndMissingKeySaysWhy) {
  // The resource's own annotation comes before the namespace's.
  json elsewhere = pipeline_;
  elsewhere["metadata"]["annotations"][std::string(kResourceRegionAnnotation)] = "ap-south-1";
  const NamespaceInfo eu = Annotated(kNamespaceRegionAnnotation, "eu-west-1");
  Evaluation evaluation = Judge(elsewhere, &eu);
  EXPECT_TRUE(evaluation.mutation.patch.empty()) << evaluation.mutation.patch.dump();
  EXPECT_FALSE(evaluation.validation.allowed);
  for (const std::string& path : {output_, volume_}) {
    EXPECT_EQ(CodesAt(evaluation.validation.violations, path), CodeList{std::string(kMissingKey)}) << path;
  }
  const Violation* missing = FindViolation(evaluation.validation.violations, kMissingKey, output_);
  ASSERT_NE(missing, nullptr);
  EXPECT_NE(missing->message.find("keys.regions.ap-south-1"), std::string::npos) << missing->message;

  // A parameter without a default is told the key of the region, or that there is none.
  json definition = Definition(json::array({TrainingStep("Train", {{"Get", "Parameters.Key"}}, kTeamAEuWest)}),
                               {{{"Name", "Key"}, {"Type", "String"}}});
  Evaluation unset = Judge(PipelineWith(definition), &eu);
  const Violation* parameter = FindViolation(unset.validation.violations, kMissingKey, output_);
  ASSERT_NE(parameter, nullptr) << unset.validation.message;
  EXPECT_NE(parameter->message.find(std::string("DefaultValue ") + kTeamAEuWest), std::string::npos)
      << parameter->message;

  // A namespace whose resources are made in another account: no key of
  // team-a's account is written, and MissingKey names the account.
  const NamespaceInfo other = Annotated(kNamespaceOwnerAccountAnnotation, "999988887777");
  Evaluation foreign = Judge(pipeline_, &other);
  EXPECT_TRUE(foreign.mutation.patch.empty()) << foreign.mutation.patch.dump();
  const Violation* account = FindViolation(foreign.validation.violations, kMissingKey, output_);
  ASSERT_NE(account, nullptr) << foreign.validation.message;
  EXPECT_NE(account->message.find("account 999988887777"), std::string::npos) << account->message;
}

}  // namespace
}  // namespace keyward
