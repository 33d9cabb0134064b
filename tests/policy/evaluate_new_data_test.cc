// UPDATE that brings data in new: a key field (or guardrail field) whose
// parent or anchor the stored object did not have is judged as on CREATE,
// filled when it can be updated, and never filled when it is create-only
// (the fix is to replace the resource). Real samples, every patch applied.
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
using CodeList = std::vector<std::string>;

constexpr char kSharingKey[] = "spec.defaultUserSettings.sharingSettings.s3KMSKeyID";

class NewDataTest : public ::testing::Test {
 protected:
  // The object as the apiserver stores it after the mutating webhook's patch.
  json Stored(const json& object) {
    auto request = MakeRequest(object, "team-a");
    return ApplyPatch(object, CheckedMutate(*policy_, request->request).patch);
  }
  Evaluation Update(const json& old_object, const json& new_object) {
    auto request = MakeRequest(new_object, "team-a", Operation::kUpdate, &old_object);
    Evaluation evaluation = Evaluate(*policy_, request->request);
    for (const std::string& w : evaluation.validation.warnings) EXPECT_LT(w.size(), 120u) << w;
    if (!evaluation.mutation.patch.empty()) {
      EXPECT_EQ(evaluation.mutated_object, ApplyPatch(new_object, evaluation.mutation.patch));
    }
    return evaluation;
  }
  ValidationResult ValidateOnly(const json& old_object, const json& new_object) {
    auto request = MakeRequest(new_object, "team-a", Operation::kUpdate, &old_object);
    return CheckedValidate(*policy_, request->request);
  }

  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
};

// The reported way around a key: a Domain created without sharingSettings,
// then updated to add them with no key.
TEST_F(NewDataTest, SharingSettingsAddedByAnUpdateGetTheTenantsKey) {
  json domain = Stored(LoadSample("domain.yaml"));
  ASSERT_FALSE(domain["spec"]["defaultUserSettings"].contains("sharingSettings"));
  json updated = domain;
  updated["spec"]["defaultUserSettings"]["sharingSettings"] = {{"notebookOutputOption", "Allowed"},
                                                               {"s3OutputPath", "s3://team-a-studio/shared"}};
  Evaluation evaluation = Update(domain, updated);
  EXPECT_EQ(evaluation.mutation.injected.size(), 1u) << evaluation.mutation.patch.dump();
  EXPECT_EQ(ValueAt(evaluation.mutated_object, kSharingKey)->get<std::string>(), kTeamAOutput);
  EXPECT_TRUE(evaluation.validation.allowed) << evaluation.validation.message;
  EXPECT_TRUE(evaluation.validation.violations.empty()) << evaluation.validation.message;

  // With the webhook's mutation skipped (mutation off, or the VAP alone),
  // it is MissingKey, not a warning.
  ValidationResult unmutated = ValidateOnly(domain, updated);
  EXPECT_FALSE(unmutated.allowed);
  EXPECT_EQ(CodesAt(unmutated.violations, kSharingKey), CodeList{std::string(kMissingKey)}) << unmutated.message;

  // The ratchet stays for what the stored object already had: updating
  // existing sharingSettings that lack a key only warns.
  json old_sharing = updated;
  json relabelled = old_sharing;
  relabelled["metadata"]["labels"] = {{"team", "a"}};
  ValidationResult ratchet = ValidateOnly(old_sharing, relabelled);
  EXPECT_TRUE(ratchet.allowed) << ratchet.message;
  EXPECT_TRUE(ratchet.violations.empty());
  EXPECT_FALSE(ratchet.warnings.empty());
}

// A create-only key whose parent an update adds cannot be injected (that
// would be ImmutableKey): MissingKey, whose fix swaps the config.
TEST_F(NewDataTest, CreateOnlyKeysOfNewDataAreNeverInjectedAndSayHowToReplace) {
  json config = Stored(LoadSample("endpoint_config_single_variant.yaml"));
  ASSERT_FALSE(config["spec"].contains("dataCaptureConfig"));
  json updated = config;
  updated["spec"]["dataCaptureConfig"] = {{"enableCapture", true},
                                          {"destinationS3URI", "s3://team-a-capture/"},
                                          {"initialSamplingPercentage", 100}};
  Evaluation evaluation = Update(config, updated);
  EXPECT_TRUE(evaluation.mutation.patch.empty()) << evaluation.mutation.patch.dump();
  EXPECT_FALSE(evaluation.validation.allowed);
  const Violation* missing =
      FindViolation(evaluation.validation.violations, kMissingKey, "spec.dataCaptureConfig.kmsKeyID");
  ASSERT_NE(missing, nullptr) << evaluation.validation.message;
  EXPECT_NE(missing->message.find("point the Endpoint at it"), std::string::npos) << missing->message;
  EXPECT_NE(missing->message.find(kTeamAOutput), std::string::npos) << missing->message;
}

