// Where SageMaker refuses a field (policy/catalog/refused_fields.h), applied
// to one object: which row, if any, covers a place. Internal to
// policy/rules: the key rules and the guardrails skip a refused place (no
// injection, no demand) and report a set one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/base/field_path.h"
#include "policy/catalog/refused_fields.h"

namespace keyward {

struct AppliedRefusal {
  const RefusedField* row;
  std::string because;  // what made it apply: the S3 URI, "variant 0 names model m", ...
};

// The first of `rows` whose path covers `field` (a pattern; a row's path
// covers itself and everything below it) and whose condition holds for the
// element of `object` that `indices` choose; nullopt when none does.
std::optional<AppliedRefusal> RefusalAt(const std::vector<const RefusedField*>& rows, const SplitPath& field,
                                        const std::vector<size_t>& indices, const nlohmann::json& object);

// "SageMaker refuses it where a production variant names a model (...)":
// the reason, for messages.
std::string RefusalReason(const AppliedRefusal& refusal);

}  // namespace keyward
