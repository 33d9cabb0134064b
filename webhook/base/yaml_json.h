// YAML nodes (policy/base/bounded_yaml.h) as JSON, for the readers of
// manifests and of kubeconfigs.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "policy/base/bounded_yaml.h"

namespace keyward {

// How plain (unquoted) scalars become JSON.
enum class YamlScalars {
  // As Kubernetes reads manifests (YAML 1.2 core schema): null, true/false,
  // ints and floats; everything else a string.
  kCoreSchema,
  // Every scalar a string, null aside: a kubeconfig's fields are strings to
  // kubectl, so `name: 1234` names "1234" (its booleans are read from text).
  kStrings,
};

// A list or mapping used as a mapping key, which JSON cannot hold.
struct UnsupportedYamlKey : std::invalid_argument {
  explicit UnsupportedYamlKey(const YamlMark& at)
      : std::invalid_argument("a mapping key must be a single value, not a list or mapping"), mark(at) {}
  YamlMark mark;
};

// The node as JSON (a null key becomes "null", as Kubernetes reads it).
// Throws UnsupportedYamlKey.
nlohmann::json YamlToJson(const YamlNode& node, YamlScalars scalars = YamlScalars::kCoreSchema);

// What the plain scalar `text` means under the core schema.
nlohmann::json CoreSchemaScalar(const std::string& text);

}  // namespace keyward
