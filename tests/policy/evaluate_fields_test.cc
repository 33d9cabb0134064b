// Which fields Mutate fills and Validate requires: arrays, set fields,
// deprecated fields, local NVMe instance types, legacy kinds, patch shape.
#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/rules/evaluate.h"
#include "tests/policy/manifests.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using namespace keyward::testing;
using nlohmann::json;
using CodeList = std::vector<std::string>;
using Keys = std::map<std::string, std::string>;  // concrete path -> key

class FieldsTest : public ::testing::Test {
 protected:
  // Mutates `object` as a CREATE in `ns` and returns path -> injected key,
  // after checking that the patch is exactly those `add` ops, that the
  // injections agree with it, and that mutating again does nothing.
  Keys Injected(const json& object, const std::string& ns = "team-a") {
    auto request = MakeRequest(object, ns);
    MutationResult result = CheckedMutate(*policy_, request->request);
    Keys from_patch;
    for (const json& op : result.patch) {
      EXPECT_EQ(op.value("op", ""), "add") << op.dump();
      from_patch[op.value("path", "")] = op.value("value", "");
    }
    Keys injected;
    Keys injected_pointers;
    for (const Injection& injection : result.injected) {
      injected[injection.path] = injection.key;
      injected_pointers[PointerFromPath(injection.path).to_string()] = injection.key;
    }
    EXPECT_EQ(from_patch, injected_pointers) << "patch and injections disagree: " << result.patch.dump();
    EXPECT_EQ(result.warnings.size(), result.injected.size());
    json patched = ApplyPatch(object, result.patch);
    for (const auto& [path, key] : injected) {
      const json* value = ValueAt(patched, path);
      EXPECT_TRUE(value != nullptr && *value == key) << path;
    }
    auto again = MakeRequest(patched, ns);
    EXPECT_EQ(CheckedMutate(*policy_, again->request).patch, json::array()) << "not idempotent";
    last_patched_ = patched;
    return injected;
  }

  ValidationResult Check(const json& object, const std::string& ns = "team-a") {
    auto request = MakeRequest(object, ns);
    return CheckedValidate(*policy_, request->request);
  }

  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
  json last_patched_;
};

TEST_F(FieldsTest, ArrayFieldsAreFilledInEachElementWhoseParentExists) {
  json variants = json::array({ProductionVariant("a", "ml.m5.xlarge"), ProductionVariant("b", "ml.m5.xlarge"),
                               ProductionVariant("c", "ml.c5.large")});
  variants[0]["coreDumpConfig"] = {{"destinationS3URI", "s3://team-a-data/dumps"}};
  variants[2]["coreDumpConfig"] = {{"destinationS3URI", "s3://team-a-data/dumps"}, {"kmsKeyID", kTeamAAllowed}};
  json config = EndpointConfig(variants);
  EXPECT_EQ(Injected(config), (Keys{{"spec.kmsKeyID", kTeamAVolume},
                                    {"spec.productionVariants[0].coreDumpConfig.kmsKeyID", kTeamAOutput}}));

  ValidationResult missing = Check(config);
  EXPECT_FALSE(missing.allowed);
  EXPECT_EQ(CodesAt(missing.violations, "spec.productionVariants[0].coreDumpConfig.kmsKeyID"),
            CodeList{std::string(kMissingKey)});
  EXPECT_EQ(CodesAt(missing.violations, "spec.kmsKeyID"), CodeList{std::string(kMissingKey)});
  EXPECT_EQ(missing.violations.size(), 2u);
  EXPECT_TRUE(Check(last_patched_).allowed);

  // A violation inside an array names its element.
  last_patched_["spec"]["productionVariants"][2]["coreDumpConfig"]["kmsKeyID"] = kTeamCDefault;
  ValidationResult foreign = Check(last_patched_);
  EXPECT_EQ(CodesAt(foreign.violations, "spec.productionVariants[2].coreDumpConfig.kmsKeyID"),
            CodeList{std::string(kForeignKey)});
  EXPECT_EQ(foreign.violations.size(), 1u);
}

