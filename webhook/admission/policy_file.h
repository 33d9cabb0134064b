// Loading a KeyPolicy from a file: the one place the shell turns a path into
// a Policy, for the CLI and the server's reloader alike.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace keyward {

struct PolicyFileResult {
  std::shared_ptr<const Policy> policy;  // null on failure
  std::vector<Diagnostic> diagnostics;   // parse/validation problems
  std::string error;  // every problem, one "file:line:col: path: message" per line
};

PolicyFileResult LoadPolicyFile(const std::string& path);

}  // namespace keyward
