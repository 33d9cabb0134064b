#include "policy/rules/decision.h"

namespace keyward {

bool ParseOperation(std::string_view text, Operation* out) {
  const Operation* op = ValueOf<Operation>(kOperationWords, text);
  if (op != nullptr) *out = *op;
  return op != nullptr;
}

std::string_view OperationName(Operation op) { return WordOf<Operation>(kOperationWords, op); }

Verdict VerdictOf(const ValidationResult& result) {
  if (!result.allowed) return Verdict::kDenied;
  if (result.violations.empty()) return Verdict::kAllowed;
  return result.enforcement == Enforcement::kAudit ? Verdict::kAudited : Verdict::kWarned;
}

std::string_view VerdictName(Verdict verdict) { return WordOf<Verdict>(kVerdictWords, verdict); }

}  // namespace keyward
