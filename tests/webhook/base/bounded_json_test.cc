#include "webhook/base/bounded_json.h"

#include <gtest/gtest.h>

namespace keyward {
namespace {

std::string Nested(size_t depth, char open, char close, const std::string& inner = "") {
  return std::string(depth, open) + inner + std::string(depth, close);
}

TEST(BoundedJsonTest, ParsesOrdinaryDocuments) {
  Result<nlohmann::json> result = ParseBoundedJson(R"({"a": [1, 2.5, "x", true, null, {"b": {}}]})");
  ASSERT_EQ(result.status().ToString(), "");
  EXPECT_EQ(result.value()["a"][1], 2.5);
  EXPECT_EQ(result.value()["a"][5]["b"], nlohmann::json::object());
}

TEST(BoundedJsonTest, AcceptsExactlyTheLimitAndRefusesOneMore) {
  EXPECT_EQ(ParseBoundedJson(Nested(kMaxJsonDepth, '[', ']')).status().ToString(), "");
  Result<nlohmann::json> deeper = ParseBoundedJson(Nested(kMaxJsonDepth + 1, '[', ']'));
  EXPECT_NE(deeper.status().ToString().find("nesting deeper than 128"), std::string::npos) << deeper.status().ToString();
  EXPECT_FALSE(deeper.ok());

  std::string objects;
  for (size_t i = 0; i <= kMaxJsonDepth; ++i) objects += "{\"k\":";
  objects += "1" + std::string(kMaxJsonDepth + 1, '}');
  EXPECT_NE(ParseBoundedJson(objects).status().ToString(), "");
}

TEST(BoundedJsonTest, RefusesHugeDepthWithoutExhaustingTheStack) {
  // Unbounded, this would crash in the destructor or in dump().
  const std::string deep = Nested(2'000'000, '[', ']');
  EXPECT_NE(ParseBoundedJson(deep).status().ToString(), "");
  const std::string unterminated(2'000'000, '[');
  EXPECT_NE(ParseBoundedJson(unterminated).status().ToString(), "");
}

TEST(BoundedJsonTest, CustomLimit) {
  EXPECT_EQ(ParseBoundedJson("[[1]]", 2).status().ToString(), "");
  EXPECT_NE(ParseBoundedJson("[[[1]]]", 2).status().ToString(), "");
  EXPECT_EQ(ParseBoundedJson("7", 0).status().ToString(), "");
}

TEST(BoundedJsonTest, SyntaxErrorsSayWhere) {
  Result<nlohmann::json> result = ParseBoundedJson("{\n  \"a\": tru }");
  EXPECT_NE(result.status().ToString().find("line 2"), std::string::npos) << result.status().ToString();
  EXPECT_EQ(result.status().ToString().find("[json.exception"), std::string::npos) << result.status().ToString();
  EXPECT_NE(ParseBoundedJson("").status().ToString(), "");
  EXPECT_NE(ParseBoundedJson("{} trailing").status().ToString(), "");
  EXPECT_NE(ParseBoundedJson("\"\xff\"").status().ToString(), "");
}

// Release frees what it holds depth first and leaves the outer container
// empty, for the deepest document the parser accepts too.
TEST(BoundedJsonTest, ReleaseEmptiesTheDeepestAcceptedDocument) {
  // An object and an array per pair of levels, an empty object innermost.
  const size_t pairs = kMaxJsonDepth / 2 - 1;
  std::string objects;
  for (size_t i = 0; i < pairs; ++i) objects += "{\"k\":[1,\"two\",";
  objects += "{}";
  for (size_t i = 0; i < pairs; ++i) objects += "]}";
  Result<nlohmann::json> parsed = ParseBoundedJson(objects);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ReleaseDocument(parsed.value());
  EXPECT_EQ(parsed.value(), nlohmann::json::object());

  nlohmann::json list = nlohmann::json::parse(R"([{"a": [1, {"b": "c"}]}, "d", [[]]])");
  ReleaseDocument(list);
  EXPECT_EQ(list, nlohmann::json::array());
  nlohmann::json scalar = "kept";
  ReleaseDocument(scalar);
  EXPECT_EQ(scalar, "kept");
}

}  // namespace
}  // namespace keyward
