// Hostile files given to the command line: `keyward check -f` (manifests
// from anyone's repository, in CI pipelines), `keyward policy lint` and
// `keyward test` (suites).
// Each must end with a verdict or a clear error, never a crash, a hang or
// memory without bound.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/keyward_process.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;

// Safety bounds (RunBounds: 20 s, 1 GiB), wide enough for sanitizer
// builds; not speed targets.
constexpr long kMemoryBoundKiB = RunBounds{}.memory_kib;

std::string AliasBomb() {
  // Nine levels of ten aliases each: 10^9 scalars once expanded, from
  // under 400 bytes of YAML.
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 8; ++level) {
    std::string previous = "*a" + std::to_string(level - 1);
    yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) yaml += (i ? ", " : "") + previous;
    yaml += "]\n";
  }
  return yaml;
}

// The text is made only in the test that writes the file: every test runs
// in a process of its own, which lists all the parameters first, and the
// largest texts (megabytes, line by line) took seconds to make under ASan.
using MakeText = std::function<std::string()>;

// A text small enough to hold in the parameter list.
MakeText Fixed(std::string text) {
  return [text = std::move(text)] { return text; };
}

struct HostileFile {
  std::string name;
  MakeText make_text;
  long memory_bound_kib = kMemoryBoundKiB;
};

// 5 MiB of one flat mapping (about 300,000 keys): yaml-cpp 0.7 built a node
// tree of 725 MB from it before any budget could count it.
std::string FiveMebibyteMapping() {
  std::string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n";
  for (int i = 0; yaml.size() < (5u << 20); ++i) yaml += "  key" + std::to_string(i) + ": value\n";
  return yaml;
}

std::string DeepBlockNesting() {
  std::string yaml;
  for (int depth = 0; depth < 3000; ++depth) yaml += std::string(depth, ' ') + "a:\n";
  return yaml;
}

void PrintTo(const HostileFile& file, std::ostream* out) { *out << file.name; }

