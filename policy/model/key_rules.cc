#include "policy/model/key_rules.h"

namespace keyward {

KeyClassification ClassifyKey(std::string_view text, KeyReferencePolicy references) {
  KeyClassification out;
  KeyParseResult parsed = ParseKeyReference(text);
  if (!parsed.key) {
    out.problem = KeyProblem::kMalformed;
    out.parse_error = std::move(parsed.error);
    return out;
  }
  out.key = std::move(*parsed.key);
  if (out.key.IsAwsManaged()) {
    out.problem = KeyProblem::kAwsManaged;
  } else if (references == KeyReferencePolicy::kArnOnly && out.key.form != KeyReferenceForm::kKeyArn) {
    out.problem = KeyProblem::kNotAnArn;
  }
  return out;
}

bool InAnotherRegion(const KeyReference& key, std::string_view region) {
  return key.IsArn() && !region.empty() && key.region != region;
}

}  // namespace keyward
