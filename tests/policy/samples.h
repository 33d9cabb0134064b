// The upstream sample manifests of the AWS controller for SageMaker
// (tests/fixtures/samples), with their $VARIABLES filled in.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyward::testing {

// Which instance types the samples get: EBS-only, or with local NVMe storage.
enum class InstanceProfile { kEbs, kLocalNvme };

// The value of every $VARIABLE the samples use.
std::map<std::string, std::string> SampleVars(InstanceProfile profile);

// A sample as JSON; `overrides` replace values of SampleVars.
nlohmann::json LoadSample(const std::string& file_name, InstanceProfile profile = InstanceProfile::kEbs,
                          const std::map<std::string, std::string>& overrides = {});

// The sample file names, sorted.
std::vector<std::string> SampleFiles();

}  // namespace keyward::testing