TEST_F(FieldsTest, ProcessingInputsDatasetDefinitions) {
  json job = {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
              {"kind", "ProcessingJob"},
              {"metadata", {{"name", "prep"}}},
              {"spec",
               {{"processingJobName", "prep"},
                {"processingResources",
                 {{"clusterConfig", {{"instanceCount", 1}, {"instanceType", "ml.m5.xlarge"}, {"volumeSizeInGB", 20}}}}},
                {"processingInputs",
                 json::array({json{{"inputName", "s3"}, {"s3Input", {{"s3URI", "s3://b/in"}}}},
                              json{{"inputName", "athena"},
                                   {"datasetDefinition",
                                    {{"athenaDatasetDefinition", {{"catalog", "AwsDataCatalog"}, {"database", "db"}}}}}},
                              json{{"inputName", "redshift"},
                                   {"datasetDefinition",
                                    {{"redshiftDatasetDefinition", {{"clusterID", "c1"}, {"database", "db"}}}}}}})}}}};
  EXPECT_EQ(Injected(job),
            (Keys{{"spec.processingInputs[1].datasetDefinition.athenaDatasetDefinition.kmsKeyID", kTeamAOutput},
                  {"spec.processingInputs[2].datasetDefinition.redshiftDatasetDefinition.kmsKeyID", kTeamAOutput},
                  {"spec.processingResources.clusterConfig.volumeKMSKeyID", kTeamAVolume}}));
}

// Each training job definition's volume key covers the instance types of
// the same definition only.
TEST_F(FieldsTest, TuningJobDefinitionsAreJudgedPerElement) {
  auto definition = [](json resource_config) {
    return json{{"outputDataConfig", {{"s3OutputPath", "s3://b/out"}}}, {"resourceConfig", resource_config}};
  };
  json job = {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
              {"kind", "HyperParameterTuningJob"},
              {"metadata", {{"name", "hpo"}}},
              {"spec",
               {{"hyperParameterTuningJobName", "hpo"},
                {"trainingJobDefinitions",
                 json::array({definition({{"instanceType", "ml.m5.xlarge"}, {"instanceCount", 1}}),
                              definition({{"instanceType", "ml.g5.xlarge"}, {"instanceCount", 1}}),
                              definition({{"instanceGroups", json::array({json{{"instanceType", "ml.m5.xlarge"}},
                                                                          json{{"instanceType", "ml.p4d.24xlarge"}}})}}),
                              definition({{"instanceGroups", json::array({json{{"instanceType", "ml.m5.xlarge"}},
                                                                          json{{"instanceType", "ml.c5.xlarge"}}})}})})}}}};
  EXPECT_EQ(Injected(job), (Keys{{"spec.trainingJobDefinitions[0].outputDataConfig.kmsKeyID", kTeamAOutput},
                                 {"spec.trainingJobDefinitions[0].resourceConfig.volumeKMSKeyID", kTeamAVolume},
                                 {"spec.trainingJobDefinitions[1].outputDataConfig.kmsKeyID", kTeamAOutput},
                                 {"spec.trainingJobDefinitions[2].outputDataConfig.kmsKeyID", kTeamAOutput},
                                 {"spec.trainingJobDefinitions[3].outputDataConfig.kmsKeyID", kTeamAOutput},
                                 {"spec.trainingJobDefinitions[3].resourceConfig.volumeKMSKeyID", kTeamAVolume}}));
  EXPECT_TRUE(Check(last_patched_).allowed);
  json local_key = last_patched_;
  local_key["spec"]["trainingJobDefinitions"][2]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  ValidationResult result = Check(local_key);
  EXPECT_EQ(Codes(result.violations), CodeList{std::string(kLocalStorageKey)});
  EXPECT_EQ(CodesAt(result.violations, "spec.trainingJobDefinitions[2].resourceConfig.volumeKMSKeyID"),
            CodeList{std::string(kLocalStorageKey)});
}

TEST_F(FieldsTest, SetFieldsAreNeverChanged) {
  json job = TrainingJob();
  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAAllowed;
  EXPECT_EQ(Injected(job), (Keys{{"spec.resourceConfig.volumeKMSKeyID", kTeamAVolume}}));
  // Not even a foreign or malformed key: validation reports those.
  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = "garbage";
  EXPECT_EQ(Injected(job), Keys{});
}

TEST_F(FieldsTest, EmptyStringCountsAsAbsent) {
  json job = TrainingJob();
  job["spec"]["outputDataConfig"]["kmsKeyID"] = "";
  EXPECT_EQ(Injected(job), (Keys{{"spec.outputDataConfig.kmsKeyID", kTeamAOutput},
                                 {"spec.resourceConfig.volumeKMSKeyID", kTeamAVolume}}));
  ValidationResult result = Check(job);
  EXPECT_EQ(CodesAt(result.violations, "spec.outputDataConfig.kmsKeyID"), CodeList{std::string(kMissingKey)});
}

