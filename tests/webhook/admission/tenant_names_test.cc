// revealOtherTenants: false, end to end through the shell: what a tenant can
// read (deny messages, warnings, audit annotations, `keyward check`) never
// names another tenant, while the decision log's outcome keeps the name for
// the platform team. The policy is tests/fixtures/policies/tenants-hidden.yaml.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "webhook/admission/admit.h"
#include "webhook/admission/policy_file.h"
#include "tests/support/files.h"
#include "tests/support/keyward_process.h"
#include "tests/support/reviews.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

constexpr char kHiddenName[] = "globex-secret-customer";
constexpr char kOtherKey[] = "arn:aws:kms:us-east-1:444455556666:key/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
constexpr char kOtherRole[] = "arn:aws:iam::444455556666:role/ml-exec";

// A TrainingJob in `ns` on the hidden tenant's key and role, with the
// volume key of `own_key`.
json ForeignTrainingJob(const std::string& own_key) {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "TrainingJob"},
          {"metadata", {{"name", "train"}}},
          {"spec",
           {{"trainingJobName", "train"},
            {"roleARN", kOtherRole},
            {"algorithmSpecification", {{"trainingImage", "img"}, {"trainingInputMode", "File"}}},
            {"outputDataConfig", {{"s3OutputPath", "s3://bucket/out"}, {"kmsKeyID", kOtherKey}}},
            {"resourceConfig",
             {{"instanceCount", 1}, {"instanceType", "ml.m5.xlarge"}, {"volumeSizeInGB", 10}, {"volumeKMSKeyID", own_key}}},
            {"stoppingCondition", {{"maxRuntimeInSeconds", 3600}}}}}};
}

struct TenantCase {
  std::string ns;
  std::string own_key;
  std::string verdict;
};

class TenantNamesTest : public ::testing::TestWithParam<TenantCase> {
 protected:
  void SetUp() override {
    Result<std::shared_ptr<const Policy>> loaded = LoadPolicyFile(PolicyFixturePath("tenants-hidden.yaml"));
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    policy_ = loaded.value();
  }
  std::shared_ptr<const Policy> policy_;
};

TEST_P(TenantNamesTest, TheAnswerSaysAnotherTenantAndTheOutcomeKeepsTheName) {
  const TenantCase& c = GetParam();
  const std::string body = CreateReview(ForeignTrainingJob(c.own_key), c.ns, "uid-1");
  AdmissionOutcome outcome = Admit(Webhook::kValidate, *policy_, "application/json", body);
  ASSERT_EQ(outcome.http_status, 200) << outcome.error;
  EXPECT_EQ(outcome.decision, c.verdict);
  EXPECT_EQ(CodesOf(outcome), (std::vector<std::string>{"ForeignKey", "ForeignRole"}));
  EXPECT_EQ(outcome.other_tenants, (std::vector<std::string>{kHiddenName}));  // each name once

  const json answer = json::parse(outcome.body);
  const std::string readable = answer.dump();
  EXPECT_EQ(readable.find(kHiddenName), std::string::npos) << readable;
  EXPECT_NE(readable.find("another tenant"), std::string::npos) << readable;
  const json& response = answer.at("response");
  EXPECT_EQ(response.at("allowed").get<bool>(), c.verdict != "denied");
  EXPECT_EQ(response.contains("warnings") ? response.at("warnings").size() : 0u, c.verdict == "warned" ? 2u : 0u);
  EXPECT_EQ(response.contains("auditAnnotations"), c.verdict == "audited") << readable;
}

INSTANTIATE_TEST_SUITE_P(Levels, TenantNamesTest,
                         ::testing::Values(
                             TenantCase{"team-a", "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab", "denied"},
                             TenantCase{"team-c", "arn:aws:kms:us-east-1:777788889999:key/7c7c7c7c-1a2b-4c3d-9e8f-0123456789ab", "warned"},
                             TenantCase{"team-d", "arn:aws:kms:us-east-1:888899990000:key/8d8d8d8d-1a2b-4c3d-9e8f-0123456789ab", "audited"}),
                         [](const ::testing::TestParamInfo<TenantCase>& info) { return info.param.verdict; });

TEST(TenantNamesCliTest, CheckOutputSaysAnotherTenantInEveryFormat) {
  TempDir dir;
  const std::string manifest = dir.File("job.yaml");
  json job = ForeignTrainingJob("arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab");
  job["metadata"]["namespace"] = "team-a";
  WriteFile(manifest, job.dump());
  for (const char* format : {"text", "json", "yaml"}) {
    const RunResult run = RunKeyward({"check", "--policy", PolicyFixturePath("tenants-hidden.yaml"), "-o", format,
                                      "-f", manifest},
                                     dir.File(std::string("out-") + format));
    ASSERT_TRUE(run.finished) << run.why;
    EXPECT_EQ(run.exit_status, 1) << run.output;
    EXPECT_EQ(run.output.find(kHiddenName), std::string::npos) << format << ":\n" << run.output;
    EXPECT_NE(run.output.find("another tenant"), std::string::npos) << format << ":\n" << run.output;
    EXPECT_NE(run.output.find("ForeignRole"), std::string::npos) << format << ":\n" << run.output;
  }
}

TEST(TenantNamesCliTest, PolicyLintNamesTenantsWithoutRoles) {
  TempDir dir;
  const RunResult run = RunKeyward({"policy", "lint", PolicyFixturePath("tenants-hidden.yaml")}, dir.File("out"));
  ASSERT_TRUE(run.finished) << run.why;
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("ok (4 tenants)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("notice: tenants team-c, team-d list no roles"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace keyward::testing
