// The rules every key value meets wherever it stands (a tenant's key in the
// policy, a key field of an object), in the documented order: a malformed
// reference, then an AWS-managed key, then a form other than a key ARN
// under `keyReferences: arn`. The loader and the evaluator both classify
// keys here and word the result for their reader; who may use a key
// (ownership) is the evaluator's alone.
#pragma once

#include <string>
#include <string_view>

#include "policy/base/key_reference.h"
#include "policy/model/policy.h"

namespace keyward {

enum class KeyProblem {
  kNone,
  kMalformed,   // not any of the five forms (parse_error says why)
  kAwsManaged,  // alias/aws/...: the tenant does not control it
  kNotAnArn,    // keyReferences: arn, and this is another form
};

struct KeyClassification {
  KeyProblem problem = KeyProblem::kNone;
  KeyReference key;         // valid unless kMalformed
  std::string parse_error;  // with kMalformed
};

KeyClassification ClassifyKey(std::string_view text, KeyReferencePolicy references);

// True when `key` names a region (an ARN) other than `region`; an empty
// region (unknown) matches every key.
bool InAnotherRegion(const KeyReference& key, std::string_view region);

}  // namespace keyward
