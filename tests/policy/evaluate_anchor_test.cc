// Anchored key fields: data that exists while the key's parent object does
// not (a FeatureGroup's online store without securityConfig, automated
// labeling without a resource config). Built on the upstream samples; every
// patch is applied to the object and the result judged again.
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

constexpr char kOnlineKeyPath[] = "spec.onlineStoreConfig.securityConfig.kmsKeyID";
constexpr char kOfflineKeyPath[] = "spec.offlineStoreConfig.s3StorageConfig.kmsKeyID";
constexpr char kLabelingVolumePath[] = "spec.labelingJobAlgorithmsConfig.labelingJobResourceConfig.volumeKMSKeyID";

json FeatureGroupWithOnlineStore(const json& online_store_config) {
  json group = LoadSample("feature_group.yaml");
  group["spec"]["onlineStoreConfig"] = online_store_config;
  return group;
}

json AutomatedLabelingJob() {
  json job = LoadSample("image_labelingjob.yaml");
  job["spec"]["labelingJobAlgorithmsConfig"] = {
      {"labelingJobAlgorithmSpecificationARN",
       "arn:aws:sagemaker:us-east-1:027400017018:labeling-job-algorithm-specification/image-classification"}};
  return job;
}

class AnchorTest : public ::testing::Test {
 protected:
  // Mutates `object` in team-a, checks the patch against the reference
  // walker, applies it, and returns the result.
  json MutateAndApply(const json& object, size_t expected_ops) {
    auto request = MakeRequest(object, "team-a");
    MutationResult mutation = CheckedMutate(*policy_, request->request);
    EXPECT_EQ(mutation.patch.size(), expected_ops) << mutation.patch.dump(2);
    for (const json& op : mutation.patch) EXPECT_EQ(op.at("op"), "add") << op.dump();
    json patched = ApplyPatch(object, mutation.patch);
    // Exactly the fields the reference walker requires were set.
    const CatalogKind* kind = FindCatalogKind(kAckGroup, object.at("kind").get<std::string>());
    EXPECT_NE(kind, nullptr);
    json expected = object;
    if (kind != nullptr) {
      for (const auto& [path, key] : RequiredFields(*policy_, *kind, *policy_->TenantForNamespace("team-a"), object)) {
        expected[PointerFromPath(path)] = key;
      }
    }
    EXPECT_EQ(patched, expected) << json::diff(expected, patched).dump(2);
    // Idempotent, and compliant afterwards.
    auto again = MakeRequest(patched, "team-a");
    EXPECT_EQ(CheckedMutate(*policy_, again->request).patch, json::array());
    ValidationResult valid = CheckedValidate(*policy_, again->request);
    EXPECT_TRUE(valid.allowed) << valid.message;
    EXPECT_TRUE(valid.violations.empty()) << valid.message;
    return patched;
  }

  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
};

TEST_F(AnchorTest, OnlineStoreWithoutSecurityConfigGetsOneAddHoldingTheKey) {
  json group = FeatureGroupWithOnlineStore({{"enableOnlineStore", true}});
  auto request = MakeRequest(group, "team-a");
  MutationResult mutation = CheckedMutate(*policy_, request->request);
  ASSERT_EQ(mutation.patch.size(), 2u) << mutation.patch.dump(2);
  json online_op = mutation.patch[1].at("path") == "/spec/onlineStoreConfig/securityConfig" ? mutation.patch[1]
                                                                                               : mutation.patch[0];
  EXPECT_EQ(online_op, (json{{"op", "add"},
                             {"path", "/spec/onlineStoreConfig/securityConfig"},
                             {"value", {{"kmsKeyID", kTeamAVolume}}}}));
  ASSERT_EQ(mutation.injected.size(), 2u);
  EXPECT_EQ(mutation.warnings.size(), 2u);

  json patched = MutateAndApply(group, 2);
  EXPECT_EQ(patched["spec"]["onlineStoreConfig"]["securityConfig"]["kmsKeyID"], kTeamAVolume);
  EXPECT_EQ(patched["spec"]["onlineStoreConfig"]["enableOnlineStore"], true);
  EXPECT_EQ(patched["spec"]["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyID"], kTeamAOutput);
}

TEST_F(AnchorTest, WithoutMutationTheMissingOnlineKeyIsMissingKey) {
  auto policy = MustLoadPolicy(TestPolicyYaml("mutation: disabled"));
  json group = FeatureGroupWithOnlineStore({{"enableOnlineStore", true}, {"storageType", "Standard"}});
  auto request = MakeRequest(group, "team-a");
  EXPECT_EQ(CheckedMutate(*policy, request->request).patch, json::array());
  ValidationResult result = CheckedValidate(*policy, request->request);
  EXPECT_FALSE(result.allowed);
  const Violation* missing = FindViolation(result.violations, kMissingKey, kOnlineKeyPath);
  ASSERT_NE(missing, nullptr) << result.message;
  EXPECT_NE(missing->message.find(kTeamAVolume), std::string::npos) << missing->message;
  EXPECT_NE(FindViolation(result.violations, kMissingKey, kOfflineKeyPath), nullptr);
  EXPECT_EQ(result.violations.size(), 2u);
}

// AWS documents a KMS key for the online store whatever its storage type
// (docs.aws.amazon.com/sagemaker/latest/dg/feature-store-security.html), and
// no exception for InMemory.
TEST_F(AnchorTest, InMemoryOnlineStoreIsKeyedToo) {
  json patched = MutateAndApply(FeatureGroupWithOnlineStore({{"enableOnlineStore", true}, {"storageType", "InMemory"}}), 2);
  EXPECT_EQ(patched["spec"]["onlineStoreConfig"]["securityConfig"]["kmsKeyID"], kTeamAVolume);
}

