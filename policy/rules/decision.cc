#include "policy/rules/decision.h"

namespace keyward {
namespace {

std::string StringOf(const nlohmann::json& object, const char* member) {
  if (!object.is_object()) return "";
  auto it = object.find(member);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

bool ParseOperation(std::string_view text, Operation* out) {
  const Operation* op = ValueOf<Operation>(kOperationWords, text);
  if (op != nullptr) *out = *op;
  return op != nullptr;
}

std::string_view OperationName(Operation op) { return WordOf<Operation>(kOperationWords, op); }

AdmissionRequest CreateRequestFor(const nlohmann::json& object) {
  AdmissionRequest request;
  const std::string api_version = StringOf(object, "apiVersion");
  const size_t slash = api_version.find('/');
  request.group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  request.version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  request.kind = StringOf(object, "kind");
  if (auto metadata = object.find("metadata"); metadata != object.end()) {
    request.namespace_name = StringOf(*metadata, "namespace");
    request.name = StringOf(*metadata, "name");
  }
  request.operation = Operation::kCreate;
  request.object = &object;
  return request;
}

Verdict VerdictOf(const ValidationResult& result) {
  if (!result.allowed) return Verdict::kDenied;
  if (result.violations.empty()) return Verdict::kAllowed;
  return result.enforcement == Enforcement::kAudit ? Verdict::kAudited : Verdict::kWarned;
}

std::string_view VerdictName(Verdict verdict) { return WordOf<Verdict>(kVerdictWords, verdict); }

}  // namespace keyward
