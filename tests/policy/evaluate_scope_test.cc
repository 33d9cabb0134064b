// What keyward leaves alone and how hard it enforces: operations, kinds,
// exempt and unclaimed namespaces, mutation mode, enforcement levels.
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

// A training job with two violations: a foreign output key and no volume key.
json NonCompliantTrainingJob() {
  json job = TrainingJob();
  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamCDefault;
  return job;
}

void ExpectUntouched(const Policy& policy, const AdmissionRequest& request) {
  MutationResult mutation = CheckedMutate(policy, request);
  EXPECT_EQ(mutation.patch, json::array());
  EXPECT_TRUE(mutation.injected.empty());
  EXPECT_TRUE(mutation.warnings.empty());
  ValidationResult validation = CheckedValidate(policy, request);
  EXPECT_TRUE(validation.allowed) << validation.message;
  EXPECT_TRUE(validation.violations.empty());
  EXPECT_TRUE(validation.warnings.empty());
}

class ScopeTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(TestPolicyYaml());
};

TEST_F(ScopeTest, DeleteAndConnectAlwaysPass) {
  json job = NonCompliantTrainingJob();
  for (const char* ns : {"team-a", "unclaimed"}) {
    auto deletion = MakeRequest(job, ns, Operation::kDelete, &job);
    EXPECT_EQ(deletion->request.object, nullptr);
    ExpectUntouched(*policy_, deletion->request);
    auto connect = MakeRequest(job, ns, Operation::kConnect);
    ExpectUntouched(*policy_, connect->request);
  }
}

TEST_F(ScopeTest, KindsOutsideTheCatalogPassUntouched) {
  json model = {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
                {"kind", "Endpoint"},
                {"metadata", {{"name", "m"}}},
                {"spec", {{"endpointName", "m"}, {"kmsKeyID", "garbage"}}}};
  ExpectUntouched(*policy_, MakeRequest(model, "team-a")->request);
  ExpectUntouched(*policy_, MakeRequest(model, "unclaimed")->request);
  json foreign_group = NonCompliantTrainingJob();
  foreign_group["apiVersion"] = "training.example.com/v1";
  ExpectUntouched(*policy_, MakeRequest(foreign_group, "team-a")->request);
}

TEST_F(ScopeTest, VersionDoesNotMatter) {
  json job = TrainingJob();
  job["apiVersion"] = "sagemaker.services.k8s.aws/v1beta1";
  EXPECT_EQ(CheckedMutate(*policy_, MakeRequest(job, "team-a")->request).patch.size(), 2u);
}

TEST_F(ScopeTest, ExemptNamespacesPassUntouched) {
  for (const char* ns : {"kube-system", "sandbox-1", "sandbox-"}) {
    ExpectUntouched(*policy_, MakeRequest(NonCompliantTrainingJob(), ns)->request);
    ExpectUntouched(*policy_, MakeRequest(TrainingJob(), ns)->request);
  }
}

TEST_F(ScopeTest, UnclaimedNamespaceIsDeniedByDefault) {
  auto request = MakeRequest(TrainingJob(), "unclaimed");
  MutationResult mutation = CheckedMutate(*policy_, request->request);
  EXPECT_EQ(mutation.patch, json::array());
  EXPECT_EQ(mutation.tenant, "");
  ValidationResult result = CheckedValidate(*policy_, request->request);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(Codes(result.violations), CodeList{std::string(kNoTenant)});
  EXPECT_EQ(result.tenant, "");
  EXPECT_NE(result.message.find("unclaimed"), std::string::npos) << result.message;
}

TEST_F(ScopeTest, UnclaimedNamespaceDenyFollowsGlobalEnforcement) {
  // team-c's warn override must not leak into unclaimed namespaces; the
  // global level applies.
  policy_ = MustLoadPolicy(TestPolicyYaml("enforcement: warn"));
  ValidationResult warned = CheckedValidate(*policy_, MakeRequest(TrainingJob(), "unclaimed")->request);
  EXPECT_TRUE(warned.allowed);
  EXPECT_EQ(warned.enforcement, Enforcement::kWarn);
  EXPECT_EQ(warned.warnings.size(), 1u);
  policy_ = MustLoadPolicy(TestPolicyYaml("enforcement: audit"));
  ValidationResult audited = CheckedValidate(*policy_, MakeRequest(TrainingJob(), "unclaimed")->request);
  EXPECT_TRUE(audited.allowed);
  EXPECT_EQ(Codes(audited.violations), CodeList{std::string(kNoTenant)});
  EXPECT_TRUE(audited.warnings.empty());
}

TEST_F(ScopeTest, UnclaimedNamespaceWarn) {
  policy_ = MustLoadPolicy(TestPolicyYaml("unmatchedNamespaces: warn"));
  auto request = MakeRequest(TrainingJob(), "unclaimed");
  EXPECT_EQ(CheckedMutate(*policy_, request->request).patch, json::array());
  ValidationResult result = CheckedValidate(*policy_, request->request);
  EXPECT_TRUE(result.allowed);
  EXPECT_EQ(result.warnings.size(), 1u);
}

TEST_F(ScopeTest, UnclaimedNamespaceAllow) {
  policy_ = MustLoadPolicy(TestPolicyYaml("unmatchedNamespaces: allow"));
  ExpectUntouched(*policy_, MakeRequest(NonCompliantTrainingJob(), "unclaimed")->request);
}

