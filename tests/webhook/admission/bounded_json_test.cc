#include "webhook/admission/bounded_json.h"

#include <gtest/gtest.h>

namespace keyward {
namespace {

std::string Nested(size_t depth, char open, char close, const std::string& inner = "") {
  return std::string(depth, open) + inner + std::string(depth, close);
}

TEST(BoundedJsonTest, ParsesOrdinaryDocuments) {
  BoundedParseResult result = ParseBoundedJson(R"({"a": [1, 2.5, "x", true, null, {"b": {}}]})");
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.value["a"][1], 2.5);
  EXPECT_EQ(result.value["a"][5]["b"], nlohmann::json::object());
}

TEST(BoundedJsonTest, AcceptsExactlyTheLimitAndRefusesOneMore) {
  EXPECT_EQ(ParseBoundedJson(Nested(kMaxJsonDepth, '[', ']')).error, "");
  BoundedParseResult deeper = ParseBoundedJson(Nested(kMaxJsonDepth + 1, '[', ']'));
  EXPECT_NE(deeper.error.find("nesting deeper than 128"), std::string::npos) << deeper.error;
  EXPECT_TRUE(deeper.value.is_null());

  std::string objects;
  for (size_t i = 0; i <= kMaxJsonDepth; ++i) objects += "{\"k\":";
  objects += "1" + std::string(kMaxJsonDepth + 1, '}');
  EXPECT_NE(ParseBoundedJson(objects).error, "");
}

TEST(BoundedJsonTest, RefusesHugeDepthWithoutExhaustingTheStack) {
  // Unbounded, this would crash in the destructor or in dump().
  const std::string deep = Nested(2'000'000, '[', ']');
  EXPECT_NE(ParseBoundedJson(deep).error, "");
  const std::string unterminated(2'000'000, '[');
  EXPECT_NE(ParseBoundedJson(unterminated).error, "");
}

TEST(BoundedJsonTest, CustomLimit) {
  EXPECT_EQ(ParseBoundedJson("[[1]]", 2).error, "");
  EXPECT_NE(ParseBoundedJson("[[[1]]]", 2).error, "");
  EXPECT_EQ(ParseBoundedJson("7", 0).error, "");
}

TEST(BoundedJsonTest, SyntaxErrorsSayWhere) {
  BoundedParseResult result = ParseBoundedJson("{\n  \"a\": tru }");
  EXPECT_NE(result.error.find("line 2"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find("[json.exception"), std::string::npos) << result.error;
  EXPECT_NE(ParseBoundedJson("").error, "");
  EXPECT_NE(ParseBoundedJson("{} trailing").error, "");
  EXPECT_NE(ParseBoundedJson("\"\xff\"").error, "");
}

}  // namespace
}  // namespace keyward
