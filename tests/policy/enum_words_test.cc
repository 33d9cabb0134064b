// Every enum's words table (policy/base/enum_words.h) names each value once, so
// what the loader reads and what outputs print cannot drift apart.
#include "policy/base/enum_words.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "policy/catalog/catalog.h"
#include "policy/rules/evaluate.h"
#include "policy/model/policy.h"

namespace keyward {
namespace {

template <typename E>
void ExpectEveryValueOnce(std::span<const EnumWord<E>> words, std::initializer_list<E> values) {
  EXPECT_EQ(words.size(), values.size());
  std::set<std::string_view> seen;
  for (E value : values) {
    const std::string_view word = WordOf(words, value);
    EXPECT_TRUE(seen.insert(word).second) << "two values share \"" << word << "\"";
    const E* back = ValueOf(words, word);
    ASSERT_NE(back, nullptr) << word;
    EXPECT_EQ(*back, value) << word;
  }
  EXPECT_EQ(ValueOf(words, "no such word"), nullptr);
}

TEST(EnumWordsTest, EveryTableNamesEachValueOnce) {
  ExpectEveryValueOnce<Enforcement>(kEnforcementWords, {Enforcement::kDeny, Enforcement::kWarn, Enforcement::kAudit});
  ExpectEveryValueOnce<MutationMode>(kMutationModeWords, {MutationMode::kInject, MutationMode::kDisabled});
  ExpectEveryValueOnce<KeyReferencePolicy>(kKeyReferencePolicyWords,
                                           {KeyReferencePolicy::kArnOnly, KeyReferencePolicy::kAny});
  ExpectEveryValueOnce<UnmatchedNamespaces>(
      kUnmatchedNamespacesWords, {UnmatchedNamespaces::kDeny, UnmatchedNamespaces::kWarn, UnmatchedNamespaces::kAllow});
  ExpectEveryValueOnce<KeyPurpose>(kKeyPurposeWords, {KeyPurpose::kVolume, KeyPurpose::kOutput});
  ExpectEveryValueOnce<LocalStorageRule>(kLocalStorageRuleWords,
                                         {LocalStorageRule::kNotApplicable, LocalStorageRule::kRejectKey});
  ExpectEveryValueOnce<Operation>(kOperationWords,
                                  {Operation::kCreate, Operation::kUpdate, Operation::kDelete, Operation::kConnect});
  ExpectEveryValueOnce<Verdict>(kVerdictWords, {Verdict::kAllowed, Verdict::kWarned, Verdict::kAudited, Verdict::kDenied});
}

TEST(EnumWordsTest, NamesComeFromTheTables) {
  EXPECT_EQ(EnforcementName(Enforcement::kAudit), "audit");
  EXPECT_EQ(KeyPurposeName(KeyPurpose::kOutput), "output");
  EXPECT_EQ(VerdictName(Verdict::kWarned), "warned");
}

}  // namespace
}  // namespace keyward
