// Validation of keys that are set: format, AWS-managed keys, ownership and
// region, in the order the documentation gives.
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

constexpr char kNotebookKey[] = "spec.kmsKeyID";

class KeyCheckTest : public ::testing::Test {
 protected:
  // Validates a notebook (one volume key, spec.kmsKeyID) holding `key`.
  ValidationResult ValidateNotebookKey(const std::string& key, const std::string& ns = "team-a",
                                       const std::string& region_annotation = "") {
    json notebook = NotebookInstance();
    notebook["spec"]["kmsKeyID"] = key;
    if (!region_annotation.empty()) {
      notebook["metadata"]["annotations"]["services.k8s.aws/region"] = region_annotation;
    }
    auto request = MakeRequest(notebook, ns);
    ValidationResult result = CheckedValidate(*policy_, request->request);
    for (const Violation& v : result.violations) {
      EXPECT_EQ(v.path, kNotebookKey);
      EXPECT_NE(v.message.find(key), std::string::npos) << "message does not name the value: " << v.message;
    }
    // team-c enforces with warn.
    EXPECT_EQ(result.allowed, result.violations.empty() || ns == "team-c") << result.message;
    // A set key is never overwritten.
    EXPECT_EQ(CheckedMutate(*policy_, request->request).patch, json::array());
    return result;
  }

  CodeList CodesFor(const std::string& key, const std::string& ns = "team-a", const std::string& region = "") {
    CodeList codes = Codes(ValidateNotebookKey(key, ns, region).violations);
    std::sort(codes.begin(), codes.end());
    return codes;
  }

  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
};

TEST_F(KeyCheckTest, TenantKeysAndAllowedKeysPass) {
  EXPECT_EQ(CodesFor(kTeamAVolume), CodeList{});
  EXPECT_EQ(CodesFor(kTeamADefault), CodeList{});
  EXPECT_EQ(CodesFor(kTeamAOutput), CodeList{});  // any of the tenant's keys may be used anywhere
  EXPECT_EQ(CodesFor(kTeamAAllowed), CodeList{});
  EXPECT_EQ(CodesFor(kTeamBDefault, "team-b"), CodeList{});
}

TEST_F(KeyCheckTest, MalformedKeyIsKeyFormat) {
  EXPECT_EQ(CodesFor("not-a-key"), CodeList{std::string(kKeyFormat)});
  EXPECT_EQ(CodesFor("arn:aws:kms:us-east-1:11112222333:key/aaaaaaaa-0000-4000-8000-000000000001"),
            CodeList{std::string(kKeyFormat)});
  EXPECT_EQ(CodesFor(std::string(kTeamAVolume) + " "), CodeList{std::string(kKeyFormat)});
}

TEST_F(KeyCheckTest, AwsManagedKeyComesBeforeTheArnRule) {
  EXPECT_EQ(CodesFor("alias/aws/sagemaker"), CodeList{std::string(kAwsManagedKey)});
  EXPECT_EQ(CodesFor("arn:aws:kms:us-east-1:111122223333:alias/aws/sagemaker"), CodeList{std::string(kAwsManagedKey)});
}

TEST_F(KeyCheckTest, ArnOnlyPolicyRejectsOtherForms) {
  EXPECT_EQ(CodesFor("alias/team-a"), CodeList{std::string(kKeyFormat)});
  EXPECT_EQ(CodesFor("arn:aws:kms:us-east-1:111122223333:alias/team-a"), CodeList{std::string(kKeyFormat)});
  // Even the key ID of the tenant's own key.
  EXPECT_EQ(CodesFor("aaaaaaaa-0000-4000-8000-000000000002"), CodeList{std::string(kKeyFormat)});
  EXPECT_EQ(CodesFor("mrk-1234abcd12ab34cd56ef1234567890ab"), CodeList{std::string(kKeyFormat)});
}

TEST_F(KeyCheckTest, ForeignKeyNamesTheOwningTenant) {
  ValidationResult result = ValidateNotebookKey(kTeamCDefault);
  EXPECT_EQ(Codes(result.violations), CodeList{std::string(kForeignKey)});
  ASSERT_FALSE(result.violations.empty());
  EXPECT_NE(result.violations[0].message.find("team-c"), std::string::npos) << result.violations[0].message;
  EXPECT_FALSE(result.allowed);
}

