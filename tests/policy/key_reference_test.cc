#include "policy/base/key_reference.h"

#include <string>

#include <gtest/gtest.h>

#include "policy/base/text.h"

namespace keyward {
namespace {

constexpr char kKeyId[] = "1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr char kMrkId[] = "mrk-1234abcd12ab34cd56ef1234567890ab";

KeyReference MustParse(std::string_view text) {
  KeyParseResult result = ParseKeyReference(text);
  EXPECT_TRUE(result.key.has_value()) << "'" << text << "' rejected: " << result.error;
  EXPECT_TRUE(result.error.empty()) << result.error;
  return result.key.value_or(KeyReference{});
}

// The error for `text`, which must be rejected, lower-cased.
std::string MustRejectKey(std::string_view text) {
  KeyParseResult result = ParseKeyReference(text);
  EXPECT_FALSE(result.key.has_value()) << "'" << text << "' accepted";
  EXPECT_FALSE(result.error.empty()) << "'" << text << "' rejected without a reason";
  return AsciiLower(result.error);
}

TEST(KeyReferenceTest, KeyId) {
  KeyReference key = MustParse(kKeyId);
  EXPECT_EQ(key.form, KeyReferenceForm::kKeyId);
  EXPECT_EQ(key.resource, kKeyId);
  EXPECT_EQ(key.partition, "");
  EXPECT_EQ(key.region, "");
  EXPECT_EQ(key.account, "");
  EXPECT_FALSE(key.IsArn());
  EXPECT_FALSE(key.IsAlias());
  EXPECT_FALSE(key.IsAwsManaged());
}

TEST(KeyReferenceTest, MultiRegionKeyId) {
  KeyReference key = MustParse(kMrkId);
  EXPECT_EQ(key.form, KeyReferenceForm::kKeyId);
  EXPECT_EQ(key.resource, kMrkId);
}

TEST(KeyReferenceTest, KeyArn) {
  KeyReference key = MustParse(std::string("arn:aws:kms:us-east-1:111122223333:key/") + kKeyId);
  EXPECT_EQ(key.form, KeyReferenceForm::kKeyArn);
  EXPECT_EQ(key.partition, "aws");
  EXPECT_EQ(key.region, "us-east-1");
  EXPECT_EQ(key.account, "111122223333");
  EXPECT_EQ(key.resource, kKeyId);
  EXPECT_TRUE(key.IsArn());
  EXPECT_FALSE(key.IsAlias());
  EXPECT_FALSE(key.IsAwsManaged());
}

TEST(KeyReferenceTest, MultiRegionKeyArn) {
  KeyReference key = MustParse(std::string("arn:aws:kms:eu-west-1:111122223333:key/") + kMrkId);
  EXPECT_EQ(key.form, KeyReferenceForm::kKeyArn);
  EXPECT_EQ(key.region, "eu-west-1");
  EXPECT_EQ(key.resource, kMrkId);
}

TEST(KeyReferenceTest, AliasName) {
  KeyReference key = MustParse("alias/team-a/training_data");
  EXPECT_EQ(key.form, KeyReferenceForm::kAliasName);
  EXPECT_EQ(key.resource, "team-a/training_data");
  EXPECT_TRUE(key.IsAlias());
  EXPECT_FALSE(key.IsArn());
  EXPECT_FALSE(key.IsAwsManaged());
}

TEST(KeyReferenceTest, AliasArn) {
  KeyReference key = MustParse("arn:aws:kms:us-west-2:111122223333:alias/team-a");
  EXPECT_EQ(key.form, KeyReferenceForm::kAliasArn);
  EXPECT_EQ(key.partition, "aws");
  EXPECT_EQ(key.region, "us-west-2");
  EXPECT_EQ(key.account, "111122223333");
  EXPECT_EQ(key.resource, "team-a");
  EXPECT_TRUE(key.IsArn());
  EXPECT_TRUE(key.IsAlias());
  EXPECT_FALSE(key.IsAwsManaged());
}

struct PartitionCase {
  const char* partition;
  const char* region;
};

class KeyReferencePartitionTest : public ::testing::TestWithParam<PartitionCase> {};

TEST_P(KeyReferencePartitionTest, KeyAndAliasArnsParse) {
  const PartitionCase& c = GetParam();
  std::string prefix = std::string("arn:") + c.partition + ":kms:" + c.region + ":111122223333:";
  KeyReference key = MustParse(prefix + "key/" + kKeyId);
  EXPECT_EQ(key.form, KeyReferenceForm::kKeyArn);
  EXPECT_EQ(key.partition, c.partition);
  EXPECT_EQ(key.region, c.region);
  KeyReference alias = MustParse(prefix + "alias/data");
  EXPECT_EQ(alias.form, KeyReferenceForm::kAliasArn);
  EXPECT_EQ(alias.partition, c.partition);
  EXPECT_TRUE(IsValidRegionName(c.region)) << c.region;
}

INSTANTIATE_TEST_SUITE_P(AllPartitions, KeyReferencePartitionTest,
                         ::testing::Values(PartitionCase{"aws", "us-east-1"}, PartitionCase{"aws", "ap-southeast-5"},
                                           PartitionCase{"aws", "il-central-1"},
                                           PartitionCase{"aws-cn", "cn-north-1"},
                                           PartitionCase{"aws-cn", "cn-northwest-1"},
                                           PartitionCase{"aws-us-gov", "us-gov-west-1"},
                                           PartitionCase{"aws-us-gov", "us-gov-east-1"},
                                           PartitionCase{"aws-iso", "us-iso-east-1"},
                                           PartitionCase{"aws-iso-b", "us-isob-east-1"},
                                           PartitionCase{"aws-iso-e", "eu-isoe-west-1"},
                                           PartitionCase{"aws-iso-f", "us-isof-south-1"}),
                         [](const ::testing::TestParamInfo<PartitionCase>& info) {
                           std::string name = std::string(info.param.partition) + "_" + info.param.region;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(KeyReferenceTest, AwsManagedAliases) {
  EXPECT_TRUE(MustParse("alias/aws/sagemaker").IsAwsManaged());
  EXPECT_TRUE(MustParse("alias/aws/s3").IsAwsManaged());
  EXPECT_TRUE(MustParse("arn:aws:kms:us-east-1:111122223333:alias/aws/ebs").IsAwsManaged());
  EXPECT_TRUE(MustParse("arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/sagemaker").IsAwsManaged());
  // Only the alias/aws/ prefix is reserved.
  EXPECT_FALSE(MustParse("alias/awsome").IsAwsManaged());
  EXPECT_FALSE(MustParse("alias/aws-team/key").IsAwsManaged());
  EXPECT_FALSE(MustParse("alias/team/aws/key").IsAwsManaged());
}

TEST(KeyReferenceTest, FormNamesAreDistinctAndNonEmpty) {
  std::string names[] = {std::string(KeyReferenceFormName(KeyReferenceForm::kKeyId)),
                         std::string(KeyReferenceFormName(KeyReferenceForm::kKeyArn)),
                         std::string(KeyReferenceFormName(KeyReferenceForm::kAliasName)),
                         std::string(KeyReferenceFormName(KeyReferenceForm::kAliasArn))};
  for (const std::string& name : names) EXPECT_FALSE(name.empty());
  EXPECT_NE(names[0], names[1]);
  EXPECT_NE(names[1], names[2]);
  EXPECT_NE(names[2], names[3]);
  EXPECT_NE(names[0], names[3]);
  EXPECT_NE(AsciiLower(names[1]).find("arn"), std::string::npos);
  EXPECT_NE(AsciiLower(names[2]).find("alias"), std::string::npos);
}

TEST(KeyReferenceTest, RejectsEmptyAndWhitespace) {
  MustRejectKey("");
  MustRejectKey(" ");
  MustRejectKey(std::string(" arn:aws:kms:us-east-1:111122223333:key/") + kKeyId);
  MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333:key/") + kKeyId + " ");
  MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333:key/") + kKeyId + "\n");
  MustRejectKey(std::string(kKeyId) + "\t");
  MustRejectKey("alias/my key");
}

TEST(KeyReferenceTest, RejectsMalformedKeyIds) {
  MustRejectKey("1234abcd-12ab-34cd-56ef-1234567890a");    // short last group
  MustRejectKey("1234abcd-12ab-34cd-56ef-1234567890abc");  // long last group
  MustRejectKey("1234abcd12ab34cd56ef1234567890ab");       // no dashes
  MustRejectKey("1234abcg-12ab-34cd-56ef-1234567890ab");   // not hex
  MustRejectKey("1234abcd-12ab-34cd-56ef_1234567890ab");
  MustRejectKey("mrk-1234abcd12ab34cd56ef1234567890a");    // 31 hex digits
  MustRejectKey("mrk-1234abcd12ab34cd56ef1234567890abc");  // 33
  MustRejectKey("mrk-");
  MustRejectKey("my-key");
  std::string error = MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333:key/") + "not-a-key-id");
  EXPECT_NE(error.find("key"), std::string::npos) << error;
}

TEST(KeyReferenceTest, RejectsBadAccount) {
  std::string tail = std::string(":key/") + kKeyId;
  std::string error = MustRejectKey("arn:aws:kms:us-east-1:11112222333" + tail);  // 11 digits
  EXPECT_NE(error.find("account"), std::string::npos) << error;
  MustRejectKey("arn:aws:kms:us-east-1:1111222233334" + tail);  // 13 digits
  MustRejectKey("arn:aws:kms:us-east-1:11112222333a" + tail);
  MustRejectKey("arn:aws:kms:us-east-1:" + tail);
}

TEST(KeyReferenceTest, RejectsWrongServiceAndShape) {
  std::string error = MustRejectKey(std::string("arn:aws:s3:us-east-1:111122223333:key/") + kKeyId);
  EXPECT_NE(error.find("kms"), std::string::npos) << error;
  MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333:grant/") + kKeyId);
  MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333:") + kKeyId);
  MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333:key/"));
  MustRejectKey(std::string("arn:aws:kms::111122223333:key/") + kKeyId);    // no region
  MustRejectKey(std::string("arn:aws:kms:us-east:111122223333:key/") + kKeyId);  // not a region
  MustRejectKey(std::string("arn:notapartition:kms:us-east-1:111122223333:key/") + kKeyId);
  MustRejectKey(std::string("arn::kms:us-east-1:111122223333:key/") + kKeyId);
  MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333"));
  MustRejectKey(std::string("urn:aws:kms:us-east-1:111122223333:key/") + kKeyId);
}

TEST(KeyReferenceTest, RejectsTrailingJunk) {
  MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333:key/") + kKeyId + "/extra");
  MustRejectKey(std::string("arn:aws:kms:us-east-1:111122223333:key/") + kKeyId + "x");
  MustRejectKey(std::string(kKeyId) + "0");
  MustRejectKey(std::string(kKeyId) + ":");
}

TEST(KeyReferenceTest, RejectsMalformedAliases) {
  MustRejectKey("alias/");
  MustRejectKey("alias");
  MustRejectKey("arn:aws:kms:us-east-1:111122223333:alias/");
  MustRejectKey("alias/bad*name");
}

TEST(KeyReferenceTest, NeverThrowsOnHostileInput) {
  std::string long_text(100000, 'a');
  EXPECT_NO_THROW(ParseKeyReference(long_text));
  EXPECT_FALSE(ParseKeyReference(long_text).key.has_value());
  EXPECT_NO_THROW(ParseKeyReference("arn:::::::::::::::::"));
  constexpr char kWithNul[] = "arn:aws:kms:us-east-1:111122223333:key/\0abc";
  EXPECT_NO_THROW(ParseKeyReference(std::string(kWithNul, sizeof kWithNul - 1)));
  EXPECT_FALSE(ParseKeyReference(std::string(kWithNul, sizeof kWithNul - 1)).key.has_value());
}

TEST(KeyReferenceTest, RegionNames) {
  for (const char* region : {"us-east-1", "eu-central-2", "ap-northeast-3", "me-south-1", "sa-east-1", "ca-west-1",
                             "cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1",
                             "us-isof-south-1"}) {
    EXPECT_TRUE(IsValidRegionName(region)) << region;
  }
  for (const char* region : {"", "us-east", "US-EAST-1", "us-east-1a", "useast1", "us_east_1", "us-east-1 ", "-1",
                             "us--1"}) {
    EXPECT_FALSE(IsValidRegionName(region)) << "'" << region << "'";
  }
}

}  // namespace
}  // namespace keyward
