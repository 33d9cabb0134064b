// UPDATE: create-only keys, carry-forward of stored keys, trusted users, and
// updates that touch no key field.
#include <algorithm>
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

constexpr char kOutputPath[] = "spec.outputDataConfig.kmsKeyID";
constexpr char kVolumePath[] = "spec.resourceConfig.volumeKMSKeyID";

json CompliantTrainingJob() {
  json job = TrainingJob();
  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  return job;
}

class UpdateTest : public ::testing::Test {
 protected:
  ValidationResult ValidateUpdate(const json& old_object, const json& new_object, const std::string& user = kPlainUser,
                                  const std::string& ns = "team-a") {
    auto request = MakeRequest(new_object, ns, Operation::kUpdate, &old_object, user);
    return CheckedValidate(*policy_, request->request);
  }
  MutationResult MutateUpdate(const json& old_object, const json& new_object, const std::string& user = kPlainUser,
                              const std::string& ns = "team-a") {
    auto request = MakeRequest(new_object, ns, Operation::kUpdate, &old_object, user);
    return CheckedMutate(*policy_, request->request);
  }
  Evaluation EvaluateUpdate(const json& old_object, const json& new_object, const std::string& ns = "team-a") {
    auto request = MakeRequest(new_object, ns, Operation::kUpdate, &old_object);
    Evaluation evaluation = Evaluate(*policy_, request->request);
    for (const std::string& w : evaluation.validation.warnings) EXPECT_LT(w.size(), 120u) << w;
    return evaluation;
  }

  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
};

TEST_F(UpdateTest, ChangingACreateOnlyKeyIsImmutableKey) {
  json old_job = CompliantTrainingJob();
  json new_job = old_job;
  new_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAAllowed;  // approved, but a change
  ValidationResult result = ValidateUpdate(old_job, new_job);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(CodesAt(result.violations, kOutputPath), CodeList{std::string(kImmutableKey)});
  EXPECT_EQ(result.violations.size(), 1u);
  const Violation* v = FindViolation(result.violations, kImmutableKey, kOutputPath);
  ASSERT_NE(v, nullptr);
  EXPECT_NE(v->message.find(kTeamAAllowed), std::string::npos) << v->message;
}

TEST_F(UpdateTest, AddingAKeyToAnExistingResourceIsImmutableKey) {
  json old_job = TrainingJob();  // created without keys (before keyward)
  json new_job = old_job;
  new_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  EXPECT_EQ(CodesAt(ValidateUpdate(old_job, new_job).violations, kOutputPath), CodeList{std::string(kImmutableKey)});
  // "" and absent are the same: "" -> key is a change too.
  old_job["spec"]["outputDataConfig"]["kmsKeyID"] = "";
  EXPECT_EQ(CodesAt(ValidateUpdate(old_job, new_job).violations, kOutputPath), CodeList{std::string(kImmutableKey)});
}

TEST_F(UpdateTest, ChangedKeyIsAlsoCheckedAsASetKey) {
  json old_job = CompliantTrainingJob();
  json new_job = old_job;
  new_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;
  CodeList codes = CodesAt(ValidateUpdate(old_job, new_job).violations, kOutputPath);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (CodeList{std::string(kForeignKey), std::string(kImmutableKey)}));
}

TEST_F(UpdateTest, MonitoringScheduleKeysMayChange) {
  const std::string output = "spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyID";
  const std::string volume =
      "spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.volumeKMSKeyID";
  json old_schedule = MonitoringSchedule();
  old_schedule[PointerFromPath(output)] = kTeamAOutput;
  old_schedule[PointerFromPath(volume)] = kTeamAVolume;
  json new_schedule = old_schedule;
  new_schedule[PointerFromPath(output)] = kTeamAAllowed;
  new_schedule[PointerFromPath(volume)] = kTeamADefault;
  ValidationResult ok = ValidateUpdate(old_schedule, new_schedule);
  EXPECT_TRUE(ok.allowed) << ok.message;
  EXPECT_TRUE(ok.violations.empty());
  // The new value is still checked.
  new_schedule[PointerFromPath(output)] = kTeamCDefault;
  EXPECT_EQ(Codes(ValidateUpdate(old_schedule, new_schedule).violations), CodeList{std::string(kForeignKey)});
}

TEST_F(UpdateTest, SharingSettingsKeysMayChange) {
  json old_domain = Domain();
  old_domain["spec"]["kmsKeyID"] = kTeamAVolume;
  old_domain["spec"]["defaultUserSettings"]["sharingSettings"]["s3KMSKeyID"] = kTeamAOutput;
  json new_domain = old_domain;
  new_domain["spec"]["defaultUserSettings"]["sharingSettings"]["s3KMSKeyID"] = kTeamAAllowed;
  ValidationResult ok = ValidateUpdate(old_domain, new_domain);
  EXPECT_TRUE(ok.allowed) << ok.message;
  // The domain's own volume key is create-only.
  new_domain["spec"]["kmsKeyID"] = kTeamADefault;
  EXPECT_EQ(Codes(ValidateUpdate(old_domain, new_domain).violations), CodeList{std::string(kImmutableKey)});

  json old_profile = UserProfile();
  old_profile["spec"]["userSettings"]["sharingSettings"]["s3KMSKeyID"] = kTeamAOutput;
  json new_profile = old_profile;
  new_profile["spec"]["userSettings"]["sharingSettings"]["s3KMSKeyID"] = kTeamAAllowed;
  EXPECT_TRUE(ValidateUpdate(old_profile, new_profile).allowed);
}

