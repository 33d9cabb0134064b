#include "webhook/admission/admission_codec.h"

#include <gtest/gtest.h>

#include "tests/support/reviews.h"
#include "webhook/base/base64.h"

namespace keyward {
namespace {

using nlohmann::json;
using testing::LoadReviewFixture;

std::string Decode(const json& review, DecodedReview* out) { return DecodeAdmissionReview(review, out).ToString(); }

TEST(AdmissionCodecTest, DecodesACapturedV1Create) {
  const json review = LoadReviewFixture("TrainingJob/07-create-dryrun-kms.mutating.json");
  DecodedReview decoded;
  ASSERT_EQ(Decode(review, &decoded), "");
  EXPECT_EQ(decoded.api_version, kAdmissionV1);
  EXPECT_EQ(decoded.uid, review["request"]["uid"]);
  EXPECT_EQ(decoded.request.group, "sagemaker.services.k8s.aws");
  EXPECT_EQ(decoded.request.version, "v1alpha1");
  EXPECT_EQ(decoded.request.kind, "TrainingJob");
  EXPECT_EQ(decoded.request.namespace_name, "team-a");
  EXPECT_EQ(decoded.request.name, review["request"]["name"]);
  EXPECT_EQ(decoded.request.operation, Operation::kCreate);
  EXPECT_EQ(decoded.request.username, "admin");
  EXPECT_TRUE(decoded.request.dry_run);
  EXPECT_EQ(decoded.request.object, &review["request"]["object"]) << "the object is borrowed, not copied";
  EXPECT_EQ(decoded.request.old_object, nullptr);
  EXPECT_EQ(decoded.request.sub_resource, "");
}

TEST(AdmissionCodecTest, DecodesV1beta1UpdatesAndDeletes) {
  DecodedReview update;
  const json review = LoadReviewFixture("TrainingJob/42-update-v1beta1-ctrl-lateinit.validating.json");
  ASSERT_EQ(Decode(review, &update), "");
  EXPECT_EQ(update.api_version, kAdmissionV1beta1);
  EXPECT_EQ(update.request.operation, Operation::kUpdate);
  EXPECT_NE(update.request.old_object, nullptr);
  EXPECT_EQ(update.request.username, "system:serviceaccount:ack-system:ack-sagemaker-controller");

  DecodedReview deletion;
  const json removal = LoadReviewFixture("TrainingJob/44-delete-v1beta1-base.mutating.json");
  ASSERT_EQ(Decode(removal, &deletion), "");
  EXPECT_EQ(deletion.request.operation, Operation::kDelete);
  EXPECT_EQ(deletion.request.object, nullptr);
  EXPECT_NE(deletion.request.old_object, nullptr);
}

TEST(AdmissionCodecTest, NamesTheOffendingField) {
  const json good = LoadReviewFixture("TrainingJob/05-update-kms-set.validating.json");
  struct Case {
    const char* pointer;
    json value;
    const char* expected;
  } cases[] = {
      {"/apiVersion", "admission.k8s.io/v2", "apiVersion is \"admission.k8s.io/v2\""},
      {"/request/uid", 42, "request.uid"},
      {"/request/kind/kind", "", "request.kind.kind is missing"},
      {"/request/kind/group", json::array(), "request.kind.group must be a string, not array"},
      {"/request/namespace", 3, "request.namespace must be a string"},
      {"/request/userInfo", "admin", "request.userInfo must be an object"},
      {"/request/userInfo/username", false, "request.userInfo.username must be a string"},
      {"/request/operation", "update", "request.operation is \"update\""},
      {"/request/oldObject", nullptr, "request.oldObject is missing: an UPDATE"},
      {"/request/subResource", 1, "request.subResource must be a string"},
  };
  for (const Case& c : cases) {
    json review = good;
    review[json::json_pointer(c.pointer)] = c.value;
    DecodedReview decoded;
    const std::string error = Decode(review, &decoded);
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.pointer << ": " << error;
  }
  DecodedReview decoded;
  json no_request = good;
  no_request.erase("request");
  EXPECT_NE(Decode(no_request, &decoded).find("request is missing"), std::string::npos);
  EXPECT_NE(Decode(json::array(), &decoded).find("a JSON array"), std::string::npos);
}

TEST(AdmissionCodecTest, ASubresourceNeedsNoObject) {
  json review = LoadReviewFixture("TrainingJob/05-update-kms-set.validating.json");
  review["request"]["subResource"] = "status";
  review["request"]["oldObject"] = nullptr;
  DecodedReview decoded;
  ASSERT_EQ(Decode(review, &decoded), "");
  const json answer = json::parse(EncodeAllowedReview(decoded));
  EXPECT_EQ(answer["response"], json({{"uid", decoded.uid}, {"allowed", true}}));
}

DecodedReview Sample(std::string_view api_version) {
  DecodedReview review;
  review.api_version = api_version;
  review.uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  return review;
}

TEST(AdmissionCodecTest, MutationResponseCarriesABase64JsonPatchOnlyWhenThereIsOne) {
  MutationResult result;
  result.patch = json::array({{{"op", "add"}, {"path", "/spec/a~1b"}, {"value", "arn"}}});
  result.warnings = {"keyward: set spec.x"};
  const json answer = json::parse(EncodeMutationReview(Sample(kAdmissionV1beta1), result));
  EXPECT_EQ(answer["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(answer["kind"], "AdmissionReview");
  EXPECT_EQ(answer["response"]["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(answer["response"]["allowed"], true);
  EXPECT_EQ(answer["response"]["patchType"], "JSONPatch");
  EXPECT_EQ(json::parse(*Base64Decode(answer["response"]["patch"].get<std::string>())), result.patch);
  EXPECT_EQ(answer["response"]["warnings"], json({"keyward: set spec.x"}));

  const json empty = json::parse(EncodeMutationReview(Sample(kAdmissionV1), MutationResult{}));
  EXPECT_EQ(empty["response"], json({{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"}, {"allowed", true}}));
}

TEST(AdmissionCodecTest, WarningsAreCapped) {
  MutationResult result;
  for (int i = 0; i < 50; ++i) result.warnings.push_back("w" + std::to_string(i));
  const json answer = json::parse(EncodeMutationReview(Sample(kAdmissionV1), result));
  ASSERT_EQ(answer["response"]["warnings"].size(), kMaxWarnings);
  EXPECT_EQ(answer["response"]["warnings"][0], "w0");
  EXPECT_NE(answer["response"]["warnings"].back().get<std::string>().find("31 more"), std::string::npos);
}

TEST(AdmissionCodecTest, DenialIsA403StatusWithTheMessage) {
  ValidationResult result;
  result.allowed = false;
  result.enforcement = Enforcement::kDeny;
  result.message = "two violations: ...";
  result.violations = {{"spec.a", "ForeignKey", "m", "foreign key"}};
  const json response = json::parse(EncodeValidationReview(Sample(kAdmissionV1), result))["response"];
  EXPECT_EQ(response["allowed"], false);
  EXPECT_EQ(response["status"]["code"], 403);
  EXPECT_EQ(response["status"]["reason"], "Forbidden");
  EXPECT_EQ(response["status"]["message"], "two violations: ...");
  EXPECT_FALSE(response.contains("auditAnnotations"));
}

TEST(AdmissionCodecTest, AuditValuesAreBoundedOnACharacterBoundary) {
  ValidationResult result;
  result.enforcement = Enforcement::kAudit;
  result.tenant = "team-a";
  for (int i = 0; i < 100; ++i) {
    result.violations.push_back({"spec.f", "UnapprovedKey", "ключ не одобрен", "unapproved", "", Enforcement::kAudit});
  }
  const json response = json::parse(EncodeValidationReview(Sample(kAdmissionV1), result))["response"];
  EXPECT_EQ(response["allowed"], true);
  const std::string violations = response["auditAnnotations"]["violations"];
  EXPECT_LE(violations.size(), kMaxAuditValueLength);
  EXPECT_EQ(violations.substr(violations.size() - 3), "...");
  EXPECT_EQ(response["auditAnnotations"]["tenant"], "team-a");
  EXPECT_EQ(response["auditAnnotations"]["enforcement"], "audit");
}

// Each violation at its own level: a denied object's audit-level
// violations still reach the audit log, and only those.
TEST(AdmissionCodecTest, AuditAnnotationsListTheAuditLevelViolationsOnly) {
  ValidationResult result;
  result.allowed = false;
  result.message = "keyward: denied";
  result.enforcement = Enforcement::kDeny;
  result.violations.push_back({"spec.a", "ForeignKey", "key of tenant b", "k", "b", Enforcement::kDeny});
  result.violations.push_back({"spec.p:Steps[L]", "OpaqueStep", "cannot see into", "s", "", Enforcement::kAudit});
  const json response = json::parse(EncodeValidationReview(Sample(kAdmissionV1), result))["response"];
  EXPECT_EQ(response["allowed"], false);
  const std::string violations = response["auditAnnotations"]["violations"];
  EXPECT_NE(violations.find("OpaqueStep"), std::string::npos) << violations;
  EXPECT_EQ(violations.find("ForeignKey"), std::string::npos) << violations;

  result.violations.pop_back();
  EXPECT_FALSE(json::parse(EncodeValidationReview(Sample(kAdmissionV1), result))["response"].contains("auditAnnotations"));
}

TEST(AdmissionCodecTest, HttpErrorsAreKubernetesStatuses) {
  const json error = json::parse(EncodeHttpError(413, "too big"));
  EXPECT_EQ(error, json({{"apiVersion", "v1"},
                         {"kind", "Status"},
                         {"status", "Failure"},
                         {"code", 413},
                         {"reason", "RequestEntityTooLarge"},
                         {"message", "too big"}}));
  // Invalid UTF-8 in a message (echoed input) still yields valid JSON.
  EXPECT_NO_THROW(json::parse(EncodeHttpError(400, "bad \xff byte")));
}

}  // namespace
}  // namespace keyward