TEST_F(ScopeTest, UnclaimedNamespaceOnUpdateOnlyWhenAKeyChanges) {
  json old_job = TrainingJob();
  json relabelled = old_job;
  relabelled["metadata"]["labels"]["release"] = "2";
  auto quiet = MakeRequest(relabelled, "unclaimed", Operation::kUpdate, &old_job);
  EXPECT_TRUE(CheckedValidate(*policy_, quiet->request).allowed);
  EXPECT_EQ(CheckedMutate(*policy_, quiet->request).patch, json::array());

  json rekeyed = old_job;
  rekeyed["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  auto changed = MakeRequest(rekeyed, "unclaimed", Operation::kUpdate, &old_job);
  ValidationResult result = CheckedValidate(*policy_, changed->request);
  EXPECT_FALSE(result.allowed);
  bool no_tenant = false;
  for (const Violation& v : result.violations) no_tenant |= v.code == kNoTenant;
  EXPECT_TRUE(no_tenant) << result.message;
}

TEST_F(ScopeTest, MutationDisabled) {
  policy_ = MustLoadPolicy(TestPolicyYaml("mutation: disabled"));
  auto request = MakeRequest(TrainingJob(), "team-a");
  MutationResult mutation = CheckedMutate(*policy_, request->request);
  EXPECT_EQ(mutation.patch, json::array());
  EXPECT_TRUE(mutation.injected.empty());
  ValidationResult result = CheckedValidate(*policy_, request->request);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(Codes(result.violations), (CodeList{std::string(kMissingKey), std::string(kMissingKey)}));
  Evaluation evaluation = Evaluate(*policy_, request->request);
  EXPECT_FALSE(evaluation.validation.allowed);
}

TEST_F(ScopeTest, DenyListsEveryViolationInOneMessage) {
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(NonCompliantTrainingJob(), "team-a")->request);
  EXPECT_FALSE(result.allowed);
  EXPECT_EQ(result.enforcement, Enforcement::kDeny);
  EXPECT_EQ(result.violations.size(), 2u);
  EXPECT_TRUE(result.warnings.empty());
  for (const Violation& v : result.violations) {
    EXPECT_NE(result.message.find(v.path), std::string::npos) << result.message;
  }
}

TEST_F(ScopeTest, WarnAllowsWithOneWarningPerViolation) {
  policy_ = MustLoadPolicy(TestPolicyYaml("enforcement: warn"));
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(NonCompliantTrainingJob(), "team-a")->request);
  EXPECT_TRUE(result.allowed);
  EXPECT_EQ(result.enforcement, Enforcement::kWarn);
  EXPECT_EQ(result.violations.size(), 2u);
  EXPECT_EQ(result.warnings.size(), 2u);
  EXPECT_TRUE(result.message.empty());
}

TEST_F(ScopeTest, AuditAllowsAndOnlyReports) {
  policy_ = MustLoadPolicy(TestPolicyYaml("enforcement: audit"));
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(NonCompliantTrainingJob(), "team-a")->request);
  EXPECT_TRUE(result.allowed);
  EXPECT_EQ(result.enforcement, Enforcement::kAudit);
  EXPECT_EQ(result.violations.size(), 2u);
  EXPECT_TRUE(result.warnings.empty());
}

TEST_F(ScopeTest, TenantEnforcementOverridesGlobal) {
  // team-c: enforcement warn under a global deny.
  json job = TrainingJob();
  job["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamADefault;  // foreign to team-c
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(job, "team-c")->request);
  EXPECT_TRUE(result.allowed);
  EXPECT_EQ(result.enforcement, Enforcement::kWarn);
  EXPECT_EQ(result.tenant, "team-c");
  EXPECT_EQ(result.violations.size(), 2u);
  EXPECT_EQ(result.warnings.size(), 2u);
  // and team-a keeps the global deny.
  EXPECT_FALSE(CheckedValidate(*policy_, MakeRequest(NonCompliantTrainingJob(), "team-a")->request).allowed);
}

// Long paths and long keys still give warnings the apiserver shows whole.
TEST_F(ScopeTest, WarningsStayShortForDeepFields) {
  policy_ = MustLoadPolicy(TestPolicyYaml("enforcement: warn"));
  json package = {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
                  {"kind", "ModelPackage"},
                  {"metadata", {{"name", "pkg"}}},
                  {"spec",
                   {{"validationSpecification",
                     {{"validationProfiles",
                       json::array({json{{"profileName", "p"},
                                         {"transformJobDefinition",
                                          {{"transformOutput", {{"s3OutputPath", "s3://b/o"}}},
                                           {"transformResources", {{"instanceType", "ml.m5.xlarge"}}}}}}})}}}}}};
  auto missing = MakeRequest(package, "team-a-with-a-rather-long-namespace-name");
  EXPECT_EQ(CheckedMutate(*policy_, missing->request).injected.size(), 2u);
  EXPECT_EQ(CheckedValidate(*policy_, missing->request).warnings.size(), 2u);

  const std::string prefix = "/spec/validationSpecification/validationProfiles/0/transformJobDefinition";
  package[json::json_pointer(prefix + "/transformOutput/kmsKeyID")] =
      "arn:aws-us-gov:kms:us-gov-west-1:999999999999:key/mrk-1234abcd12ab34cd56ef1234567890ab";
  package[json::json_pointer(prefix + "/transformResources/volumeKMSKeyID")] = kTeamBDefault;
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(package, "team-a-x")->request);
  EXPECT_EQ(result.warnings.size(), result.violations.size());
  EXPECT_EQ(result.violations.size(), 4u);  // unapproved+region, foreign+region
}

}  // namespace
}  // namespace keyward