// kubectl replace / GitOps: the original manifest, without the injected
// keys, is PUT again.
TEST_F(UpdateTest, MutateCarriesCreateOnlyKeysForward) {
  json old_job = CompliantTrainingJob();
  json new_job = TrainingJob();
  new_job["metadata"]["labels"]["release"] = "2";
  MutationResult mutation = MutateUpdate(old_job, new_job);
  ASSERT_EQ(mutation.patch.size(), 2u) << mutation.patch.dump();
  for (const json& op : mutation.patch) EXPECT_EQ(op.value("op", ""), "add");
  json patched = ApplyPatch(new_job, mutation.patch);
  EXPECT_EQ(patched[PointerFromPath(kOutputPath)], kTeamAOutput);
  EXPECT_EQ(patched[PointerFromPath(kVolumePath)], kTeamAVolume);
  EXPECT_EQ(patched["metadata"]["labels"]["release"], "2");
  EXPECT_EQ(mutation.injected.size(), 2u);
  ValidationResult result = ValidateUpdate(old_job, patched);
  EXPECT_TRUE(result.allowed) << result.message;

  Evaluation evaluation = EvaluateUpdate(old_job, new_job);
  EXPECT_TRUE(evaluation.validation.allowed) << evaluation.validation.message;
  EXPECT_EQ(evaluation.mutated_object, patched);
}

TEST_F(UpdateTest, CarryForwardTreatsEmptyAsAbsentAndKeepsOldValuesVerbatim) {
  json old_job = TrainingJob();
  old_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;  // non-compliant, but it is what SageMaker has
  json new_job = TrainingJob();
  new_job["spec"]["outputDataConfig"]["kmsKeyID"] = "";
  MutationResult mutation = MutateUpdate(old_job, new_job);
  json patched = ApplyPatch(new_job, mutation.patch);
  EXPECT_EQ(patched[PointerFromPath(kOutputPath)], kTeamCDefault);
  // The volume key was never set: UPDATE does not inject new keys.
  EXPECT_FALSE(patched["spec"]["resourceConfig"].contains("volumeKMSKeyID"));
  EXPECT_EQ(mutation.patch.size(), 1u);
}

TEST_F(UpdateTest, CarryForwardInsideArrays) {
  json variants = json::array({ProductionVariant("a", "ml.m5.xlarge"), ProductionVariant("b", "ml.m5.xlarge")});
  variants[0]["coreDumpConfig"] = {{"destinationS3URI", "s3://b/d"}};
  variants[1]["coreDumpConfig"] = {{"destinationS3URI", "s3://b/d"}};
  json new_config = EndpointConfig(variants);
  json old_config = new_config;
  old_config["spec"]["kmsKeyID"] = kTeamAVolume;
  old_config["spec"]["productionVariants"][0]["coreDumpConfig"]["kmsKeyID"] = kTeamAOutput;
  old_config["spec"]["productionVariants"][1]["coreDumpConfig"]["kmsKeyID"] = kTeamAAllowed;
  MutationResult mutation = MutateUpdate(old_config, new_config);
  EXPECT_EQ(ApplyPatch(new_config, mutation.patch), old_config) << mutation.patch.dump();
  bool names_element = false;
  for (const Injection& injection : mutation.injected) {
    if (injection.path == "spec.productionVariants[1].coreDumpConfig.kmsKeyID") names_element = true;
  }
  EXPECT_TRUE(names_element);
}

TEST_F(UpdateTest, UpdatableKeysAreNotCarriedForward) {
  const std::string output = "spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyID";
  json old_schedule = MonitoringSchedule();
  old_schedule[PointerFromPath(output)] = kTeamAOutput;
  json new_schedule = MonitoringSchedule();
  EXPECT_EQ(MutateUpdate(old_schedule, new_schedule).patch, json::array());
}

TEST_F(UpdateTest, UpdateNeverInjectsMissingKeys) {
  json old_job = TrainingJob();
  json new_job = TrainingJob();
  new_job["metadata"]["labels"]["release"] = "2";
  EXPECT_EQ(MutateUpdate(old_job, new_job).patch, json::array());
}

