#include "webhook/admission/ignored_metadata.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/reviews.h"

namespace keyward {
namespace {

using nlohmann::json;

json Stripped(const std::string& text) {
  std::string out;
  EXPECT_TRUE(RemoveIgnoredMetadata(text, &out)) << text;
  return json::parse(out);
}

TEST(IgnoredMetadataTest, RemovesManagedFieldsWhereverTheMemberSits) {
  const std::string last = R"({"request":{"object":{"metadata":{"name":"a","managedFields":[{"f":{"x":1}}]}}}})";
  EXPECT_EQ(Stripped(last), json::parse(R"({"request":{"object":{"metadata":{"name":"a"}}}})"));
  const std::string first = R"({"request":{"object":{"metadata":{"managedFields":[],"name":"a"}}}})";
  EXPECT_EQ(Stripped(first), json::parse(R"({"request":{"object":{"metadata":{"name":"a"}}}})"));
  const std::string only = R"({"request":{"oldObject":{"metadata":{ "managedFields" : null }}}})";
  EXPECT_EQ(Stripped(only), json::parse(R"({"request":{"oldObject":{"metadata":{}}}})"));
  const std::string spaced = "{ \"request\" : { \"object\" : { \"metadata\" : {\n  \"managedFields\" : [ 1, 2 ] ,\n"
                             "  \"uid\" : \"u\" } } } }";
  EXPECT_EQ(Stripped(spaced), json::parse(R"({"request":{"object":{"metadata":{"uid":"u"}}}})"));
}

TEST(IgnoredMetadataTest, RemovesOnlyTheLastAppliedAnnotation) {
  const std::string text =
      R"({"request":{"object":{"metadata":{"annotations":{"services.k8s.aws/region":"us-east-1",)"
      R"("kubectl.kubernetes.io/last-applied-configuration":"{\"kind\":\"TrainingJob\",\"x\":\"}\"}\n"}}}}})";
  EXPECT_EQ(Stripped(text),
            json::parse(R"({"request":{"object":{"metadata":{"annotations":{"services.k8s.aws/region":"us-east-1"}}}}})"));
}

TEST(IgnoredMetadataTest, LeavesEverythingElseAlone) {
  std::string out;
  for (const char* text : {
           R"({"request":{"object":{"spec":{"managedFields":[1]}}}})",
           R"({"request":{"object":{"metadata":{"labels":{"managedFields":"x"}}}}})",
           R"({"managedFields":[],"request":{}})",
           R"({"request":{"object":{"metadata":[{"managedFields":[]}]}}})",
           R"({"request":{"other":{"metadata":{"managedFields":[]}}}})",
       }) {
    EXPECT_FALSE(RemoveIgnoredMetadata(text, &out)) << text;
  }
}

TEST(IgnoredMetadataTest, GivesUpOnMalformedOrHostileText) {
  std::string out;
  for (std::string text : {
           std::string(R"({"request":{"object":{"metadata":{"managedFields":[}}}})"),
           std::string(R"({"request":{"object":{"metadata":{"managedFields":"unterminated}}}})"),
           std::string(R"({"request":{"object":{"metadata":{"managedFields":1,"managedFields":2}}}})"),
           std::string(R"({"request":{"object":{"metadata":{"managedFields":[]}}}}})"),
           std::string(R"({"request":{"object":{"metadata":{"managedFields":)") + std::string(200, '[') +
               std::string(200, ']') + "}}}}",
       }) {
    EXPECT_FALSE(RemoveIgnoredMetadata(text, &out)) << text.substr(0, 80);
  }
}

// On every captured review, stripping equals parsing and then erasing.
TEST(IgnoredMetadataTest, MatchesEraseOnEveryCapturedReview) {
  const auto root = std::filesystem::path(KEYWARD_FIXTURES_DIR) / "admission-reviews";
  int stripped = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".json") continue;
    const json review = testing::LoadReviewFixture(std::filesystem::relative(entry.path(), root).string());
    json expected = review;
    for (const char* side : {"object", "oldObject"}) {
      json& object = expected["request"][side];
      if (!object.is_object()) continue;
      object["metadata"].erase("managedFields");
      if (object["metadata"].contains("annotations")) {
        object["metadata"]["annotations"].erase("kubectl.kubernetes.io/last-applied-configuration");
      }
    }
    for (const std::string& text : {review.dump(), review.dump(2)}) {
      std::string out;
      if (RemoveIgnoredMetadata(text, &out)) {
        ++stripped;
        EXPECT_EQ(json::parse(out), expected) << entry.path();
      } else {
        EXPECT_EQ(review, expected) << entry.path() << ": nothing was removed";
      }
    }
  }
  EXPECT_GT(stripped, 100);
}

}  // namespace
}  // namespace keyward