TEST_F(FieldsTest, DeprecatedHomeEfsKeyIsNeverInjectedNorRequired) {
  json domain = Domain();
  EXPECT_EQ(Injected(domain), (Keys{{"spec.defaultUserSettings.sharingSettings.s3KMSKeyID", kTeamAOutput},
                                    {"spec.kmsKeyID", kTeamAVolume}}));
  EXPECT_TRUE(Check(last_patched_).allowed);
  domain["spec"]["homeEFSFileSystemKMSKeyID"] = "";
  EXPECT_EQ(Injected(domain).count("spec.homeEFSFileSystemKMSKeyID"), 0u);
  ValidationResult result = Check(domain);
  EXPECT_TRUE(CodesAt(result.violations, "spec.homeEFSFileSystemKMSKeyID").empty());
}

TEST_F(FieldsTest, JobVolumeKeyIsNotInjectedOnLocalNvmeInstances) {
  for (const char* type : {"ml.p4d.24xlarge", "ml.g4dn.xlarge", "ml.p6-b200.48xlarge", "ml.trn1.32xlarge"}) {
    json job = TrainingJob(type);
    EXPECT_EQ(Injected(job), (Keys{{"spec.outputDataConfig.kmsKeyID", kTeamAOutput}})) << type;
    EXPECT_TRUE(Check(last_patched_).allowed) << type;  // the volume key is not required
  }
  for (const char* type : {"ml.m5.xlarge", "ml.p3.2xlarge", "ml.inf2.xlarge", "ml.t3.medium"}) {
    EXPECT_EQ(Injected(TrainingJob(type)).count("spec.resourceConfig.volumeKMSKeyID"), 1u) << type;
  }
}

TEST_F(FieldsTest, SetJobVolumeKeyOnLocalNvmeIsLocalStorageKey) {
  json job = TrainingJob("ml.p4d.24xlarge");
  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  ValidationResult result = Check(job);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(Codes(result.violations), CodeList{std::string(kLocalStorageKey)});
  ASSERT_EQ(result.violations.size(), 1u);
  EXPECT_EQ(result.violations[0].path, "spec.resourceConfig.volumeKMSKeyID");
  EXPECT_NE(result.violations[0].message.find("ml.p4d.24xlarge"), std::string::npos) << result.violations[0].message;
}

TEST_F(FieldsTest, AnyLocalInstanceGroupMakesTheVolumeLocal) {
  json job = TrainingJob();
  job["spec"]["resourceConfig"].erase("instanceType");
  job["spec"]["resourceConfig"]["instanceGroups"] = json::array(
      {json{{"instanceGroupName", "cpu"}, {"instanceType", "ml.m5.xlarge"}, {"instanceCount", 1}},
       json{{"instanceGroupName", "gpu"}, {"instanceType", "ml.g5.2xlarge"}, {"instanceCount", 1}}});
  EXPECT_EQ(Injected(job), (Keys{{"spec.outputDataConfig.kmsKeyID", kTeamAOutput}}));
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  EXPECT_EQ(CodesAt(Check(job).violations, "spec.resourceConfig.volumeKMSKeyID"),
            CodeList{std::string(kLocalStorageKey)});

  job["spec"]["resourceConfig"]["instanceGroups"][1]["instanceType"] = "ml.c5.2xlarge";
  job["spec"]["resourceConfig"].erase("volumeKMSKeyID");
  EXPECT_EQ(Injected(job).count("spec.resourceConfig.volumeKMSKeyID"), 1u);
}

TEST_F(FieldsTest, PolicyCanAddLocalStorageInstanceTypes) {
  policy_ = MustLoadPolicy(TestPolicyYaml("localStorageInstanceTypes: [\"ml.m5.24*\"]"));
  EXPECT_EQ(Injected(TrainingJob("ml.m5.24xlarge")), (Keys{{"spec.outputDataConfig.kmsKeyID", kTeamAOutput}}));
  EXPECT_EQ(Injected(TrainingJob("ml.m5.12xlarge")).size(), 2u);
}

TEST_F(FieldsTest, OtherJobKindsHonourLocalStorage) {
  json transform = {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
                    {"kind", "TransformJob"},
                    {"metadata", {{"name", "batch"}}},
                    {"spec",
                     {{"transformJobName", "batch"},
                      {"transformOutput", {{"s3OutputPath", "s3://b/out"}}},
                      {"transformResources", {{"instanceCount", 1}, {"instanceType", "ml.m5d.xlarge"}}}}}};
  EXPECT_EQ(Injected(transform), (Keys{{"spec.transformOutput.kmsKeyID", kTeamAOutput}}));
  transform["spec"]["transformResources"]["instanceType"] = "ml.m5.xlarge";
  EXPECT_EQ(Injected(transform).size(), 2u);
}

