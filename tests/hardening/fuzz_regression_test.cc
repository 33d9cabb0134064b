// The fuzz targets' share of CI, counted in inputs rather than seconds so
// that every machine runs the same work: every input that once broke a fuzz
// target's properties (found by scripts/fuzz.sh, saved under
// fuzz-regressions/<target>/; the README there says what each one broke)
// and every seed of every target (fuzz/seed_corpora.h) go through the same
// property check the fuzzer runs, so each fixed bug stays fixed.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz/properties.h"
#include "fuzz/seed_corpora.h"

namespace keyward::fuzz {
namespace {

namespace fs = std::filesystem;
using Property = void (*)(const uint8_t*, size_t);

struct Target {
  const char* name;
  Property check;
};

constexpr Target kTargets[] = {
    {"fuzz_admission_review", CheckAdmissionReview}, {"fuzz_json_patch", CheckJsonPatch},
    {"fuzz_key_reference", CheckKeyReference},       {"fuzz_manifest_reader", CheckManifestReader},
    {"fuzz_pipeline_definition", CheckPipelineDefinition}, {"fuzz_policy_loader", CheckPolicyLoader},
};

std::vector<fs::path> Inputs(const char* target) {
  std::vector<fs::path> inputs;
  const fs::path dir = fs::path(KEYWARD_FUZZ_REGRESSIONS_DIR) / target;
  if (!fs::is_directory(dir)) return inputs;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

class FuzzRegressionTest : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzRegressionTest, EveryRecordedInputKeepsEveryProperty) {
  const Target& target = GetParam();
  for (const fs::path& input : Inputs(target.name)) {
    std::ifstream in(input, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string data = bytes.str();
    try {
      target.check(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << input << ": " << e.what();
    }
  }
}

TEST_P(FuzzRegressionTest, EverySeedKeepsEveryProperty) {
  static const SeedCorpora corpora = MakeSeedCorpora(KEYWARD_SOURCE_DIR);
  const Target& target = GetParam();
  const auto seeds = corpora.inputs.find(target.name);
  ASSERT_NE(seeds, corpora.inputs.end()) << "no seeds for " << target.name;
  ASSERT_FALSE(seeds->second.empty()) << "no seeds for " << target.name;
  for (const std::string& data : seeds->second) {
    try {
      target.check(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    } catch (const std::exception& e) {
      ADD_FAILURE() << "seed of " << data.size() << " bytes: " << e.what() << "\n" << data.substr(0, 300);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressionTest, ::testing::ValuesIn(kTargets),
                         [](const ::testing::TestParamInfo<Target>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace keyward::fuzz
