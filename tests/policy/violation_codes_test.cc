// The one table of violation codes against everything that repeats it: the
// README's code table and evidence table, the evidence mapping, and the
// guardrail rows and rules that produce codes.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "policy/catalog/guardrails.h"
#include "policy/catalog/violation_codes.h"
#include "policy/report/evidence.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

struct ReadmeRow {
  std::string level;
  std::string meaning;
};

// The rows of the README table headed `| code | level | meaning |`.
std::map<std::string, ReadmeRow> ReadmeCodeTable() {
  std::map<std::string, ReadmeRow> rows;
  const std::regex row(R"(^\| `([A-Za-z0-9]+)` \| `([A-Za-z.]+)` \| (.*) \|$)");
  for (const std::string& line : testing::ReadmeTableRows("| code | level | meaning |\n|---|---|---|")) {
    std::smatch m;
    if (std::regex_match(line, m, row)) rows[m[1]] = {m[2], m[3]};
  }
  return rows;
}

TEST(ViolationCodesTest, EveryCodeIsOnceInTheTableAndFindable) {
  std::set<std::string_view> seen;
  for (const ViolationCode& row : ViolationCodes()) {
    EXPECT_TRUE(seen.insert(row.code).second) << row.code << " is in the table twice";
    EXPECT_EQ(FindViolationCode(row.code), &row);
    EXPECT_FALSE(row.description.empty()) << row.code;
  }
  EXPECT_EQ(FindViolationCode("NoSuchCode"), nullptr);
  EXPECT_EQ(FindViolationCode(""), nullptr);
}

TEST(ViolationCodesTest, TheReadmeCodeTableIsTheTable) {
  const std::map<std::string, ReadmeRow> readme = ReadmeCodeTable();
  ASSERT_FALSE(readme.empty()) << "README.md has no table headed | code | level | meaning |";
  for (const ViolationCode& row : ViolationCodes()) {
    auto it = readme.find(std::string(row.code));
    ASSERT_NE(it, readme.end()) << row.code << " is missing from the README's code table";
    EXPECT_EQ(it->second.level, row.level) << row.code;
    EXPECT_EQ(it->second.meaning, row.description) << row.code;
  }
  EXPECT_EQ(readme.size(), ViolationCodes().size()) << "the README lists a code the table does not have";
}

TEST(ViolationCodesTest, LevelsNameASettingOfThePolicy) {
  for (const ViolationCode& row : ViolationCodes()) {
    if (row.family == CodeFamily::kGuardrail) {
      ASSERT_TRUE(row.level.starts_with("guardrails.")) << row.code;
      EXPECT_NE(ValueOf<Guardrail>(kGuardrailWords, row.level.substr(11)), nullptr) << row.code;
    } else if (row.family == CodeFamily::kPipeline) {
      EXPECT_EQ(row.level, "pipelines.opaqueSteps") << row.code;
    } else if (row.code == kAmbiguousTenant || row.code == kForeignPipeline) {
      EXPECT_EQ(row.level, "deny") << row.code;  // a configuration error, a tenant boundary: never softened
    } else {
      EXPECT_EQ(row.level, "enforcement") << row.code;
    }
  }
}

TEST(ViolationCodesTest, EveryGuardrailRowNamesACodeOfItsRule) {
  size_t rows = 0;
  for (auto [group, kind] : KindsWithGuardrails()) {
    for (const GuardrailField& field : GuardrailsFor(group, kind)) {
      ++rows;
      const ViolationCode* code = FindViolationCode(field.code);
      ASSERT_NE(code, nullptr) << kind << " " << field.path << ": " << field.code;
      EXPECT_EQ(code->family, CodeFamily::kGuardrail) << field.code;
      EXPECT_EQ(code->level, "guardrails." + std::string(GuardrailName(field.rule))) << field.code;
    }
  }
  EXPECT_GT(rows, 50u);
}

TEST(ViolationCodesTest, EvidenceComesFromTheCodesArea) {
  for (const ViolationCode& row : ViolationCodes()) {
    std::span<const ControlRef> by_code = EvidenceFor(row.code);
    std::span<const ControlRef> by_area = EvidenceFor(row.evidence);
    ASSERT_FALSE(by_code.empty()) << row.code;
    EXPECT_EQ(by_code.data(), by_area.data()) << row.code;
  }
  EXPECT_TRUE(EvidenceFor("NoSuchCode").empty());
}

// The README's evidence table lists each code in the row of its area, and
// each row's codes share one area.
TEST(ViolationCodesTest, TheReadmeEvidenceTableGroupsCodesByArea) {
  const std::vector<std::string> rows = testing::ReadmeTableRows("| codes | controls |\n|---|---|");
  ASSERT_FALSE(rows.empty()) << "README.md has no table headed | codes | controls |";
  std::set<std::string> listed;
  const std::regex code(R"(`([A-Za-z0-9]+)`)");
  for (const std::string& line : rows) {
    std::string first_cell = line.substr(2, line.find(" | ", 2) - 2);
    std::optional<EvidenceArea> area;
    for (std::sregex_iterator it(first_cell.begin(), first_cell.end(), code), end; it != end; ++it) {
      const ViolationCode* row = FindViolationCode((*it)[1].str());
      ASSERT_NE(row, nullptr) << (*it)[1] << " in the README's evidence table is not a code";
      if (area) {
        EXPECT_EQ(*area, row->evidence) << row->code << " shares a row with codes of another area";
      }
      area = row->evidence;
      listed.insert(std::string(row->code));
    }
  }
  for (const ViolationCode& row : ViolationCodes()) {
    EXPECT_TRUE(listed.count(std::string(row.code))) << row.code << " is missing from the README's evidence table";
  }
}

}  // namespace
}  // namespace keyward