TEST_F(UpdateTest, TrustedUsersPassUnchecked) {
  json old_job = CompliantTrainingJob();
  json new_job = old_job;
  new_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;
  new_job["spec"]["resourceConfig"].erase("volumeKMSKeyID");
  for (const char* user : {kControllerUser, kGitOpsUser}) {
    ValidationResult result = ValidateUpdate(old_job, new_job, user);
    EXPECT_TRUE(result.allowed) << user << ": " << result.message;
    EXPECT_TRUE(result.violations.empty()) << user;
    EXPECT_EQ(MutateUpdate(old_job, new_job, user).patch, json::array()) << user;
  }
  EXPECT_FALSE(ValidateUpdate(old_job, new_job, "system:serviceaccount:ack-system:other").allowed);
}

TEST_F(UpdateTest, TrustedUsersAreCheckedOnCreate) {
  auto request = MakeRequest(TrainingJob(), "team-a", Operation::kCreate, nullptr, kControllerUser);
  EXPECT_EQ(CheckedMutate(*policy_, request->request).patch.size(), 2u);
  EXPECT_FALSE(CheckedValidate(*policy_, request->request).allowed);
}

// Labels and finalizers of an old, non-compliant resource can still change.
TEST_F(UpdateTest, UpdateWithoutKeyChangesPassesWithAWarning) {
  json old_job = TrainingJob();
  old_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;
  json new_job = old_job;
  new_job["metadata"]["labels"]["release"] = "2";
  new_job["metadata"]["finalizers"] = json::array();
  ValidationResult result = ValidateUpdate(old_job, new_job);
  EXPECT_TRUE(result.allowed) << result.message;
  EXPECT_TRUE(result.violations.empty());
  EXPECT_FALSE(result.warnings.empty());
  EXPECT_EQ(MutateUpdate(old_job, new_job).patch, json::array());
}

TEST_F(UpdateTest, AbsentAndEmptyAreEqualOnUpdate) {
  json old_job = TrainingJob();
  json new_job = old_job;
  new_job["spec"]["outputDataConfig"]["kmsKeyID"] = "";
  new_job["spec"]["resourceConfig"]["volumeKMSKeyID"] = "";
  ValidationResult result = ValidateUpdate(old_job, new_job);
  EXPECT_TRUE(result.allowed) << result.message;
  EXPECT_TRUE(result.violations.empty());
  EXPECT_TRUE(ValidateUpdate(new_job, old_job).allowed);
}

TEST_F(UpdateTest, UnchangedCompliantUpdateIsQuiet) {
  json old_job = CompliantTrainingJob();
  json new_job = old_job;
  new_job["metadata"]["labels"]["release"] = "2";
  ValidationResult result = ValidateUpdate(old_job, new_job);
  EXPECT_TRUE(result.allowed);
  EXPECT_TRUE(result.violations.empty());
  EXPECT_TRUE(result.warnings.empty());
}

TEST_F(UpdateTest, OnlyChangedFieldsAreEvaluated) {
  // The output key is foreign since before; the volume key changes to a
  // malformed one: only the volume key is reported.
  json old_job = TrainingJob();
  old_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;
  old_job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  json new_job = old_job;
  new_job["spec"]["resourceConfig"]["volumeKMSKeyID"] = "garbage";
  ValidationResult result = ValidateUpdate(old_job, new_job);
  EXPECT_FALSE(result.allowed);
  EXPECT_TRUE(CodesAt(result.violations, kOutputPath).empty());
  CodeList codes = CodesAt(result.violations, kVolumePath);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (CodeList{std::string(kImmutableKey), std::string(kKeyFormat)}));
}

TEST_F(UpdateTest, LegacyCreateOnlyKeys) {
  json old_job = LegacyTrainingJob();
  old_job["spec"]["outputDataConfig"]["kmsKeyId"] = kTeamAOutput;
  old_job["spec"]["resourceConfig"]["volumeKmsKeyId"] = kTeamAVolume;
  json new_job = old_job;
  new_job["spec"]["outputDataConfig"]["kmsKeyId"] = kTeamADefault;
  EXPECT_EQ(CodesAt(ValidateUpdate(old_job, new_job).violations, "spec.outputDataConfig.kmsKeyId"),
            CodeList{std::string(kImmutableKey)});
  json replaced = LegacyTrainingJob();
  json patched = ApplyPatch(replaced, MutateUpdate(old_job, replaced).patch);
  EXPECT_EQ(patched, old_job);
}

// Setting a create-only key that was empty cannot be "restored": the fix
// says to remove it again, or how the kind is replaced.
TEST_F(UpdateTest, SettingAnEmptyCreateOnlyKeySaysToRemoveItOrReplaceTheJob) {
  json old_job = TrainingJob();
  json new_job = old_job;
  new_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  ValidationResult result = ValidateUpdate(old_job, new_job);
  const Violation* v = FindViolation(result.violations, kImmutableKey, kOutputPath);
  ASSERT_NE(v, nullptr) << result.message;
  EXPECT_EQ(v->message.find("restore (none)"), std::string::npos) << v->message;
  EXPECT_NE(v->message.find("remove it again"), std::string::npos) << v->message;
  EXPECT_NE(v->message.find("run the training again as a new TrainingJob"), std::string::npos) << v->message;
}

}  // namespace
}  // namespace keyward