TEST_F(AnchorTest, AnAbsentSwitchCountsAsOnAndFalseAsOff) {
  json patched = MutateAndApply(FeatureGroupWithOnlineStore({{"storageType", "Standard"}}), 2);
  EXPECT_EQ(patched["spec"]["onlineStoreConfig"]["securityConfig"]["kmsKeyID"], kTeamAVolume);

  json off = FeatureGroupWithOnlineStore({{"enableOnlineStore", false}});
  json off_patched = MutateAndApply(off, 1);  // the offline store's key only
  EXPECT_FALSE(off_patched["spec"]["onlineStoreConfig"].contains("securityConfig"));
}

TEST_F(AnchorTest, ANullParentIsReplacedAndAnExistingOneIsFilledInPlace) {
  json null_parent = FeatureGroupWithOnlineStore({{"enableOnlineStore", true}, {"securityConfig", nullptr}});
  EXPECT_EQ(MutateAndApply(null_parent, 2)["spec"]["onlineStoreConfig"]["securityConfig"],
            (json{{"kmsKeyID", kTeamAVolume}}));

  json empty_parent = FeatureGroupWithOnlineStore({{"enableOnlineStore", true}, {"securityConfig", json::object()}});
  auto request = MakeRequest(empty_parent, "team-a");
  MutationResult mutation = CheckedMutate(*policy_, request->request);
  EXPECT_EQ(PatchPaths(mutation.patch), (std::vector<std::string>{"/spec/offlineStoreConfig/s3StorageConfig/kmsKeyID",
                                                                  "/spec/onlineStoreConfig/securityConfig/kmsKeyID"}));
}

TEST_F(AnchorTest, NoAnchorNoKey) {
  json group = LoadSample("feature_group.yaml");  // offline store only
  json patched = MutateAndApply(group, 1);
  EXPECT_FALSE(patched["spec"].contains("onlineStoreConfig"));
}

TEST_F(AnchorTest, AutomatedLabelingGetsAResourceConfigWithTheVolumeKey) {
  json job = AutomatedLabelingJob();
  auto request = MakeRequest(job, "team-a");
  MutationResult mutation = CheckedMutate(*policy_, request->request);
  EXPECT_NE(std::find(mutation.patch.begin(), mutation.patch.end(),
                      json{{"op", "add"},
                           {"path", "/spec/labelingJobAlgorithmsConfig/labelingJobResourceConfig"},
                           {"value", {{"volumeKMSKeyID", kTeamAVolume}}}}),
            mutation.patch.end())
      << mutation.patch.dump(2);
  json patched = MutateAndApply(job, 2);  // the volume key and the output key
  EXPECT_EQ(patched["spec"]["labelingJobAlgorithmsConfig"]["labelingJobResourceConfig"]["volumeKMSKeyID"],
            kTeamAVolume);

  // Manual labeling only (the sample as it is): no volume key.
  json manual = MutateAndApply(LoadSample("image_labelingjob.yaml"), 1);
  EXPECT_FALSE(manual["spec"].contains("labelingJobAlgorithmsConfig"));
}

TEST_F(AnchorTest, AForeignKeyInAnAnchoredFieldIsStillForeign) {
  json group = FeatureGroupWithOnlineStore({{"enableOnlineStore", true}, {"securityConfig", {{"kmsKeyID", kTeamBUsEast}}}});
  group["spec"]["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyID"] = kTeamAOutput;
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(group, "team-a")->request);
  EXPECT_EQ(CodesAt(result.violations, kOnlineKeyPath), std::vector<std::string>{std::string(kForeignKey)});
}

// kubectl replace / GitOps re-apply the manifest as written, without the
// injected objects: the stored key is carried forward with its parents.
TEST_F(AnchorTest, ReapplyingTheOriginalManifestRecreatesTheMissingObjects) {
  for (const json& original : {FeatureGroupWithOnlineStore({{"enableOnlineStore", true}}), AutomatedLabelingJob()}) {
    auto create = MakeRequest(original, "team-a");
    json stored = ApplyPatch(original, CheckedMutate(*policy_, create->request).patch);

    json reapplied = original;
    reapplied["metadata"]["labels"] = {{"release", "2"}};
    auto update = MakeRequest(reapplied, "team-a", Operation::kUpdate, &stored);
    MutationResult carried = CheckedMutate(*policy_, update->request);
    EXPECT_EQ(carried.injected.size(), 2u) << carried.patch.dump(2);
    json result = ApplyPatch(reapplied, carried.patch);
    json expected = stored;
    expected["metadata"]["labels"] = {{"release", "2"}};
    EXPECT_EQ(result, expected) << json::diff(expected, result).dump(2);

    auto validate = MakeRequest(result, "team-a", Operation::kUpdate, &stored);
    ValidationResult verdict = CheckedValidate(*policy_, validate->request);
    EXPECT_TRUE(verdict.allowed) << verdict.message;
    EXPECT_TRUE(verdict.violations.empty()) << verdict.message;

    // Without the carry-forward the removal is caught.
    auto unpatched = MakeRequest(reapplied, "team-a", Operation::kUpdate, &stored);
    ValidationResult removed = CheckedValidate(*policy_, unpatched->request);
    EXPECT_FALSE(removed.allowed);
    EXPECT_TRUE(FindViolation(removed.violations, kImmutableKey, kOnlineKeyPath) != nullptr ||
                FindViolation(removed.violations, kImmutableKey, kLabelingVolumePath) != nullptr)
        << removed.message;
  }
}

}  // namespace
}  // namespace keyward
