// The report CRDs' schemas (tests/fixtures/policy-reports/) and a small
// validator for the parts of OpenAPI v3 they use, shared by the audit's
// PolicyReport tests.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace keyward::testing {

// Adds a GoogleTest failure for each way `value` breaks `schema`: type,
// required, enum, properties, items, additionalProperties.
void ValidateAgainstSchema(const YAML::Node& value, const YAML::Node& schema, const std::string& path);

// The openAPIV3Schema of `version` in the CRD file (relative to
// tests/fixtures/policy-reports/), or a null node.
YAML::Node ReportCrdSchema(const std::string& crd_file, const std::string& version);

}  // namespace keyward::testing
