// Admit, the whole admission pipeline as a function, called directly on
// reviews a real kube-apiserver sent (tests/fixtures/admission-reviews): the
// answer's envelope, the patch as the apiserver applies it, the verdict,
// and the documented 400 for a body that is not a review.
#include "webhook/admission/admit.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/files.h"
#include "tests/support/reviews.h"
#include "webhook/admission/policy_file.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

constexpr char kTeamAKey[] = "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab";
constexpr char kJson[] = "application/json";

class AdmitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::shared_ptr<const Policy>> loaded = LoadPolicyFile(PolicyFixturePath("team-a-b.yaml"));
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    policy_ = loaded.value();
  }

  // The answer of a 200 outcome, checked for what every answer echoes.
  static json Answer(const AdmissionOutcome& outcome, const json& review) {
    EXPECT_EQ(outcome.http_status, 200) << outcome.error;
    const json answer = json::parse(outcome.body);
    EXPECT_EQ(answer.at("kind"), "AdmissionReview");
    EXPECT_EQ(answer.at("apiVersion"), review.at("apiVersion"));
    EXPECT_EQ(answer.at("response").at("uid"), review.at("request").at("uid"));
    return answer;
  }

  struct Admitted {
    json review;
    AdmissionOutcome outcome;
    json answer;
  };
  // A captured review through Admit, its answer checked by Answer().
  Admitted AdmitFixture(Webhook webhook, const std::string& fixture) const {
    Admitted admitted{LoadReviewFixture(fixture), {}, {}};
    admitted.outcome = Admit(webhook, *policy_, kJson, admitted.review.dump());
    admitted.answer = Answer(admitted.outcome, admitted.review);
    return admitted;
  }

  std::shared_ptr<const Policy> policy_;
};

TEST_F(AdmitTest, AMutatedCreateGetsAPatchThatInjectsTheTenantsKey) {
  const auto [review, outcome, answer] = AdmitFixture(Webhook::kMutate, "TrainingJob/01-create-base.mutating.json");
  EXPECT_EQ(outcome.decision, kDecisionPatched);
  EXPECT_TRUE(answer["response"].at("allowed").get<bool>());

  // Applied as the apiserver applies it, the patch fills both KMS fields.
  const json patched = review["request"]["object"].patch(DecodePatch(answer));
  EXPECT_EQ(patched["spec"]["resourceConfig"].value("volumeKMSKeyID", ""), kTeamAKey);
  EXPECT_EQ(patched["spec"]["outputDataConfig"].value("kmsKeyID", ""), kTeamAKey);
  EXPECT_EQ(patched["spec"]["outputDataConfig"]["s3OutputPath"],
            review["request"]["object"]["spec"]["outputDataConfig"]["s3OutputPath"])
      << "what was there stays";
  ASSERT_EQ(outcome.injected.size(), 2u);
  EXPECT_EQ(outcome.tenant, "team-a");
  EXPECT_TRUE(outcome.decoded);
  EXPECT_EQ(outcome.uid, review["request"]["uid"]);
  EXPECT_EQ(outcome.kind, "TrainingJob");
  EXPECT_EQ(outcome.namespace_name, "team-a");
  EXPECT_EQ(outcome.operation, Operation::kCreate);
}

