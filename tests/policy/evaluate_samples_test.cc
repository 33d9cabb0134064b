// Mutation and validation on the real upstream e2e manifests of the AWS
// controller for SageMaker (tests/fixtures/samples). None sets a KMS field,
// so each catalogued one must come out of Mutate compliant.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
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

const Policy& SharedPolicy() {
  static const std::shared_ptr<const Policy> policy = MustLoadPolicy(TestPolicyYaml());
  return *policy;
}

struct SampleCase {
  std::string file;
  InstanceProfile profile;
  std::string ns;
};

void PrintTo(const SampleCase& c, std::ostream* out) {
  *out << c.file << (c.profile == InstanceProfile::kEbs ? " (EBS" : " (local NVMe") << " instances, namespace " << c.ns
       << ")";
}

class SampleTest : public ::testing::TestWithParam<SampleCase> {};

TEST_P(SampleTest, MutatedSampleIsCompliantAndMutationIsIdempotent) {
  const SampleCase& c = GetParam();
  const Policy& policy = SharedPolicy();
  json object = LoadSample(c.file, c.profile);
  ASSERT_TRUE(object.is_object()) << c.file;
  std::string api_version = object["apiVersion"];
  const CatalogKind* kind =
      FindCatalogKind(api_version.substr(0, api_version.find('/')), object["kind"].get<std::string>());
  auto request = MakeRequest(object, c.ns);
  MutationResult mutation = CheckedMutate(policy, request->request);

  if (kind == nullptr) {  // kinds outside the catalog pass untouched
    EXPECT_EQ(mutation.patch, json::array()) << c.file;
    EXPECT_TRUE(mutation.injected.empty());
    ValidationResult validation = CheckedValidate(policy, request->request);
    EXPECT_TRUE(validation.allowed);
    EXPECT_TRUE(validation.violations.empty());
    EXPECT_TRUE(validation.warnings.empty());
    return;
  }

  const Tenant* tenant = policy.TenantForNamespace(c.ns);
  ASSERT_NE(tenant, nullptr);
  EXPECT_EQ(mutation.tenant, tenant->name);

  if (kind->embedded != EmbeddedKeys::kNone) {
    // Keys inside an embedded document (evaluate_pipeline_test.cc): the
    // patch applies, is stable, and leaves the object compliant.
    json patched = ApplyPatch(object, mutation.patch);
    auto again = MakeRequest(patched, c.ns);
    EXPECT_EQ(CheckedMutate(policy, again->request).patch, json::array()) << c.file;
    ValidationResult valid = CheckedValidate(policy, again->request);
    EXPECT_TRUE(valid.violations.empty()) << c.file << ": " << valid.message;
    return;
  }
  std::map<std::string, std::string> required = RequiredFields(policy, *kind, *tenant, object);

  // The patch: one `add` per required field, holding the key for its purpose.
  std::map<std::string, std::string> patched_fields;
  for (const json& op : mutation.patch) {
    EXPECT_EQ(op.value("op", ""), "add") << op.dump();
    patched_fields[op.value("path", "")] = op.value("value", "");
  }
  std::map<std::string, std::string> expected_ops;
  for (const auto& [path, key] : required) expected_ops[PointerFromPath(path).to_string()] = key;
  EXPECT_EQ(patched_fields, expected_ops) << c.file << " in " << c.ns;
  EXPECT_EQ(mutation.patch.size(), required.size()) << mutation.patch.dump(2);

  // Injections and warnings mirror the patch.
  std::map<std::string, std::string> injected;
  for (const Injection& injection : mutation.injected) {
    injected[injection.path] = injection.key;
    EXPECT_EQ(tenant->keys.For(injection.purpose), injection.key) << injection.path;
  }
  EXPECT_EQ(injected, required);
  EXPECT_EQ(mutation.warnings.size(), required.size());

  // Applying the patch sets exactly the required fields and nothing else.
  json patched = ApplyPatch(object, mutation.patch);
  json expected_object = object;
  for (const auto& [path, key] : required) expected_object[PointerFromPath(path)] = key;
  EXPECT_EQ(patched, expected_object) << json::diff(expected_object, patched).dump(2);

  // Idempotent: the patched object needs nothing more.
  auto again = MakeRequest(patched, c.ns);
  EXPECT_EQ(CheckedMutate(policy, again->request).patch, json::array()) << c.file;

  // The patched object is compliant.
  ValidationResult valid = CheckedValidate(policy, again->request);
  EXPECT_TRUE(valid.allowed) << valid.message;
  EXPECT_TRUE(valid.violations.empty()) << valid.message;
  EXPECT_EQ(valid.tenant, tenant->name);

  // The unpatched object misses exactly the required keys.
  ValidationResult invalid = CheckedValidate(policy, request->request);
  std::set<std::string> missing;
  for (const Violation& v : invalid.violations) {
    EXPECT_EQ(v.code, kMissingKey) << v.path << ": " << v.message;
    missing.insert(v.path);
  }
  std::set<std::string> required_paths;
  for (const auto& [path, key] : required) required_paths.insert(path);
  EXPECT_EQ(missing, required_paths);
  EXPECT_EQ(invalid.allowed, required.empty()) << invalid.message;
  EXPECT_EQ(invalid.violations.size(), required.size());

  // Evaluate does both, as the apiserver would.
  Evaluation evaluation = Evaluate(policy, request->request);
  EXPECT_EQ(evaluation.mutation.patch, mutation.patch);
  EXPECT_EQ(evaluation.mutated_object, patched);
  EXPECT_TRUE(evaluation.validation.allowed) << evaluation.validation.message;
}

