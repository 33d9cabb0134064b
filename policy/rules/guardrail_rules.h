// The guardrails (policy/catalog/guardrails.h) applied to an object or a pipeline
// step: each violation at its rule's level for the tenant, and the safe
// values mutation sets. Internal to policy/rules: evaluate.h is the interface.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/catalog/guardrails.h"
#include "policy/catalog/refused_fields.h"
#include "policy/rules/value_rules.h"

namespace keyward {

// Every enabled rule's rows on `root` (an object, or {"Arguments": ...} for
// a step). Violation paths are `path_prefix` + the row's concrete path.
// Nothing without a tenant (NoTenant speaks for unclaimed namespaces). A
// place SageMaker refuses (`refused`, the object's kind's rows) is not
// demanded; set, it draws a warning.
SignedFindings CheckGuardrails(const Subject& s, const nlohmann::json& root, std::span<const GuardrailField> rows,
                               const std::vector<const RefusedField*>& refused, const std::string& path_prefix);

// One safe value set by mutation.
struct GuardrailInjection {
  FieldInstance at;
  const GuardrailField* row;
  bool carried = false;  // kept from the stored object (UPDATE), not newly set
};

// CREATE: the injectable rows' fields that are absent, where the rule is
// enabled with inject: true. UPDATE (old_object set): those the stored
// object held at the safe value, carried forward like a key, and those whose
// parent the update brings in new, as on CREATE. Never a
// place SageMaker refuses.
std::vector<GuardrailInjection> GuardrailInjections(const Subject& s, const nlohmann::json& object,
                                                    const nlohmann::json* old_object);

}  // namespace keyward