TEST_F(KeyCheckTest, UnknownKeyIsUnapproved) {
  EXPECT_EQ(CodesFor(kUnknownKey), CodeList{std::string(kUnapprovedKey)});
  // Same account and region as team-a's keys, but outside its allowedKeys.
  EXPECT_EQ(CodesFor("arn:aws:kms:us-east-1:111122223333:key/eeeeeeee-0000-4000-8000-000000000001"),
            CodeList{std::string(kUnapprovedKey)});
}

TEST_F(KeyCheckTest, ForeignKeyAndRegionMismatchAreBothReported) {
  // team-b's key lives in eu-west-1; team-a's resources in us-east-1.
  ValidationResult result = ValidateNotebookKey(kTeamBDefault);
  CodeList codes = Codes(result.violations);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (CodeList{std::string(kForeignKey), std::string(kRegionMismatch)}));
  const Violation* foreign = FindViolation(result.violations, kForeignKey, kNotebookKey);
  ASSERT_NE(foreign, nullptr);
  EXPECT_NE(foreign->message.find("team-b"), std::string::npos) << foreign->message;
  const Violation* region = FindViolation(result.violations, kRegionMismatch, kNotebookKey);
  ASSERT_NE(region, nullptr);
  EXPECT_NE(region->message.find("eu-west-1"), std::string::npos) << region->message;
  EXPECT_NE(region->message.find("us-east-1"), std::string::npos) << region->message;
}

TEST_F(KeyCheckTest, UnapprovedKeyAndRegionMismatchAreBothReported) {
  EXPECT_EQ(CodesFor("arn:aws:kms:ap-south-1:999999999999:key/dddddddd-0000-4000-8000-000000000002"),
            (CodeList{std::string(kRegionMismatch), std::string(kUnapprovedKey)}));
}

// The resource's region: annotation, else legacy spec.region, else the
// tenant's region, else defaultRegion.
TEST_F(KeyCheckTest, RegionFallsBackToDefaultRegion) {
  // team-a names no region: defaultRegion us-east-1 applies.
  EXPECT_EQ(CodesFor(kTeamAWest), CodeList{std::string(kRegionMismatch)});
  EXPECT_EQ(CodesFor(kTeamAAllowed), CodeList{});
}

TEST_F(KeyCheckTest, TenantRegionBeatsDefaultRegion) {
  EXPECT_EQ(CodesFor(kTeamBDefault, "team-b"), CodeList{});
  EXPECT_EQ(CodesFor(kTeamBUsEast, "team-b"), CodeList{std::string(kRegionMismatch)});
}

TEST_F(KeyCheckTest, RegionAnnotationBeatsTenantRegion) {
  EXPECT_EQ(CodesFor(kTeamBUsEast, "team-b", "us-east-1"), CodeList{});
  EXPECT_EQ(CodesFor(kTeamBDefault, "team-b", "us-east-1"), CodeList{std::string(kRegionMismatch)});
  EXPECT_EQ(CodesFor(kTeamAWest, "team-a", "us-west-2"), CodeList{});
  EXPECT_EQ(CodesFor(kTeamAAllowed, "team-a", "us-west-2"), CodeList{std::string(kRegionMismatch)});
}

class LegacyRegionTest : public KeyCheckTest {
 protected:
  CodeList LegacyCodes(const std::string& spec_region, const std::string& key, const std::string& annotation = "") {
    json config = LegacyEndpointConfig(spec_region, "ml.m5.xlarge");
    config["spec"]["kmsKeyId"] = key;
    if (!annotation.empty()) config["metadata"]["annotations"]["services.k8s.aws/region"] = annotation;
    auto request = MakeRequest(config, "team-a");
    ValidationResult result = CheckedValidate(*policy_, request->request);
    for (const Violation& v : result.violations) EXPECT_EQ(v.path, "spec.kmsKeyId");
    return Codes(result.violations);
  }
};

TEST_F(LegacyRegionTest, SpecRegionBeatsTenantAndDefaultRegion) {
  EXPECT_EQ(LegacyCodes("us-west-2", kTeamAWest), CodeList{});
  EXPECT_EQ(LegacyCodes("us-west-2", kTeamAVolume), CodeList{std::string(kRegionMismatch)});
  EXPECT_EQ(LegacyCodes("us-east-1", kTeamAVolume), CodeList{});
}

TEST_F(LegacyRegionTest, AnnotationBeatsSpecRegion) {
  EXPECT_EQ(LegacyCodes("us-west-2", kTeamAVolume, "us-east-1"), CodeList{});
  EXPECT_EQ(LegacyCodes("us-west-2", kTeamAWest, "us-east-1"), CodeList{std::string(kRegionMismatch)});
}

