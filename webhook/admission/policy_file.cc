#include "webhook/admission/policy_file.h"

#include "webhook/admission/text_file.h"

namespace keyward {

PolicyFileResult LoadPolicyFile(const std::string& path) {
  PolicyFileResult result;
  std::string text;
  if (!ReadTextFile(path, kMaxPolicyBytes, &text, &result.error)) {
    result.error += "\n";
    return result;
  }
  PolicyLoadResult loaded = LoadPolicy(text, path);
  result.policy = std::move(loaded.policy);
  result.diagnostics = std::move(loaded.diagnostics);
  for (const Diagnostic& d : result.diagnostics) result.error += d.ToString() + "\n";
  return result;
}

}  // namespace keyward
