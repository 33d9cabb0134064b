// Execution roles (ForeignRole, UnapprovedRole), what a requester learns
// about other tenants (revealOtherTenants), and key spellings a field does
// not take. Every sample with a role field is run with another tenant's role.
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
using CodeList = std::vector<std::string>;

constexpr char kTeamARole[] = "arn:aws:iam::111122223333:role/team-a-training";
constexpr char kTeamBRole[] = "arn:aws:iam::444455556666:role/ml-exec";  // names no tenant
constexpr char kUnclaimedRole[] = "arn:aws:iam::111122223333:role/platform-admin";

std::string RolePolicyYaml(std::string_view spec_extra = "") {
  return std::string(R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  keyReferences: any
)") + std::string(spec_extra) +
         R"(  tenants:
    - name: team-a
      namespaces: [team-a]
      keys: {default: )" + kTeamADefault + R"(}
      allowedKeys: ["arn:aws:kms:us-east-1:111122223333:alias/team-a"]
      roles: ["arn:aws:iam::111122223333:role/team-a-*"]
    - name: team-b
      namespaces: [team-b]
      region: eu-west-1
      keys: {default: )" + kTeamBDefault + R"(}
      allowedKeys: [")" + kTeamBUsEast + R"("]
      roles: [")" + kTeamBRole + R"("]
    - name: team-c
      namespaces: [team-c]
      enforcement: warn
      keys: {default: )" + kTeamCDefault + R"(}
)";
}

json SampleRunningAs(const std::string& file, const std::string& role) {
  return LoadSample(file, InstanceProfile::kEbs, {{"SAGEMAKER_EXECUTION_ROLE_ARN", role}});
}

const CatalogKind* KindOf(const json& object) {
  std::string api_version = object.at("apiVersion");
  return FindCatalogKind(api_version.substr(0, api_version.find('/')), object.at("kind").get<std::string>());
}

// The concrete role fields an object sets, by the reference walker.
std::set<std::string> SetRoleFields(const json& object) {
  std::set<std::string> paths;
  const CatalogKind* kind = KindOf(object);
  if (kind == nullptr) return paths;
  for (const RoleField& role : kind->roles) {
    for (const ConcreteField& field : ExpandPattern(object, role.path)) {
      const json* value = ValueAt(object, field.path);
      if (value != nullptr && value->is_string() && !value->get<std::string>().empty()) paths.insert(field.path);
    }
  }
  // A pipeline's steps name roles of their own (the samples at the top of
  // each step's Arguments).
  if (kind->embedded == EmbeddedKeys::kPipelineDefinition) {
    const json definition = json::parse(object["spec"]["pipelineDefinition"].get<std::string>());
    for (const json& step : definition["Steps"]) {
      for (const char* member : {"RoleArn", "ExecutionRoleArn"}) {
        if (step["Arguments"].contains(member)) {
          paths.insert("spec.pipelineDefinition:Steps[" + step["Name"].get<std::string>() + "].Arguments." + member);
        }
      }
    }
  }
  return paths;
}

class RolesTest : public ::testing::Test {
 protected:
  ValidationResult ValidateIn(const json& object, const std::string& ns, const Policy* policy = nullptr) {
    return CheckedValidate(policy != nullptr ? *policy : *policy_, MakeRequest(object, ns)->request);
  }
  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(RolePolicyYaml());
};

TEST_F(RolesTest, EverySampleRoleFieldOfAnotherTenantIsForeignRole) {
  int samples_with_roles = 0;
  for (const std::string& file : SampleFiles()) {
    json foreign = SampleRunningAs(file, kTeamBRole);
    std::set<std::string> role_fields = SetRoleFields(foreign);
    if (role_fields.empty()) continue;
    ++samples_with_roles;
    // Keys first, so that only the role is wrong.
    json keyed = ApplyPatch(foreign, CheckedMutate(*policy_, MakeRequest(foreign, "team-a")->request).patch);
    ValidationResult result = ValidateIn(keyed, "team-a");
    std::set<std::string> flagged;
    for (const Violation& v : result.violations) {
      EXPECT_EQ(v.code, kForeignRole) << file << ": " << v.path << ": " << v.message;
      EXPECT_NE(v.message.find("tenant team-b"), std::string::npos) << v.message;
      EXPECT_EQ(v.owners, "team-b");
      flagged.insert(v.path);
    }
    EXPECT_EQ(flagged, role_fields) << file;
    EXPECT_FALSE(result.allowed) << file;

    // The same object is fine in its own tenant's namespace, and the role is
    // never touched by mutation.
    MutationResult own = CheckedMutate(*policy_, MakeRequest(foreign, "team-b")->request);
    for (const std::string& pointer : PatchPaths(own.patch)) {
      EXPECT_EQ(pointer.find("ole"), std::string::npos) << file << ": " << pointer;
    }
    json own_keyed = ApplyPatch(foreign, own.patch);
    ValidationResult fine = ValidateIn(own_keyed, "team-b");
    EXPECT_TRUE(fine.violations.empty()) << file << ": " << fine.message;
  }
  EXPECT_EQ(samples_with_roles, 22);
}