TEST_F(KeyCheckTest, EveryViolationOfTheObjectIsReported) {
  json job = TrainingJob();
  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;        // ForeignKey
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = "alias/aws/ebs";  // AwsManagedKey
  auto request = MakeRequest(job, "team-a");
  ValidationResult result = CheckedValidate(*policy_, request->request);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(CodesAt(result.violations, "spec.outputDataConfig.kmsKeyID"), CodeList{std::string(kForeignKey)});
  EXPECT_EQ(CodesAt(result.violations, "spec.resourceConfig.volumeKMSKeyID"), CodeList{std::string(kAwsManagedKey)});
  EXPECT_EQ(result.violations.size(), 2u);
  // deny: one message listing every violation.
  EXPECT_NE(result.message.find("spec.outputDataConfig.kmsKeyID"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find("spec.resourceConfig.volumeKMSKeyID"), std::string::npos) << result.message;
  EXPECT_NE(result.message.find(kForeignKey), std::string::npos) << result.message;
  EXPECT_NE(result.message.find(kAwsManagedKey), std::string::npos) << result.message;
}

// keyReferences: any. team-c's default key is an alias ARN and it may also
// name alias/team-c-shared.
class AnyReferenceTest : public KeyCheckTest {
 protected:
  void SetUp() override {
    std::string yaml = TestPolicyYaml("keyReferences: any");
    yaml.replace(yaml.find(kTeamCDefault), std::string(kTeamCDefault).size(), kTeamCAlias);
    yaml += "      allowedKeys: [alias/team-c-shared]\n";
    policy_ = MustLoadPolicy(yaml);
  }
  static constexpr char kTeamCAlias[] = "arn:aws:kms:us-east-1:777788889999:alias/team-c-data";
};

TEST_F(AnyReferenceTest, AliasesAndKeyIdsOfApprovedKeysPass) {
  EXPECT_EQ(CodesFor("alias/team-c-data", "team-c"), CodeList{});
  EXPECT_EQ(CodesFor(kTeamCAlias, "team-c"), CodeList{});
  EXPECT_EQ(CodesFor("alias/team-c-shared", "team-c"), CodeList{});
  EXPECT_EQ(CodesFor("aaaaaaaa-0000-4000-8000-000000000002", "team-a"), CodeList{});  // key ID of kTeamAVolume
  EXPECT_EQ(CodesFor(kTeamAVolume, "team-a"), CodeList{});
}

TEST_F(AnyReferenceTest, OwnershipStillApplies) {
  EXPECT_EQ(CodesFor("alias/team-c-other", "team-c"), CodeList{std::string(kUnapprovedKey)});
  EXPECT_EQ(CodesFor("dddddddd-0000-4000-8000-000000000009", "team-c"), CodeList{std::string(kUnapprovedKey)});
  ValidationResult result = ValidateNotebookKey("aaaaaaaa-0000-4000-8000-000000000002", "team-c");
  EXPECT_EQ(Codes(result.violations), CodeList{std::string(kForeignKey)});
  if (!result.violations.empty()) {
    EXPECT_NE(result.violations[0].message.find("team-a"), std::string::npos) << result.violations[0].message;
  }
  EXPECT_EQ(CodesFor("alias/team-c-data", "team-a"), CodeList{std::string(kForeignKey)});
}

TEST_F(AnyReferenceTest, AwsManagedAndMalformedStillFail) {
  EXPECT_EQ(CodesFor("alias/aws/sagemaker", "team-c"), CodeList{std::string(kAwsManagedKey)});
  EXPECT_EQ(CodesFor("alias/", "team-c"), CodeList{std::string(kKeyFormat)});
  EXPECT_EQ(CodesFor("12345", "team-c"), CodeList{std::string(kKeyFormat)});
}

TEST_F(AnyReferenceTest, RegionIsOnlyCheckedForArns) {
  // A bare key ID or alias name names no region.
  EXPECT_EQ(CodesFor("alias/team-c-data", "team-c", "us-west-2"), CodeList{});
  EXPECT_EQ(CodesFor("aaaaaaaa-0000-4000-8000-000000000002", "team-a", "us-west-2"), CodeList{});
  EXPECT_EQ(CodesFor(kTeamCAlias, "team-c", "us-west-2"), CodeList{std::string(kRegionMismatch)});
}

}  // namespace
}  // namespace keyward
