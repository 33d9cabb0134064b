// The keys and roles inside a document an object embeds (CatalogKind::
// embedded): a Pipeline's definition, a PipelineExecution's parameters.
// Internal to policy/rules: evaluate.h is the interface.
//
// Violation paths name the place inside the document after a colon, steps by
// their Name: spec.pipelineDefinition:Steps[Train].Arguments.OutputDataConfig.KmsKeyId,
// and for a step inside a Condition step
// spec.pipelineDefinition:Steps[Check].Arguments.IfSteps[Evaluate].Arguments.ProcessingOutputConfig.KmsKeyId.
// A step without a string Name is named by its index (Steps[3]).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/rules/value_rules.h"

namespace keyward {

// The separator between the object's field and the path inside its document.
inline constexpr std::string_view kEmbeddedPathSeparator = ":";
// A definition nested deeper than this is PipelineDefinition, not parsed.
inline constexpr size_t kMaxDefinitionDepth = 128;

// Every rule of the embedded document of `object` (nothing when the kind
// embeds none), as on CREATE.
SignedFindings CheckEmbedded(const Subject& s, const nlohmann::json& object, const std::string& region);

// The key fields of the table rows in an embedded pipeline definition
// (0 for other kinds, or a definition that does not parse).
size_t CountEmbeddedKeyFields(const CatalogKind& kind, const nlohmann::json& object);

// The pipeline definition with every empty key field (absent or "", whose
// parent object exists) set to the tenant's key for its purpose in
// `region`, the pipeline's (TenantKeyIn: its jobs run there), as one
// `replace` of the definition string; a field is left empty where the
// tenant has no such key (none listed for the region, or only one of an
// account the resource may not use), for validation to report as
// MissingKey. nullopt when nothing changes. Member order and everything
// else stay as they were (equal as JSON); the text is re-serialised (see
// the README for the differences). Appends what it set.
std::optional<nlohmann::json> FillEmbeddedKeys(const Subject& s, const nlohmann::json& object,
                                               const std::string& region, std::vector<Injection>* injected);

}  // namespace keyward