// CreateEndpointConfig fails when KmsKeyId is set and any variant's
// instance type has local storage (the API reference), as a job's does.
TEST_F(FieldsTest, EndpointVolumeKeyOnLocalNvmeIsRefusedLikeAJobs) {
  json config = EndpointConfig(
      json::array({ProductionVariant("cpu", "ml.m5.xlarge"), ProductionVariant("gpu", "ml.g4dn.xlarge")}));
  EXPECT_EQ(Injected(config), Keys{});  // any local variant: no volume key
  EXPECT_TRUE(Check(config).allowed);

  config["spec"]["kmsKeyID"] = kTeamAVolume;
  ValidationResult result = Check(config);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(CodesAt(result.violations, "spec.kmsKeyID"), CodeList{std::string(kLocalStorageKey)}) << result.message;
  EXPECT_NE(result.message.find("ml.g4dn.xlarge"), std::string::npos) << result.message;
  // Another tenant's key is also reported.
  config["spec"]["kmsKeyID"] = kTeamCDefault;
  EXPECT_EQ(CodesAt(Check(config).violations, "spec.kmsKeyID"),
            (CodeList{std::string(kLocalStorageKey), std::string(kForeignKey)}));
}

TEST_F(FieldsTest, LegacyKindsUseKmsKeyIdCasing) {
  json job = LegacyTrainingJob();
  EXPECT_EQ(Injected(job), (Keys{{"spec.outputDataConfig.kmsKeyId", kTeamAOutput},
                                 {"spec.resourceConfig.volumeKmsKeyId", kTeamAVolume}}));
  EXPECT_EQ(last_patched_["spec"]["outputDataConfig"].count("kmsKeyID"), 0u);
  EXPECT_TRUE(Check(last_patched_).allowed);
  ValidationResult missing = Check(job);
  EXPECT_EQ(CodesAt(missing.violations, "spec.outputDataConfig.kmsKeyId"), CodeList{std::string(kMissingKey)});
  EXPECT_EQ(CodesAt(missing.violations, "spec.resourceConfig.volumeKmsKeyId"), CodeList{std::string(kMissingKey)});

  json config = LegacyEndpointConfig("us-east-1", "ml.p3.2xlarge");
  EXPECT_EQ(Injected(config), (Keys{{"spec.kmsKeyId", kTeamAVolume}}));
  EXPECT_EQ(Injected(LegacyEndpointConfig("us-east-1", "ml.p4d.24xlarge")), Keys{});
}

TEST_F(FieldsTest, LegacyKindsInAnotherTenantRegion) {
  // team-b lives in eu-west-1, and so does this job (spec.region).
  json job = LegacyTrainingJob("eu-west-1");
  EXPECT_EQ(Injected(job, "team-b").size(), 2u);
  EXPECT_TRUE(Check(last_patched_, "team-b").allowed);
}

TEST_F(FieldsTest, PatchOrderIsDeterministic) {
  json variants = json::array();
  for (int i = 0; i < 12; ++i) {
    json variant = ProductionVariant("v" + std::to_string(i), "ml.m5.xlarge");
    variant["coreDumpConfig"] = {{"destinationS3URI", "s3://b/d"}};
    variants.push_back(variant);
  }
  json config = EndpointConfig(variants);
  config["spec"]["dataCaptureConfig"] = {{"destinationS3URI", "s3://b/c"}};
  config["spec"]["asyncInferenceConfig"] = {{"outputConfig", {{"s3OutputPath", "s3://b/a"}}}};
  auto first = MakeRequest(config, "team-a");
  auto second = MakeRequest(json::parse(config.dump()), "team-a");
  json patch = CheckedMutate(*policy_, first->request).patch;
  EXPECT_EQ(patch.size(), 15u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(CheckedMutate(*policy_, second->request).patch, patch);
  // Array elements in document order.
  std::vector<std::string> variant_paths;
  for (const std::string& path : PatchPaths(patch)) {
    if (path.find("/coreDumpConfig/") != std::string::npos) variant_paths.push_back(path);
  }
  ASSERT_EQ(variant_paths.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(variant_paths[i], "/spec/productionVariants/" + std::to_string(i) + "/coreDumpConfig/kmsKeyID");
  }
}

TEST_F(FieldsTest, NonObjectParentsAreSkippedNotCrashed) {
  json job = TrainingJob();
  job["spec"]["outputDataConfig"] = "s3://not-an-object";
  job["spec"]["resourceConfig"] = json::array();
  EXPECT_NO_THROW(Injected(job));
  json config = EndpointConfig(json::array({json("x"), json(nullptr), json(3)}));
  config["spec"]["kmsKeyID"] = 42;  // wrong type
  EXPECT_NO_THROW(Check(config));
  json bare = {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"}, {"kind", "TrainingJob"}};
  EXPECT_NO_THROW(Injected(bare));
  EXPECT_NO_THROW(Check(bare));
}

}  // namespace
}  // namespace keyward
