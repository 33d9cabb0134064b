#include "policy/base/glob.h"

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace keyward {
namespace {

TEST(GlobTest, IsGlobSeesOnlyStarAndQuestionMark) {
  EXPECT_TRUE(IsGlob("team-*"));
  EXPECT_TRUE(IsGlob("team-?"));
  EXPECT_TRUE(IsGlob("*"));
  EXPECT_FALSE(IsGlob("team-a"));
  EXPECT_FALSE(IsGlob("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
  EXPECT_FALSE(IsGlob(""));
}

TEST(GlobTest, MatchesLiteralsExactly) {
  EXPECT_TRUE(GlobMatch("team-a", "team-a"));
  EXPECT_FALSE(GlobMatch("team-a", "team-ab"));
  EXPECT_FALSE(GlobMatch("team-a", "team-"));
  EXPECT_FALSE(GlobMatch("team-a", "Team-a"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
}

TEST(GlobTest, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(GlobMatch("team-*", "team-"));
  EXPECT_TRUE(GlobMatch("team-*", "team-a-dev"));
  EXPECT_FALSE(GlobMatch("team-*", "team"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("*-dev", "team-a-dev"));
  EXPECT_FALSE(GlobMatch("*-dev", "team-a-prod"));
  EXPECT_TRUE(GlobMatch("a*b*c", "abc"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXcYYb"));
  EXPECT_TRUE(GlobMatch("arn:aws:kms:us-east-1:111122223333:key/*",
                        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
  EXPECT_FALSE(GlobMatch("arn:aws:kms:us-east-1:111122223333:key/*",
                         "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
  EXPECT_TRUE(GlobMatch("ml.g4dn.*", "ml.g4dn.xlarge"));
  EXPECT_FALSE(GlobMatch("ml.g4dn.*", "ml.g4dnx.xlarge"));
}

TEST(GlobTest, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(GlobMatch("team-?", "team-a"));
  EXPECT_FALSE(GlobMatch("team-?", "team-"));
  EXPECT_FALSE(GlobMatch("team-?", "team-ab"));
  EXPECT_TRUE(GlobMatch("??", "ab"));
}

TEST(GlobTest, OtherRegexCharactersAreLiteral) {
  EXPECT_TRUE(GlobMatch("ml.p4d.*", "ml.p4d.24xlarge"));
  EXPECT_FALSE(GlobMatch("ml.p4d.*", "mlXp4dX24xlarge"));
  EXPECT_TRUE(GlobMatch("a+b", "a+b"));
  EXPECT_FALSE(GlobMatch("a+b", "aab"));
  EXPECT_TRUE(GlobMatch("[ab]", "[ab]"));
  EXPECT_FALSE(GlobMatch("[ab]", "a"));
}

TEST(GlobTest, ManyStarsDoNotBlowUp) {
  // A backtracking matcher needs exponential time here.
  std::string pattern = "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
  std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch(pattern, text));
  EXPECT_TRUE(GlobMatch(pattern, text + "b"));
}

TEST(GlobTest, OverlapExamples) {
  EXPECT_TRUE(GlobsOverlap("team-a-*", "team-*"));
  EXPECT_TRUE(GlobsOverlap("team-*", "team-a-*"));
  EXPECT_FALSE(GlobsOverlap("a-*", "b-*"));
  EXPECT_TRUE(GlobsOverlap("*-x", "y-*"));  // "y-x"
  EXPECT_TRUE(GlobsOverlap("team-a", "team-*"));
  EXPECT_TRUE(GlobsOverlap("team-a", "team-a"));
  EXPECT_FALSE(GlobsOverlap("team-a", "team-b"));
  EXPECT_FALSE(GlobsOverlap("team-a", "team-b-*"));
  EXPECT_TRUE(GlobsOverlap("*", "anything"));
  EXPECT_TRUE(GlobsOverlap("*", ""));
  EXPECT_FALSE(GlobsOverlap("?", ""));
  EXPECT_FALSE(GlobsOverlap("a*b", "*c"));  // one ends in b, the other in c
  EXPECT_TRUE(GlobsOverlap("a*", "*b"));    // "ab"
  EXPECT_FALSE(GlobsOverlap("x?", "x"));
  EXPECT_TRUE(GlobsOverlap("team-?", "*-b"));
  EXPECT_FALSE(GlobsOverlap("team-??", "team-?"));
  EXPECT_TRUE(GlobsOverlap("prod-*-eu", "prod-team-*"));
  EXPECT_FALSE(GlobsOverlap("prod-*-eu", "prod-*-us"));
}

// Reference: glob -> std::regex.
bool ReferenceMatch(const std::string& pattern, const std::string& text) {
  std::string re;
  for (char c : pattern) {
    if (c == '*') {
      re += ".*";
    } else if (c == '?') {
      re += ".";
    } else {
      re += c;  // the alphabet below has no regex metacharacters
    }
  }
  return std::regex_match(text, std::regex(re));
}

std::vector<std::string> AllStrings(const std::string& alphabet, size_t max_length) {
  std::vector<std::string> out = {""};
  for (size_t begin = 0, length = 1; length <= max_length; ++length) {
    size_t end = out.size();
    for (size_t i = begin; i < end; ++i) {
      for (char c : alphabet) out.push_back(out[i] + c);
    }
    begin = end;
  }
  return out;
}

// Every pair of small patterns over {a, b, *, ?} agrees with a brute-force
// search for a common match. A common match, when one exists, is no longer
// than the two patterns together and can use only the letters a and b.
TEST(GlobTest, MatchAndOverlapAgreeWithBruteForce) {
  std::vector<std::string> patterns = AllStrings("ab*?", 3);
  std::vector<std::string> texts = AllStrings("ab", 6);
  std::vector<std::vector<bool>> matches(patterns.size());
  for (size_t p = 0; p < patterns.size(); ++p) {
    for (const std::string& text : texts) {
      bool expected = ReferenceMatch(patterns[p], text);
      ASSERT_EQ(GlobMatch(patterns[p], text), expected) << "pattern '" << patterns[p] << "' text '" << text << "'";
      matches[p].push_back(expected);
    }
  }
  for (size_t a = 0; a < patterns.size(); ++a) {
    for (size_t b = 0; b < patterns.size(); ++b) {
      bool expected = false;
      for (size_t t = 0; t < texts.size() && !expected; ++t) expected = matches[a][t] && matches[b][t];
      ASSERT_EQ(GlobsOverlap(patterns[a], patterns[b]), expected)
          << "'" << patterns[a] << "' vs '" << patterns[b] << "'";
    }
  }
}

TEST(GlobTest, LiteralPrefixStopsAtFirstWildcard) {
  EXPECT_EQ(GlobLiteralPrefix("team-a-*"), "team-a-");
  EXPECT_EQ(GlobLiteralPrefix("team-?-*"), "team-");
  EXPECT_EQ(GlobLiteralPrefix("team-a"), "team-a");
  EXPECT_EQ(GlobLiteralPrefix("*-dev"), "");
  EXPECT_EQ(GlobLiteralPrefix("?"), "");
  EXPECT_EQ(GlobLiteralPrefix(""), "");
}

TEST(GlobTest, EveryMatchStartsWithTheLiteralPrefix) {
  for (const std::string& pattern : AllStrings("ab*?", 3)) {
    std::string_view prefix = GlobLiteralPrefix(pattern);
    for (const std::string& text : AllStrings("ab", 5)) {
      if (GlobMatch(pattern, text)) {
        EXPECT_EQ(text.substr(0, prefix.size()), prefix) << pattern << " / " << text;
      }
    }
  }
}

}  // namespace
}  // namespace keyward