// An anchored key: the online store an update adds is keyed data.
TEST_F(NewDataTest, AnOnlineStoreAddedByAnUpdateIsJudgedAsOnCreate) {
  json group = Stored(LoadSample("feature_group.yaml"));
  group["spec"].erase("onlineStoreConfig");
  json updated = group;
  updated["spec"]["onlineStoreConfig"] = {{"enableOnlineStore", true}};
  Evaluation evaluation = Update(group, updated);
  EXPECT_TRUE(evaluation.mutation.patch.empty()) << evaluation.mutation.patch.dump();
  EXPECT_EQ(CodesAt(evaluation.validation.violations, "spec.onlineStoreConfig.securityConfig.kmsKeyID"),
            CodeList{std::string(kMissingKey)})
      << evaluation.validation.message;
}

// A new array element is new data too.
TEST_F(NewDataTest, AVariantAddedByAnUpdateIsJudgedAsOnCreate) {
  json config = Stored(LoadSample("endpoint_config_multi_variant.yaml"));
  json updated = config;
  json variant = updated["spec"]["productionVariants"][0];
  variant["variantName"] = "added";
  variant["coreDumpConfig"] = {{"destinationS3URI", "s3://team-a-dumps/"}};
  updated["spec"]["productionVariants"].push_back(variant);
  const std::string path = "spec.productionVariants[" + std::to_string(updated["spec"]["productionVariants"].size() - 1) +
                           "].coreDumpConfig.kmsKeyID";
  Evaluation evaluation = Update(config, updated);
  EXPECT_EQ(CodesAt(evaluation.validation.violations, path), CodeList{std::string(kMissingKey)})
      << evaluation.validation.message;
}

// Guardrails: a monitoring job definition an update adds gets network
// isolation injected, as on CREATE; one the stored object had keeps what
// it had.
TEST_F(NewDataTest, GuardrailFieldsOfNewDataAreFilledAsOnCreate) {
  policy_ = MustLoadPolicy(TestPolicyYaml(R"(
guardrails:
  networkIsolation: {enforcement: deny, inject: true}
)"));
  json schedule = Stored(LoadSample("monitoring_schedule_base.yaml"));
  ASSERT_FALSE(schedule["spec"]["monitoringScheduleConfig"].contains("monitoringJobDefinition"));
  json updated = schedule;
  updated["spec"]["monitoringScheduleConfig"].erase("monitoringJobDefinitionName");
  updated["spec"]["monitoringScheduleConfig"]["monitoringJobDefinition"] = {
      {"roleARN", "arn:aws:iam::111122223333:role/team-a-monitor"},
      {"monitoringAppSpecification", {{"imageURI", "111122223333.dkr.ecr.us-east-1.amazonaws.com/monitor:1"}}},
      {"monitoringResources",
       {{"clusterConfig", {{"instanceCount", 1}, {"instanceType", "ml.m5.large"}, {"volumeSizeInGB", 20}}}}},
      {"monitoringOutputConfig",
       {{"monitoringOutputs", json::array({{{"s3Output", {{"s3URI", "s3://team-a-monitor/"}, {"localPath", "/out"}}}}})}}}};
  Evaluation evaluation = Update(schedule, updated);
  const json* isolation = ValueAt(evaluation.mutated_object,
                                  "spec.monitoringScheduleConfig.monitoringJobDefinition.networkConfig."
                                  "enableNetworkIsolation");
  ASSERT_NE(isolation, nullptr) << evaluation.mutation.patch.dump();
  EXPECT_EQ(*isolation, true);
  EXPECT_TRUE(evaluation.validation.allowed) << evaluation.validation.message;

  // The definition existed before without networkConfig: nothing is added.
  json later = evaluation.mutated_object;
  later["spec"]["monitoringScheduleConfig"]["monitoringJobDefinition"].erase("networkConfig");
  json relabelled = later;
  relabelled["metadata"]["labels"] = {{"team", "a"}};
  Evaluation kept = Update(later, relabelled);
  EXPECT_EQ(ValueAt(kept.mutated_object,
                    "spec.monitoringScheduleConfig.monitoringJobDefinition.networkConfig.enableNetworkIsolation"),
            nullptr)
      << kept.mutation.patch.dump();
}

}  // namespace
}  // namespace keyward
