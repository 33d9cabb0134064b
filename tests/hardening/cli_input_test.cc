// Hostile files given to the command line: `keyward check -f` (manifests
// from anyone's repository, in CI pipelines) and `keyward policy lint`.
// Each must end with a verdict or a clear error, never a crash, a hang or
// memory without bound.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace keyward::hardening {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kTimeBound = std::chrono::seconds(20);  // sanitizer builds included
constexpr long kMemoryBoundKiB = 1024 * 1024;          // 1 GiB

struct Outcome {
  bool finished = false;  // exited by itself, in time and within memory
  int exit_code = -1;
  std::string output;
  std::string why;  // when not finished
};

long RssKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

Outcome RunKeyward(std::vector<std::string> args, const fs::path& output) {
  args.insert(args.begin(), KEYWARD_BINARY);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  Outcome outcome;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    outcome.why = "cannot start keyward";
    return outcome;
  }
  const auto deadline = Clock::now() + kTimeBound;
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    const long rss = RssKiB(pid);
    if (Clock::now() > deadline || rss > kMemoryBoundKiB) {
      outcome.why = rss > kMemoryBoundKiB ? "used more than 1 GiB" : "ran longer than 20 s";
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return outcome;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream in(output);
  std::ostringstream text;
  text << in.rdbuf();
  outcome.output = text.str();
  if (WIFSIGNALED(status)) {
    outcome.why = "killed by signal " + std::to_string(WTERMSIG(status));
    return outcome;
  }
  outcome.finished = true;
  outcome.exit_code = WEXITSTATUS(status);
  return outcome;
}

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

struct HostileFile {
  std::string name;
  std::string text;
};

void PrintTo(const HostileFile& file, std::ostream* out) { *out << file.name; }

std::vector<HostileFile> HostileFiles() {
  const std::string alias_bomb = AliasBomb();
  return {
      {"kind-not-a-string.yaml", "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: [TrainingJob]\n"
                                 "metadata: {name: a, namespace: team-a}\n"},
      {"api-version-not-a-string.yaml", "apiVersion: {group: x}\nkind: TrainingJob\nmetadata: {name: a}\n"},
      {"list-with-bad-items.yaml", "apiVersion: v1\nkind: List\nitems: 3\n"},
      {"alias-bomb-manifest.yaml", alias_bomb + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n"
                                                "data: *a8\n"},
      {"alias-bomb-policy.yaml", "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\n" + alias_bomb +
                                     "spec: {defaultRegion: us-east-1, tenants: *a8}\n"},
      {"deep-flow-nesting.yaml", "a: " + std::string(100'000, '[') + std::string(100'000, ']') + "\n"},
      {"deep-block-nesting.yaml", [] {
         std::string yaml;
         for (int depth = 0; depth < 3000; ++depth) yaml += std::string(depth, ' ') + "a:\n";
         return yaml;
       }()},
      // yaml-cpp 0.7's LoadAll loops forever on a lone comma, allocating as
      // it goes (jbeder/yaml-cpp#1040, fixed upstream in 2024).
      {"lone-comma.yaml", ","},
      {"binary.yaml", std::string("\x00\xff\xfe\x01---\n\x80\x81", 11)},
      {"not-utf8.yaml", "apiVersion: v1\nkind: \xff\xfe\nmetadata: {name: \xc3}\n"},
  };
}

class CliInputTest : public ::testing::TestWithParam<HostileFile> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("keyward-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    file_ = dir_ / GetParam().name;
    std::ofstream(file_, std::ios::binary) << GetParam().text;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  fs::path file_;
};

TEST_P(CliInputTest, CheckEndsWithAVerdictOrAnError) {
  const fs::path policy = fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml";
  const Outcome outcome = RunKeyward({"check", "--policy", policy.string(), "-f", file_.string()}, dir_ / "out");
  ASSERT_TRUE(outcome.finished) << "keyward check " << outcome.why << "\n" << outcome.output.substr(0, 3000);
  EXPECT_LE(outcome.exit_code, 2) << outcome.output;
}

TEST_P(CliInputTest, PolicyLintEndsWithAnErrorNamingTheFile) {
  const Outcome outcome = RunKeyward({"policy", "lint", file_.string()}, dir_ / "out");
  ASSERT_TRUE(outcome.finished) << "keyward policy lint " << outcome.why << "\n" << outcome.output.substr(0, 3000);
  // 1: the policy has problems; 2: the file cannot be read as one.
  EXPECT_TRUE(outcome.exit_code == 1 || outcome.exit_code == 2) << outcome.exit_code << "\n" << outcome.output;
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

}  // namespace
}  // namespace keyward::hardening
