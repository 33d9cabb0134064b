// The bounded YAML reader every policy and manifest goes through: it builds
// the same tree a YAML parser should, refuses what would loop or explode,
// and says where each problem is.
#include "policy/base/bounded_yaml.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/policy/test_support.h"

namespace keyward {
namespace {

constexpr YamlLimits kSmall{1000, 16};

struct Read {
  std::vector<std::string> documents;  // each document's root, rendered
  std::optional<YamlError> error;
};

// Renders a node compactly, enough to compare trees: plain scalars bare,
// other scalars quoted, null as ~.
std::string Render(const YamlNode& node) {
  switch (node.type()) {
    case YamlNode::Type::kNull:
      return "~";
    case YamlNode::Type::kScalar:
      return node.IsPlain() ? node.Scalar() : "'" + node.Scalar() + "'";
    case YamlNode::Type::kSequence: {
      std::string out = "[";
      for (size_t i = 0; i < node.size(); ++i) out += (i ? "," : "") + Render(node[i]);
      return out + "]";
    }
    case YamlNode::Type::kMapping: {
      std::string out = "{";
      for (size_t i = 0; i < node.size(); ++i) {
        out += (i ? "," : "") + Render(node.Key(i)) + ":" + Render(node.Value(i));
      }
      return out + "}";
    }
  }
  return "?";
}

Read ReadAll(std::string_view text, const YamlLimits& limits = kSmall) {
  Read out;
  out.error = ReadYaml(text, limits, [&](const YamlNode& root) {
    out.documents.push_back(Render(root));
    return true;
  });
  return out;
}

TEST(BoundedYamlTest, BuildsTheTreeOfEveryDocument) {
  const Read read = ReadAll("a: 1\nb: [x, 'y', \"z\"]\nc:\n  d: ~\n  e: null\n  f: ''\n---\n- 1\n- {g: h}\n");
  ASSERT_FALSE(read.error) << read.error->message;
  ASSERT_EQ(read.documents.size(), 2u);
  EXPECT_EQ(read.documents[0], "{a:1,b:[x,'y','z'],c:{d:~,e:~,f:''}}");
  EXPECT_EQ(read.documents[1], "[1,{g:h}]");
}

TEST(BoundedYamlTest, BlockScalarsAndExplicitStringTagsAreNotPlain) {
  const Read read = ReadAll("a: |\n  text\nb: !!str 12\nc: 12\nd: !!int 12\n");
  ASSERT_FALSE(read.error) << read.error->message;
  EXPECT_EQ(read.documents[0], "{a:'text\n',b:'12',c:12,d:12}");
}

TEST(BoundedYamlTest, AliasesShareTheirAnchorsNode) {
  const Read read = ReadAll("base: &b {x: 1}\ncopy: *b\n");
  ASSERT_FALSE(read.error) << read.error->message;
  EXPECT_EQ(read.documents[0], "{base:{x:1},copy:{x:1}}");
}

TEST(BoundedYamlTest, MarksAreZeroBasedLineAndColumn) {
  std::vector<YamlMark> marks;
  ASSERT_FALSE(ReadYaml("a:\n  b: [c,  d]\n", kSmall, [&](const YamlNode& root) {
    const YamlNode list = root.Value(0).Value(0);
    marks = {root.Value(0).Key(0).Mark(), list.Mark(), list[1].Mark()};
    return true;
  }));
  ASSERT_EQ(marks.size(), 3u);
  EXPECT_EQ(marks[0].line, 1);
  EXPECT_EQ(marks[0].column, 2);
  EXPECT_EQ(marks[1].column, 5);
  EXPECT_EQ(marks[2].column, 10);
}

TEST(BoundedYamlTest, AnAbsentNodeIsNullWithNoPosition) {
  const YamlNode absent;
  EXPECT_TRUE(absent.IsNull());
  EXPECT_TRUE(absent.Mark().is_null());
  EXPECT_EQ(absent.size(), 0u);
  EXPECT_EQ(absent.Scalar(), "");
  EXPECT_TRUE(absent[0].IsNull());
}

// A ',' may stand at the start of a line inside text: a block scalar, a
// quoted string, a comment. All are valid YAML and must be read as such.
TEST(BoundedYamlTest, CommasInsideTextAreRead) {
  const Read read = ReadAll(
      "csv: |\n  a,b\n  ,c\n  ,\nquoted: \", x\"\nsingle: ', y'\n# , a comment\nflow: [a, b]\n"
      "folded: >\n  ,z\nplain: a ,b\n");
  ASSERT_FALSE(read.error) << read.error->message;
  EXPECT_EQ(read.documents[0], "{csv:'a,b\n,c\n,\n',quoted:', x',single:', y',flow:[a,b],folded:',z\n',plain:a ,b}");
}

struct Refused {
  std::string name;
  std::string text;
  std::string message;  // a part of the error's message
  int line;             // 0-based
};

void PrintTo(const Refused& r, std::ostream* out) { *out << r.name; }

class BoundedYamlRefusesTest : public ::testing::TestWithParam<Refused> {};

TEST_P(BoundedYamlRefusesTest, WithAPositionAndAReason) {
  const auto start = std::chrono::steady_clock::now();
  const Read read = ReadAll(GetParam().text);
  ASSERT_TRUE(read.error) << "accepted: " << ::testing::PrintToString(read.documents);
  EXPECT_NE(read.error->message.find(GetParam().message), std::string::npos) << read.error->message;
  EXPECT_EQ(read.error->mark.line, GetParam().line) << read.error->message;
  // A safety bound, not a speed target: these are tiny inputs.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

std::string AliasBomb(int levels) {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < levels; ++level) {
    yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) yaml += (i ? ", *a" : "*a") + std::to_string(level - 1);
    yaml += "]\n";
  }
  return yaml;
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, BoundedYamlRefusesTest,
    ::testing::Values(
        // yaml-cpp 0.7 never returns on these (a lone comma: upstream #1040;
        // the second one was found by fuzz_manifest_reader).
        Refused{"LoneComma", ",", "not valid YAML", 0},
        Refused{"CommaAfterDash", "- ,\n", "not valid YAML", 0},
        Refused{"TagThenComma", "!,", "not valid YAML", 0},
        Refused{"TagAndCommaFragment", std::string("# Den\n  !,g\xa7orith$SAG", 21), "UTF-8", 1},
        Refused{"NotUtf8", "a: b\nc: \xff\n", "UTF-8", 1},
        Refused{"UnclosedFlow", "a: [b, c\n", "not valid YAML", 1},
        Refused{"AliasBomb", AliasBomb(4), "holds more than 1000 values", 2},
        Refused{"DeepFlowNesting", "a: " + std::string(100, '[') + std::string(100, ']'), "deeper than 16 levels",
                0},
        Refused{"DeepAlias", "a: &a [[[[[[[[[[x]]]]]]]]]]\nb: [[[[[[[[*a]]]]]]]]\n", "deeper than 16 levels", 1},
        Refused{"UnknownAlias", "a: *nowhere\n", "names no anchor", 0},
        Refused{"SelfReference", "a: &a [*a]\n", "names no anchor", 0},
        Refused{"TooManyKeys",
                [] {
                  std::string yaml;
                  for (int i = 0; i < 600; ++i) yaml += "k" + std::to_string(i) + ": v\n";
                  return yaml;
                }(),
                "holds more than 1000 values", 499}),
    [](const ::testing::TestParamInfo<Refused>& info) { return info.param.name; });

TEST(BoundedYamlTest, TheBudgetIsPerDocument) {
  std::string yaml;
  for (int document = 0; document < 5; ++document) {
    yaml += "---\n";
    for (int i = 0; i < 400; ++i) yaml += "k" + std::to_string(i) + ": v\n";
  }
  const Read read = ReadAll(yaml);
  EXPECT_FALSE(read.error) << read.error->message;
  EXPECT_EQ(read.documents.size(), 5u);
}

TEST(BoundedYamlTest, DocumentsBeforeAnErrorAreHandledAndTheHandlerCanStop) {
  Read read = ReadAll("a: 1\n---\nb: [\n");
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.documents, std::vector<std::string>{"{a:1}"});

  int seen = 0;
  EXPECT_FALSE(ReadYaml("a: 1\n---\nb: 2\n---\nc: [\n", kSmall, [&](const YamlNode&) { return ++seen < 2; }));
  EXPECT_EQ(seen, 2);
}

TEST(BoundedYamlTest, AFiveMebibyteMappingIsRefusedAtTheBudgetNotAfterParsing) {
  // 300,000 keys: yaml-cpp 0.7 built a tree of about 725 MB before anything
  // could count it. Here reading stops when the budget is spent.
  std::string yaml;
  yaml.reserve(5 << 20);
  for (int i = 0; yaml.size() < (5u << 20); ++i) yaml += "key" + std::to_string(i) + ": value\n";
  size_t documents = 0;
  const std::optional<YamlError> error = ReadYaml(yaml, kManifestYamlLimits, [&](const YamlNode&) {
    ++documents;
    return true;
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(documents, 0u);
  EXPECT_NE(error->message.find("holds more than 200000 values"), std::string::npos) << error->message;
  EXPECT_EQ(error->mark.line, 99'999) << "the budget is spent at the 100,000th key and its value";
}

}  // namespace
}  // namespace keyward
