// The shell's JSON writer against nlohmann's parser and dump: every text it
// writes must read back as the value it was given.
#include "webhook/observe/json_text.h"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

namespace keyward {
namespace {

std::string Quoted(std::string_view value) {
  std::string out;
  AppendJsonString(value, &out);
  return out;
}

// Every byte that must be escaped, at every position of strings long
// enough to cross the eight-byte scan in every alignment.
TEST(JsonTextTest, EveryEscapeAtEveryPositionReadsBackAsTheString) {
  std::string escaped;
  for (int c = 0; c < 0x20; ++c) escaped.push_back(static_cast<char>(c));
  escaped += "\"\\";
  for (char special : escaped) {
    for (size_t length = 1; length <= 19; ++length) {
      for (size_t at = 0; at < length; ++at) {
        std::string value(length, 'a');
        value[at] = special;
        const std::string text = Quoted(value);
        ASSERT_EQ(nlohmann::json::parse(text).get<std::string>(), value)
            << "byte " << static_cast<int>(special) << " at " << at << " of " << length << ": " << text;
      }
    }
  }
}

TEST(JsonTextTest, TextWithoutEscapesIsCopiedAsItIs) {
  // Bytes from 0x20 up, '"' and '\\' aside, UTF-8 included: as they are.
  const std::string value = "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c \xc3\xa9t\xc3\xa9 ~/{}[]\x7f";
  EXPECT_EQ(Quoted(value), "\"" + value + "\"");
  EXPECT_EQ(Quoted(""), "\"\"");
  EXPECT_EQ(Quoted("a\"b\\c\n"), R"("a\"b\\c\n")");
}

// A patch as the core returns one: the same text as nlohmann's dump.
TEST(JsonTextTest, AValueIsWrittenAsNlohmannDumpsIt) {
  const nlohmann::json patch = nlohmann::json::parse(R"([
    {"op": "add", "path": "/spec/outputDataConfig/kmsKeyID", "value": "arn:aws:kms:us-east-1:1:key/k"},
    {"op": "add", "path": "/spec/networkConfig", "value": {"enableNetworkIsolation": true,
      "enableInterContainerTrafficEncryption": false, "count": 3, "offset": -12, "ratio": 0.25,
      "big": 18446744073709551615, "none": null, "empty": {}, "list": [], "nested": [[1, "x\ty"], {"a~/b": 1e300}]}},
    {"op": "replace", "path": "/spec/pipelineDefinition", "value": "{\"Version\": \"2020-12-01\", \"Steps\": []}"}
  ])");
  std::string text;
  AppendJsonValue(patch, &text);
  EXPECT_EQ(text, patch.dump());
  EXPECT_EQ(nlohmann::json::parse(text), patch);
}

}  // namespace
}  // namespace keyward
