// Checked reads of members of JSON from outside the process: never a throw.
#include "webhook/base/json_member.h"

#include <gtest/gtest.h>

namespace keyward {
namespace {

using Json = nlohmann::json;

TEST(JsonMemberTest, ReadsAStringMember) {
  EXPECT_EQ(StringMember(Json{{"kind", "Pod"}}, "kind"), "Pod");
  EXPECT_EQ(StringMember(Json{{"kind", ""}}, "kind", "?"), "");
}

TEST(JsonMemberTest, AMissingOrOtherMemberReadsAsTheFallback) {
  const Json object = {{"count", 3}, {"list", Json::array()}, {"none", nullptr}};
  EXPECT_EQ(StringMember(object, "missing"), "");
  EXPECT_EQ(StringMember(object, "count"), "");
  EXPECT_EQ(StringMember(object, "list", "?"), "?");
  EXPECT_EQ(StringMember(object, "none", "?"), "?");
}

TEST(JsonMemberTest, AnythingButAnObjectReadsAsTheFallback) {
  for (const Json& value : {Json(nullptr), Json("text"), Json(1), Json::array({"kind"})}) {
    EXPECT_EQ(StringMember(value, "kind", "?"), "?") << value.dump();
    EXPECT_TRUE(BoolMember(value, "allowed", true)) << value.dump();
  }
}

TEST(JsonMemberTest, ReadsABooleanMemberOnlyWhenItIsOne) {
  EXPECT_TRUE(BoolMember(Json{{"allowed", true}}, "allowed", false));
  EXPECT_FALSE(BoolMember(Json{{"allowed", false}}, "allowed", true));
  EXPECT_FALSE(BoolMember(Json{{"allowed", "true"}}, "allowed", false));
  EXPECT_FALSE(BoolMember(Json{{"allowed", 1}}, "allowed", false));
}

}  // namespace
}  // namespace keyward
