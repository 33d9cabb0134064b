// Reads Kubernetes manifests the way kubectl does: multi-document YAML or
// JSON, `kind: List` expanded, from files, directories (*.yaml, *.yml,
// *.json, sorted, not recursive) or "-" for standard input.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/base/bounded_yaml.h"
#include "webhook/base/status.h"

namespace keyward {

struct Manifest {
  nlohmann::json object;
  std::string source;  // "file:line" of the document (or list item) start
};

struct ManifestReadResult {
  std::vector<Manifest> manifests;
  std::vector<Status> errors;  // each where = "file:line[:column]"
};

// Every manifest read is kept until all are read (so that an input error
// stops `keyward check` before any verdict), so memory is bounded by the
// values read in all, as well as per document (kManifestYamlLimits) and per
// file (kMaxManifestBytes): about 250 bytes each, 250 MiB at this bound.
inline constexpr size_t kMaxManifestValues = 1'000'000;

// "file:line:column" (1-based), or "file" when there is no position.
std::string YamlPosition(const std::string& source, const YamlMark& mark);

ManifestReadResult ReadManifests(const std::vector<std::string>& inputs, std::istream& standard_input);

// Parses one YAML or JSON text (JSON is YAML) holding any number of documents,
// each within kManifestYamlLimits (policy/base/bounded_yaml.h), counting the values
// read against *values_left (kMaxManifestValues when null).
ManifestReadResult ParseManifests(const std::string& text, const std::string& source_name,
                                  size_t* values_left = nullptr);

}  // namespace keyward