std::vector<HostileFile> HostileFiles() {
  const std::string alias_bomb = AliasBomb();
  return {
      {"kind-not-a-string.yaml", Fixed("apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: [TrainingJob]\n"
                                       "metadata: {name: a, namespace: team-a}\n")},
      {"api-version-not-a-string.yaml", Fixed("apiVersion: {group: x}\nkind: TrainingJob\nmetadata: {name: a}\n")},
      {"list-with-bad-items.yaml", Fixed("apiVersion: v1\nkind: List\nitems: 3\n")},
      {"alias-bomb-manifest.yaml", Fixed(alias_bomb + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n"
                                                      "data: *a8\n")},
      {"alias-bomb-policy.yaml", Fixed("apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\n" + alias_bomb +
                                       "spec: {defaultRegion: us-east-1, tenants: *a8}\n")},
      {"deep-flow-nesting.yaml", [] { return "a: " + std::string(100'000, '[') + std::string(100'000, ']') + "\n"; }},
      {"deep-block-nesting.yaml", DeepBlockNesting},
      // yaml-cpp 0.7's LoadAll loops forever on a lone comma, allocating as
      // it goes (jbeder/yaml-cpp#1040, fixed upstream in 2024).
      {"lone-comma.yaml", Fixed(",")},
      {"binary.yaml", Fixed(std::string("\x00\xff\xfe\x01---\n\x80\x81", 11))},
      // yaml-cpp 0.7 looped on these 21 bytes, growing to 17 GB in 60 s
      // (found by fuzz_manifest_reader; also in fuzz-regressions/).
      {"yaml-cpp-loop.yaml", Fixed(std::string("# Den\n  !,g\xa7orith$SAG", 21)), 256 * 1024},
      {"yaml-cpp-loop-2-bytes.yaml", Fixed("!,"), 256 * 1024},
      // A policy may hold 1,000,000 values, so policy lint reads all 600,000
      // of these: about 90 MiB in a Release build, 330 under ASan.
      {"five-mebibyte-mapping.yaml", FiveMebibyteMapping, 600 * 1024},
      {"not-utf8.yaml", Fixed("apiVersion: v1\nkind: \xff\xfe\nmetadata: {name: \xc3}\n")},
  };
}

class CliInputTest : public ::testing::TestWithParam<HostileFile> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("keyward-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    file_ = dir_ / GetParam().name;
    std::ofstream(file_, std::ios::binary) << GetParam().make_text();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  fs::path file_;
};

TEST_P(CliInputTest, CheckEndsWithAVerdictOrAnError) {
  const fs::path policy = fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml";
  const RunResult outcome = RunKeyward({"check", "--policy", policy.string(), "-f", file_.string()}, dir_ / "out",
                                       {.memory_kib = GetParam().memory_bound_kib});
  ASSERT_TRUE(outcome.finished) << "keyward check " << outcome.why << "\n" << outcome.output.substr(0, 3000);
  EXPECT_LE(outcome.exit_status, 2) << outcome.output;
}

TEST_P(CliInputTest, PolicyLintEndsWithAnErrorNamingTheFile) {
  const RunResult outcome = RunKeyward({"policy", "lint", file_.string()}, dir_ / "out",
                                       {.memory_kib = GetParam().memory_bound_kib});
  ASSERT_TRUE(outcome.finished) << "keyward policy lint " << outcome.why << "\n" << outcome.output.substr(0, 3000);
  // 1: the policy has problems; 2: the file cannot be read as one.
  EXPECT_TRUE(outcome.exit_status == 1 || outcome.exit_status == 2) << outcome.exit_status << "\n" << outcome.output;
  EXPECT_NE(outcome.output.find(GetParam().name), std::string::npos) << "the error does not name the file:\n"
                                                                     << outcome.output;
}

// The same files as `keyward test` suites (a file named on the command
// line is read whatever its name): a malformed suite, exit 2, at the file.
TEST_P(CliInputTest, TestEndsWithAnErrorNamingTheFile) {
  const RunResult outcome =
      RunKeyward({"test", file_.string()}, dir_ / "out", {.memory_kib = GetParam().memory_bound_kib});
  ASSERT_TRUE(outcome.finished) << "keyward test " << outcome.why << "\n" << outcome.output.substr(0, 3000);
  EXPECT_EQ(outcome.exit_status, 2) << outcome.output;
  EXPECT_NE(outcome.output.find(GetParam().name), std::string::npos) << "the error does not name the file:\n"
                                                                     << outcome.output;
}

INSTANTIATE_TEST_SUITE_P(HostileFiles, CliInputTest, ::testing::ValuesIn(HostileFiles()),
                         [](const ::testing::TestParamInfo<HostileFile>& info) {
                           // e.g. kind-not-a-string.yaml -> kind_not_a_string
                           std::string name;
                           for (char c : info.param.name.substr(0, info.param.name.find('.'))) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

// A ',' that starts a line inside text (CSV in a block scalar), a quoted
// string or a comment is valid YAML: both readers take it as such.
class ValidYamlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("keyward-valid-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }

  fs::path dir_;
};

TEST_F(ValidYamlTest, CheckReadsCommasInsideText) {
  const fs::path manifest = Write("csv.yaml",
                                  "# , a comment with a comma\n"
                                  "apiVersion: sagemaker.services.k8s.aws/v1alpha1\n"
                                  "kind: TrainingJob\n"
                                  "metadata: {name: csv, namespace: team-a}\n"
                                  "spec:\n"
                                  "  hyperParameters:\n"
                                  "    header: |\n"
                                  "      a,b\n"
                                  "      ,c\n"
                                  "    quoted: \", d\"\n"
                                  "  environment:\n"
                                  "    CSV: >\n"
                                  "      ,e\n");
  const fs::path policy = fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml";
  const RunResult outcome =
      RunKeyward({"check", "--policy", policy.string(), "-o", "json", "-f", manifest.string()}, dir_ / "out");
  ASSERT_TRUE(outcome.finished) << outcome.why;
  EXPECT_EQ(outcome.exit_status, 0) << outcome.output;
  EXPECT_EQ(outcome.output.find("not valid YAML"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("\"name\": \"csv\""), std::string::npos) << outcome.output;
}

TEST_F(ValidYamlTest, PolicyLintReadsCommasInsideText) {
  std::ifstream example(fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml");
  std::ostringstream text;
  text << "# , a comment with a comma\n" << example.rdbuf();
  std::string yaml = text.str();
  // A quoted user name with a comma, and a comma-led line in a comment.
  const std::string trusted = "  trustedUsers:\n";
  yaml.replace(yaml.find(trusted), trusted.size(), trusted + "    # , reviewers\n    - \"CN=ci, O=team-a\"\n");
  const fs::path policy = Write("policy.yaml", yaml);
  const RunResult outcome = RunKeyward({"policy", "lint", policy.string()}, dir_ / "out");
  ASSERT_TRUE(outcome.finished) << outcome.why;
  EXPECT_EQ(outcome.exit_status, 0) << outcome.output;
}

}  // namespace
}  // namespace keyward::testing
