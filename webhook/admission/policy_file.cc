#include "webhook/admission/policy_file.h"

#include "webhook/base/text_file.h"

namespace keyward {

Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path) {
  Result<std::string> text = ReadTextFile(path, kMaxPolicyBytes);
  if (!text.ok()) return text.status();
  PolicyLoadResult loaded = LoadPolicy(text.value(), path);
  if (loaded.policy != nullptr) return std::shared_ptr<const Policy>(std::move(loaded.policy));
  std::string problems;
  for (const Diagnostic& d : loaded.diagnostics) {
    // Appended, not "\n" + ...: GCC 12 at -O3 raises a false -Wrestrict on that.
    if (!problems.empty()) problems += '\n';
    problems += d.ToString();
  }
  return Status::Error(problems.empty() ? path + ": the policy did not load" : problems);
}

}  // namespace keyward