TEST_F(RolesTest, ARoleNoTenantClaimsIsUnapprovedOnlyWhereTheTenantListsRoles) {
  json job = ApplyPatch(SampleRunningAs("xgboost_trainingjob.yaml", kUnclaimedRole),
                        CheckedMutate(*policy_, MakeRequest(SampleRunningAs("xgboost_trainingjob.yaml", kUnclaimedRole),
                                                            "team-a")->request)
                            .patch);
  ValidationResult in_a = ValidateIn(job, "team-a");
  EXPECT_EQ(Codes(in_a.violations), CodeList{std::string(kUnapprovedRole)});
  EXPECT_EQ(in_a.violations[0].path, "spec.roleARN");
  EXPECT_NE(in_a.violations[0].message.find("team-a-*"), std::string::npos) << in_a.violations[0].message;

  // team-c lists no roles: an unclaimed role passes, another tenant's does not.
  json in_c_job = SampleRunningAs("xgboost_trainingjob.yaml", kUnclaimedRole);
  in_c_job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;
  in_c_job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamCDefault;
  EXPECT_TRUE(ValidateIn(in_c_job, "team-c").violations.empty());
  in_c_job["spec"]["roleARN"] = kTeamARole;
  ValidationResult foreign_in_c = ValidateIn(in_c_job, "team-c");
  EXPECT_EQ(Codes(foreign_in_c.violations), CodeList{std::string(kForeignRole)});
  EXPECT_TRUE(foreign_in_c.allowed);  // team-c is in warn mode
  ASSERT_EQ(foreign_in_c.warnings.size(), 1u);
  EXPECT_NE(foreign_in_c.warnings[0].find("ForeignRole at spec.roleARN"), std::string::npos);

  // A role matching the tenant's glob is approved.
  job["spec"]["roleARN"] = kTeamARole;
  EXPECT_TRUE(ValidateIn(job, "team-a").violations.empty());
}

TEST_F(RolesTest, RoleOnlyKindsAreJudgedAndClaimedNamespacesOnly) {
  json model = SampleRunningAs("xgboost_model.yaml", kTeamBRole);
  EXPECT_EQ(Codes(ValidateIn(model, "team-a").violations), CodeList{std::string(kForeignRole)});
  EXPECT_TRUE(ValidateIn(model, "team-b").violations.empty());
  // Unclaimed namespace: NoTenant, as for every catalog kind.
  ValidationResult unclaimed = ValidateIn(model, "elsewhere");
  EXPECT_EQ(Codes(unclaimed.violations), CodeList{std::string(kNoTenant)});
  EXPECT_FALSE(unclaimed.allowed);

  json legacy = {{"apiVersion", "sagemaker.aws.amazon.com/v1"},
                 {"kind", "Model"},
                 {"metadata", {{"name", "m"}}},
                 {"spec", {{"region", "us-east-1"}, {"executionRoleArn", kTeamBRole}}}};
  ValidationResult legacy_result = ValidateIn(legacy, "team-a");
  ASSERT_EQ(Codes(legacy_result.violations), CodeList{std::string(kForeignRole)});
  EXPECT_EQ(legacy_result.violations[0].path, "spec.executionRoleArn");

  json hosting = {{"apiVersion", "sagemaker.aws.amazon.com/v1"},
                  {"kind", "HostingDeployment"},
                  {"metadata", {{"name", "h"}}},
                  {"spec",
                   {{"region", "us-east-1"},
                    {"kmsKeyId", kTeamADefault},
                    {"models", {{{"name", "a"}, {"executionRoleArn", kTeamARole}},
                                {{"name", "b"}, {"executionRoleArn", kTeamBRole}}}}}}};
  ValidationResult hosting_result = ValidateIn(hosting, "team-a");
  ASSERT_EQ(Codes(hosting_result.violations), CodeList{std::string(kForeignRole)});
  EXPECT_EQ(hosting_result.violations[0].path, "spec.models[1].executionRoleArn");
}

