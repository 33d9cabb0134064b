// JSON written as YAML, for `keyward check -o yaml` (mutated manifests for
// kubectl apply) and the audit's PolicyReports.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace keyward {

// Renders JSON as block-style YAML that reads back to the same JSON (strings
// that would read as another type are quoted).
std::string JsonToYaml(const nlohmann::json& value);

}  // namespace keyward
