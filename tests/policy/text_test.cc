// Every cut keyward makes in a text falls between UTF-8 characters, so what
// it writes (warnings, messages, JSON, YAML, logs) stays valid UTF-8.
#include "policy/base/text.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace keyward {
namespace {

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing past U+10FFFF.
bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1 ? c : c & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return false;
      code = (code << 6) | (byte(i + k) & 0x3F);
    }
    const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

// Two-, three- and four-byte characters around ASCII, in every alignment.
const std::string kMixed = "tenant-\xc3\xa9quipe-\xe6\x95\xb0\xe6\x8d\xae-\xf0\x9f\x94\x91-key-\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87";

TEST(TextTest, TheValidatorKnowsBrokenText) {
  EXPECT_TRUE(IsValidUtf8(kMixed));
  EXPECT_FALSE(IsValidUtf8(kMixed.substr(0, 8)));  // half of é
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
}

TEST(TextTest, ElidingTheMiddleAtEveryLimitLeavesValidUtf8WithinTheLimit) {
  for (size_t limit = 0; limit <= kMixed.size() + 1; ++limit) {
    const std::string out = ElideMiddle(kMixed, limit);
    EXPECT_LE(out.size(), limit) << limit;
    EXPECT_TRUE(IsValidUtf8(out)) << "limit " << limit << ": " << out;
    EXPECT_NO_THROW((void)nlohmann::json(out).dump()) << limit;
  }
  EXPECT_EQ(ElideMiddle("abcdefghij", 9), "abc...hij");
  EXPECT_EQ(ElideMiddle("abcdefghij", 10), "abcdefghij");
}

TEST(TextTest, ElidingTheEndAtEveryLimitLeavesValidUtf8WithinTheLimit) {
  for (size_t limit = 0; limit <= kMixed.size() + 1; ++limit) {
    const std::string out = ElideEnd(kMixed, limit);
    EXPECT_LE(out.size(), limit) << limit;
    EXPECT_TRUE(IsValidUtf8(out)) << "limit " << limit << ": " << out;
  }
  EXPECT_EQ(ElideEnd("abcdefghij", 8), "abcde...");
}

TEST(TextTest, Utf8PrefixNeverSplitsACharacter) {
  EXPECT_EQ(Utf8Prefix("a\xc3\xa9", 2), 1u);
  EXPECT_EQ(Utf8Prefix("a\xc3\xa9", 3), 3u);
  EXPECT_EQ(Utf8Prefix("\xf0\x9f\x94\x91", 3), 0u);
  EXPECT_EQ(Utf8Prefix("abc", 99), 3u);
}

TEST(TextTest, QuoteWrapsInDoubleQuotes) { EXPECT_EQ(Quote("a\xc3\xa9"), "\"a\xc3\xa9\""); }

TEST(TextTest, ValidUtf8ReplacesBrokenSequencesOnly) {
  EXPECT_EQ(ValidUtf8("a\xc3\xa9 \xf0\x9f\x94\x91"), "a\xc3\xa9 \xf0\x9f\x94\x91");
  EXPECT_EQ(ValidUtf8("last read: '\xde'"), "last read: '?'");  // a character cut after its first byte
  EXPECT_EQ(ValidUtf8("\x8a\xff\xe2\x82"), "????");
  EXPECT_EQ(ValidUtf8(""), "");
}

TEST(TextTest, EqualsIgnoringAsciiCaseFoldsAsciiLettersOnly) {
  EXPECT_TRUE(EqualsIgnoringAsciiCase("Content-Length", "content-LENGTH"));
  EXPECT_TRUE(EqualsIgnoringAsciiCase("", ""));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("Content-Length", "Content-Lengths"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("a-b", "a_b"));
  EXPECT_FALSE(EqualsIgnoringAsciiCase("\xc3\x89", "\xc3\xa9"));  // É and é: not ASCII letters
  EXPECT_FALSE(EqualsIgnoringAsciiCase("[", "{"));                  // '[' | 0x20 is '{'
}

TEST(TextTest, AsciiLowerLowersAsciiLettersOnly) {
  EXPECT_EQ(AsciiLower("Train-B_01"), "train-b_01");
  EXPECT_EQ(AsciiLower(""), "");
  EXPECT_EQ(AsciiLower("\xc3\x89[Z]"), "\xc3\x89[z]");  // É stays; '[' is not a letter
}

TEST(TextTest, WithArticleTakesTheArticleOfTheNoun) {
  EXPECT_EQ(WithArticle("alias ARN"), "an alias ARN");
  EXPECT_EQ(WithArticle("alias name"), "an alias name");
  EXPECT_EQ(WithArticle("key ID"), "a key ID");
  EXPECT_EQ(WithArticle("key ARN"), "a key ARN");
  EXPECT_EQ(WithArticle(""), "a ");
}

TEST(TextTest, EditDistanceCountsEdits) {
  EXPECT_EQ(EditDistance("trainingjob", "trainingjob"), 0u);
  EXPECT_EQ(EditDistance("Trainingjob", "TrainingJob"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace keyward