TEST_F(RolesTest, OnUpdateOnlyAChangedRoleIsJudged) {
  json old_model = SampleRunningAs("xgboost_model.yaml", kTeamBRole);
  json relabelled = old_model;
  relabelled["metadata"]["labels"] = {{"owner", "x"}};
  auto update = MakeRequest(relabelled, "team-a", Operation::kUpdate, &old_model);
  ValidationResult kept = CheckedValidate(*policy_, update->request);
  EXPECT_TRUE(kept.allowed) << kept.message;
  EXPECT_TRUE(kept.violations.empty());
  ASSERT_EQ(kept.warnings.size(), 1u);
  EXPECT_NE(kept.warnings[0].find("ForeignRole"), std::string::npos) << kept.warnings[0];

  json own_model = SampleRunningAs("xgboost_model.yaml", kTeamARole);
  auto swap = MakeRequest(relabelled, "team-a", Operation::kUpdate, &own_model);
  ValidationResult swapped = CheckedValidate(*policy_, swap->request);
  EXPECT_EQ(Codes(swapped.violations), CodeList{std::string(kForeignRole)});
  EXPECT_FALSE(swapped.allowed);
}

TEST_F(RolesTest, HiddenTenantNamesSayAnotherTenant) {
  auto hidden = MustLoadPolicy(RolePolicyYaml("  revealOtherTenants: false\n"));
  json job = SampleRunningAs("xgboost_trainingjob.yaml", kTeamBRole);
  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamBUsEast;  // team-b's, in the resource's region
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamADefault;
  for (const char* ns : {"team-a", "team-c"}) {
    if (std::string(ns) == "team-c") job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamCDefault;
    ValidationResult shown = ValidateIn(job, ns);
    ValidationResult result = ValidateIn(job, ns, hidden.get());
    EXPECT_EQ(Codes(result.violations), (CodeList{std::string(kForeignKey), std::string(kForeignRole)})) << ns;
    EXPECT_EQ(Codes(shown.violations), Codes(result.violations));
    std::string readable = result.message;
    for (const Violation& v : result.violations) {
      readable += v.message + v.summary;
      EXPECT_EQ(v.owners, "team-b");  // kept for the decision log
      EXPECT_NE(v.message.find("another tenant"), std::string::npos) << v.message;
    }
    for (const std::string& w : result.warnings) readable += w;
    EXPECT_EQ(readable.find("team-b"), std::string::npos) << ns << ": " << readable;
    std::string revealed = shown.message;
    for (const std::string& w : shown.warnings) revealed += w;
    EXPECT_NE(revealed.find("team-b"), std::string::npos) << revealed;
  }
}

TEST_F(RolesTest, AKeySpellingTheFieldDoesNotTakeDrawsAWarning) {
  json job = SampleRunningAs("xgboost_trainingjob.yaml", kTeamARole);
  job["spec"]["outputDataConfig"]["kmsKeyID"] = "alias/team-a";  // output keys take every form
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = "alias/team-a";
  ValidationResult result = ValidateIn(job, "team-a");
  EXPECT_TRUE(result.violations.empty()) << result.message;
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0],
            "keyward: spec.resourceConfig.volumeKMSKeyID takes a key ID or key ARN, not an alias name");

  json group = LoadSample("feature_group.yaml", InstanceProfile::kEbs, {{"SAGEMAKER_EXECUTION_ROLE_ARN", kTeamARole}});
  group["spec"]["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyID"] = "aaaaaaaa-0000-4000-8000-000000000001";
  ValidationResult group_result = ValidateIn(group, "team-a");
  EXPECT_TRUE(group_result.violations.empty()) << group_result.message;
  ASSERT_EQ(group_result.warnings.size(), 1u);
  EXPECT_NE(group_result.warnings[0].find("takes a key ARN, not a key ID"), std::string::npos);

  // A key ARN is taken everywhere.
  job["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamADefault;
  EXPECT_TRUE(ValidateIn(job, "team-a").warnings.empty());
}

}  // namespace
}  // namespace keyward
