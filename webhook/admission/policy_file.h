// Loading a KeyPolicy from a file: the one place the shell turns a path into
// a Policy, for the CLI and the server's reloader alike.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/model/policy.h"
#include "webhook/base/status.h"

namespace keyward {

// The policy, or what is wrong: every problem found, one
// "file:line:col: path: message" per line.
Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path);

}  // namespace keyward