TEST_F(AdmitTest, AV1beta1ReviewIsAnsweredInV1beta1) {
  const auto [review, outcome, answer] =
      AdmitFixture(Webhook::kMutate, "TrainingJob/40-create-v1beta1-base.mutating.json");
  ASSERT_EQ(review["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(outcome.api_version, "admission.k8s.io/v1beta1");
  const json patched = review["request"]["object"].patch(DecodePatch(answer));
  EXPECT_EQ(patched["spec"]["resourceConfig"].value("volumeKMSKeyID", ""), kTeamAKey);
}

TEST_F(AdmitTest, MutatingAnObjectThatHasItsKeysChangesNothing) {
  const auto [review, outcome, answer] = AdmitFixture(Webhook::kMutate, "TrainingJob/05-update-kms-set.mutating.json");
  EXPECT_EQ(outcome.decision, kDecisionUnchanged);
  EXPECT_FALSE(answer["response"].contains("patch"));
  EXPECT_TRUE(outcome.injected.empty());
}

TEST_F(AdmitTest, ValidatingACreateWithoutKeysNamesEveryMissingKey) {
  const auto [review, outcome, answer] = AdmitFixture(Webhook::kValidate, "TrainingJob/01-create-base.validating.json");
  EXPECT_EQ(outcome.decision, "denied");
  EXPECT_FALSE(answer["response"].at("allowed").get<bool>());
  EXPECT_EQ(answer["response"]["status"].at("code"), 403);
  EXPECT_EQ(CodesOf(outcome), (std::vector<std::string>{"MissingKey", "MissingKey"}));
  EXPECT_EQ(outcome.tenant, "team-a");
}

TEST_F(AdmitTest, ValidatingTheTenantsOwnKeysAllows) {
  const auto [review, outcome, answer] =
      AdmitFixture(Webhook::kValidate, "TrainingJob/07-create-dryrun-kms.validating.json");
  EXPECT_EQ(outcome.decision, "allowed");
  EXPECT_TRUE(answer["response"].at("allowed").get<bool>());
  EXPECT_TRUE(CodesOf(outcome).empty()) << ::testing::PrintToString(CodesOf(outcome));
  EXPECT_TRUE(outcome.dry_run);
}

TEST_F(AdmitTest, ASubresourceIsAllowedUntouched) {
  json review = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
  review["request"]["subResource"] = "status";
  for (const Webhook webhook : {Webhook::kMutate, Webhook::kValidate}) {
    const AdmissionOutcome outcome = Admit(webhook, *policy_, kJson, review.dump());
    const json answer = Answer(outcome, review);
    EXPECT_EQ(outcome.decision, kDecisionSkipped);
    EXPECT_TRUE(answer["response"].at("allowed").get<bool>());
    EXPECT_FALSE(answer["response"].contains("patch"));
    EXPECT_EQ(outcome.sub_resource, "status");
  }
}

// README, "Endpoints": HTTP 400 with a Kubernetes Status whose message says
// what is wrong.
void ExpectBadRequest(const AdmissionOutcome& outcome, const std::string& says) {
  EXPECT_EQ(outcome.http_status, 400);
  EXPECT_EQ(outcome.decision, kDecisionInvalid);
  EXPECT_FALSE(outcome.decoded);
  const json status = json::parse(outcome.body);
  EXPECT_EQ(status.at("kind"), "Status");
  EXPECT_EQ(status.at("status"), "Failure");
  EXPECT_EQ(status.at("code"), 400);
  EXPECT_EQ(status.at("reason"), "BadRequest");
  EXPECT_NE(status.at("message").get<std::string>().find(says), std::string::npos) << status;
  EXPECT_EQ(status.at("message"), outcome.error);
}

TEST_F(AdmitTest, ABodyThatIsNotAReviewIsA400SayingWhy) {
  ExpectBadRequest(Admit(Webhook::kMutate, *policy_, kJson, "{\"apiVersion\":"), "the body is not valid JSON");
  ExpectBadRequest(Admit(Webhook::kValidate, *policy_, kJson, "[]"), "not a valid AdmissionReview");
  json without_uid = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
  without_uid["request"].erase("uid");
  ExpectBadRequest(Admit(Webhook::kMutate, *policy_, kJson, without_uid.dump()), "uid");
  const std::string body = LoadReviewFixture("TrainingJob/01-create-base.mutating.json").dump();
  ExpectBadRequest(Admit(Webhook::kMutate, *policy_, "text/plain", body), "Content-Type is \"text/plain\"");
}

TEST_F(AdmitTest, ADeleteHasNoObjectAndIsAllowedUnpatched) {
  const auto [review, outcome, answer] =
      AdmitFixture(Webhook::kMutate, "TrainingJob/09-delete-finalizer.mutating.json");
  ASSERT_TRUE(review["request"]["object"].is_null());
  EXPECT_TRUE(answer["response"].at("allowed").get<bool>());
  EXPECT_FALSE(answer["response"].contains("patch"));
  EXPECT_EQ(outcome.operation, Operation::kDelete);
}

}  // namespace
}  // namespace keyward::testing