std::vector<SampleCase> AllSampleCases() {
  std::vector<SampleCase> cases;
  for (const std::string& file : SampleFiles()) {
    for (InstanceProfile profile : {InstanceProfile::kEbs, InstanceProfile::kLocalNvme}) {
      for (const char* ns : {"team-a-dev", "team-b"}) cases.push_back({file, profile, ns});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Upstream, SampleTest, ::testing::ValuesIn(AllSampleCases()),
                         [](const ::testing::TestParamInfo<SampleCase>& info) {
                           std::string name = info.param.file.substr(0, info.param.file.size() - 5) +
                                              (info.param.profile == InstanceProfile::kEbs ? "_ebs_" : "_local_") +
                                              info.param.ns;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SampleFilesTest, AllUpstreamSamplesArePresent) {
  EXPECT_EQ(SampleFiles().size(), 38u);
  int catalogued = 0;
  for (const std::string& file : SampleFiles()) {
    json object = LoadSample(file, InstanceProfile::kEbs);
    std::string api_version = object["apiVersion"];
    if (FindCatalogKind(api_version.substr(0, api_version.find('/')), object["kind"].get<std::string>())) {
      ++catalogued;
    }
  }
  // 21 with key fields; 5 Models and a Project with roles only; 2 Pipelines and a run; 2 Spaces and an
  // InferenceComponent with guardrails only.
  EXPECT_EQ(catalogued, 33);
}

// Hand-checked expectations for a few samples, so that the reference walker
// above cannot silently agree with a wrong core.
std::map<std::string, std::string> PatchedKeys(const std::string& file, InstanceProfile profile) {
  json object = LoadSample(file, profile);
  auto request = MakeRequest(object, "team-a");
  MutationResult mutation = CheckedMutate(SharedPolicy(), request->request);
  std::map<std::string, std::string> keys;
  for (const json& op : mutation.patch) keys[op.value("path", "")] = op.value("value", "");
  return keys;
}

using Keys = std::map<std::string, std::string>;

TEST(SampleSpotCheckTest, TrainingJob) {
  EXPECT_EQ(PatchedKeys("xgboost_trainingjob.yaml", InstanceProfile::kEbs),
            (Keys{{"/spec/outputDataConfig/kmsKeyID", kTeamAOutput},
                  {"/spec/resourceConfig/volumeKMSKeyID", kTeamAVolume}}));
  // ml.g4dn has local NVMe storage: no volume key.
  EXPECT_EQ(PatchedKeys("xgboost_trainingjob.yaml", InstanceProfile::kLocalNvme),
            (Keys{{"/spec/outputDataConfig/kmsKeyID", kTeamAOutput}}));
}

TEST(SampleSpotCheckTest, HyperParameterTuningJob) {
  EXPECT_EQ(PatchedKeys("xgboost_hpojob.yaml", InstanceProfile::kEbs),
            (Keys{{"/spec/trainingJobDefinition/outputDataConfig/kmsKeyID", kTeamAOutput},
                  {"/spec/trainingJobDefinition/resourceConfig/volumeKMSKeyID", kTeamAVolume}}));
}

TEST(SampleSpotCheckTest, ProcessingJobWithoutDatasetDefinitions) {
  EXPECT_EQ(PatchedKeys("kmeans_processingjob.yaml", InstanceProfile::kEbs),
            (Keys{{"/spec/processingOutputConfig/kmsKeyID", kTeamAOutput},
                  {"/spec/processingResources/clusterConfig/volumeKMSKeyID", kTeamAVolume}}));
}

TEST(SampleSpotCheckTest, EndpointConfigs) {
  EXPECT_EQ(PatchedKeys("endpoint_config_data_capture_single_variant.yaml", InstanceProfile::kEbs),
            (Keys{{"/spec/dataCaptureConfig/kmsKeyID", kTeamAOutput}, {"/spec/kmsKeyID", kTeamAVolume}}));
  EXPECT_EQ(PatchedKeys("endpoint_config_data_capture_single_variant.yaml", InstanceProfile::kLocalNvme),
            (Keys{{"/spec/dataCaptureConfig/kmsKeyID", kTeamAOutput}}));
  EXPECT_EQ(PatchedKeys("endpoint_config_multi_variant.yaml", InstanceProfile::kEbs),
            (Keys{{"/spec/kmsKeyID", kTeamAVolume}}));
  EXPECT_EQ(PatchedKeys("endpoint_config_single_variant.yaml", InstanceProfile::kLocalNvme), Keys{});
}

TEST(SampleSpotCheckTest, ModelPackageValidationProfiles) {
  std::string prefix = "/spec/validationSpecification/validationProfiles/0/transformJobDefinition";
  EXPECT_EQ(PatchedKeys("xgboost_versioned_model_package.yaml", InstanceProfile::kEbs),
            (Keys{{prefix + "/transformOutput/kmsKeyID", kTeamAOutput},
                  {prefix + "/transformResources/volumeKMSKeyID", kTeamAVolume}}));
}

TEST(SampleSpotCheckTest, OnlyFieldsWhoseParentExists) {
  EXPECT_EQ(PatchedKeys("monitoring_schedule_base.yaml", InstanceProfile::kEbs), Keys{});
  EXPECT_EQ(PatchedKeys("user_profile.yaml", InstanceProfile::kEbs), Keys{});
  EXPECT_EQ(PatchedKeys("feature_group.yaml", InstanceProfile::kEbs),
            (Keys{{"/spec/offlineStoreConfig/s3StorageConfig/kmsKeyID", kTeamAOutput}}));
  EXPECT_EQ(PatchedKeys("image_labelingjob.yaml", InstanceProfile::kEbs),
            (Keys{{"/spec/outputConfig/kmsKeyID", kTeamAOutput}}));
  EXPECT_EQ(PatchedKeys("data_quality_job_definition_xgboost_churn.yaml", InstanceProfile::kEbs),
            (Keys{{"/spec/dataQualityJobOutputConfig/kmsKeyID", kTeamAOutput},
                  {"/spec/jobResources/clusterConfig/volumeKMSKeyID", kTeamAVolume}}));
}

TEST(SampleSpotCheckTest, DomainGetsItsVolumeKeyButNeverTheDeprecatedEfsKey) {
  EXPECT_EQ(PatchedKeys("domain.yaml", InstanceProfile::kEbs), (Keys{{"/spec/kmsKeyID", kTeamAVolume}}));
}

TEST(SampleSpotCheckTest, NotebookVolumeIsAlwaysEbs) {
  EXPECT_EQ(PatchedKeys("notebook_instance.yaml", InstanceProfile::kEbs), (Keys{{"/spec/kmsKeyID", kTeamAVolume}}));
  EXPECT_EQ(PatchedKeys("notebook_instance.yaml", InstanceProfile::kLocalNvme),
            (Keys{{"/spec/kmsKeyID", kTeamAVolume}}));
}

}  // namespace
}  // namespace keyward
