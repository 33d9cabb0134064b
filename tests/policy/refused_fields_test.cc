// Where SageMaker refuses a field (policy/catalog/refused_fields.h): each
// condition on a real sample, with every patch applied, and the README's
// table against the core's.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "policy/catalog/refused_fields.h"
#include "policy/rules/evaluate.h"
#include "tests/policy/samples.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using nlohmann::json;
using namespace keyward::testing;

constexpr char kExpressUri[] = "s3://ml-out--use1-az4--x-s3/run-1/";
constexpr char kGeneralUri[] = "s3://ml-out-general/run-1/";

// Isolation and VPC at deny, isolation injected: what the example policy does.
std::shared_ptr<const Policy> GuardedPolicy() {
  return MustLoadPolicy(TestPolicyYaml(R"(
guardrails:
  networkIsolation: {enforcement: deny, inject: true}
  vpc: deny
)"));
}

json Patched(const Policy& policy, const json& object, MutationResult* mutation = nullptr) {
  auto request = MakeRequest(object, "team-a");
  MutationResult result = CheckedMutate(policy, request->request);
  json patched = ApplyPatch(object, result.patch);
  if (mutation != nullptr) *mutation = std::move(result);
  return patched;
}

ValidationResult Judged(const Policy& policy, const json& object) {
  return CheckedValidate(policy, MakeRequest(object, "team-a")->request);
}

bool HasWarningAbout(const std::vector<std::string>& warnings, std::string_view text) {
  return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) {
    return w.find(text) != std::string::npos && w.find("SageMaker refuses") != std::string::npos;
  });
}

TEST(RefusedFieldsTest, ModelNamedVariantsGetNoIsolationNorVpc) {
  auto policy = GuardedPolicy();
  json config = LoadSample("endpoint_config_single_variant.yaml");
  ASSERT_TRUE(config["spec"]["productionVariants"][0].contains("modelName"));
  MutationResult mutation;
  json patched = Patched(*policy, config, &mutation);
  EXPECT_FALSE(patched["spec"].contains("enableNetworkIsolation")) << mutation.patch.dump();
  ValidationResult result = Judged(*policy, patched);
  EXPECT_TRUE(result.allowed) << result.message;
  EXPECT_TRUE(CodesAt(result.violations, "spec.enableNetworkIsolation").empty());
  EXPECT_TRUE(CodesAt(result.violations, "spec.vpcConfig").empty());

  // Set by hand, SageMaker refuses it: a warning says so.
  patched["spec"]["enableNetworkIsolation"] = true;
  ValidationResult set = Judged(*policy, patched);
  EXPECT_TRUE(HasWarningAbout(set.warnings, "spec.enableNetworkIsolation")) << ::testing::PrintToString(set.warnings);
}

TEST(RefusedFieldsTest, InferenceComponentConfigsKeepIsolationAndVpc) {
  auto policy = GuardedPolicy();
  json config = LoadSample("endpoint_config_inference_component.yaml");
  json patched = Patched(*policy, config);
  EXPECT_EQ(patched["spec"]["enableNetworkIsolation"], true);
  ValidationResult result = Judged(*policy, patched);
  EXPECT_EQ(CodesAt(result.violations, "spec.vpcConfig"), std::vector<std::string>{std::string(kVpcRequired)});
}

TEST(RefusedFieldsTest, ServerlessVariantsGetNoIsolationVpcNorDataCaptureKey) {
  auto policy = GuardedPolicy();
  json config = LoadSample("endpoint_config_inference_component.yaml");  // no modelName: only serverless applies
  json& variant = config["spec"]["productionVariants"][0];
  variant.erase("instanceType");
  variant.erase("initialInstanceCount");
  variant["serverlessConfig"] = {{"memorySizeInMB", 2048}, {"maxConcurrency", 5}};
  config["spec"]["dataCaptureConfig"] = {{"enableCapture", true},
                                         {"destinationS3URI", kGeneralUri},
                                         {"initialSamplingPercentage", 100}};
  MutationResult mutation;
  json patched = Patched(*policy, config, &mutation);
  EXPECT_FALSE(patched["spec"].contains("enableNetworkIsolation")) << mutation.patch.dump();
  EXPECT_FALSE(patched["spec"]["dataCaptureConfig"].contains("kmsKeyID")) << mutation.patch.dump();
  ValidationResult result = Judged(*policy, patched);
  EXPECT_TRUE(result.allowed) << result.message;
  EXPECT_TRUE(result.violations.empty()) << result.message;

  // Without serverlessConfig the same config is judged as usual.
  json provisioned = LoadSample("endpoint_config_inference_component.yaml");
  provisioned["spec"]["dataCaptureConfig"] = config["spec"]["dataCaptureConfig"];
  json keyed = Patched(*policy, provisioned);
  EXPECT_EQ(keyed["spec"]["dataCaptureConfig"]["kmsKeyID"], kTeamAOutput);
  EXPECT_EQ(keyed["spec"]["enableNetworkIsolation"], true);
}

// Every S3 Express row: no key injected, S3ExpressOutput with or without a
// key, at the tenant's enforcement; a general-purpose bucket is keyed.
class S3ExpressRowTest : public ::testing::TestWithParam<const RefusedField*> {};

json ObjectFor(const RefusedField& row) {
  for (const std::string& file : SampleFiles()) {
    json sample = LoadSample(file);
    const std::string api = sample.value("apiVersion", "");
    if (api.substr(0, api.find('/')) == row.group && sample.value("kind", "") == row.kind) return sample;
  }
  return {{"apiVersion", std::string(row.group) + (row.group == kAckGroup ? "/v1alpha1" : "/v1")},
          {"kind", std::string(row.kind)},
          {"metadata", {{"name", "express"}}},
          {"spec", json::object()}};
}

std::string Concrete(std::string_view path) {
  std::string out(path);
  for (size_t at; (at = out.find("[]")) != std::string::npos;) out.replace(at, 2, "[0]");
  return out;
}

TEST_P(S3ExpressRowTest, NoKeyIsPossibleAndTheViolationSaysWhy) {
  const RefusedField& row = *GetParam();
  auto policy = MustLoadPolicy(TestPolicyYaml());
  json object = ObjectFor(row);
  const std::string key_path = Concrete(row.path);
  for (std::string_view read : row.reads) object[PointerFromPath(Concrete(read))] = kExpressUri;
  object[PointerFromPath(key_path)] = "";

  json patched = Patched(*policy, object);
  const json* key = ValueAt(patched, key_path);
  EXPECT_TRUE(key == nullptr || *key == "") << key_path << " was injected: " << key->dump();
  ValidationResult result = Judged(*policy, patched);
  EXPECT_EQ(CodesAt(result.violations, key_path), std::vector<std::string>{std::string(kS3ExpressOutput)})
      << result.message;
  EXPECT_FALSE(result.allowed);
  const Violation* found = FindViolation(result.violations, kS3ExpressOutput, key_path);
  ASSERT_NE(found, nullptr);
  EXPECT_NE(found->message.find("general-purpose"), std::string::npos) << found->message;
  EXPECT_NE(found->message.find(kExpressUri), std::string::npos) << found->message;

  // A key set there is refused by SageMaker: the same code.
  patched[PointerFromPath(key_path)] = kTeamAOutput;
  ValidationResult keyed = Judged(*policy, patched);
  EXPECT_EQ(CodesAt(keyed.violations, key_path), std::vector<std::string>{std::string(kS3ExpressOutput)});

  // At team-c's level (warn), it warns.
  auto warned = CheckedValidate(*policy, MakeRequest(patched, "team-c")->request);
  const Violation* at_warn = FindViolation(warned.violations, kS3ExpressOutput, key_path);
  ASSERT_NE(at_warn, nullptr);
  EXPECT_EQ(at_warn->enforcement, Enforcement::kWarn);

  // A general-purpose bucket gets the tenant's output key.
  for (std::string_view read : row.reads) object[PointerFromPath(Concrete(read))] = kGeneralUri;
  json general = Patched(*policy, object);
  ASSERT_NE(ValueAt(general, key_path), nullptr) << general.dump();
  EXPECT_EQ(*ValueAt(general, key_path), kTeamAOutput);
  EXPECT_TRUE(CodesAt(Judged(*policy, general).violations, key_path).empty());
}

std::vector<const RefusedField*> ExpressRows() {
  std::vector<const RefusedField*> rows;
  for (const RefusedField& row : RefusedFields()) {
    if (row.when == Refusal::kS3ExpressOutput) rows.push_back(&row);
  }
  return rows;
}

std::string RowName(const ::testing::TestParamInfo<const RefusedField*>& info) {
  std::string name = std::string(info.param->group == kAckGroup ? "" : "Legacy") + std::string(info.param->kind) +
                     "_" + std::to_string(info.index);
  return name;
}

INSTANTIATE_TEST_SUITE_P(Table, S3ExpressRowTest, ::testing::ValuesIn(ExpressRows()), RowName);

TEST(RefusedFieldsTest, S3ExpressBucketsAreToldApart) {
  EXPECT_TRUE(IsS3ExpressUri("s3://ml-out--use1-az4--x-s3/run-1/"));
  EXPECT_TRUE(IsS3ExpressUri("s3://b--usw2-az1--x-s3"));
  EXPECT_TRUE(IsS3ExpressUri("https://b--use1-az4--x-s3.s3express-use1-az4.us-east-1.amazonaws.com/k"));
  EXPECT_FALSE(IsS3ExpressUri("s3://ml-out/run--x-s3/"));  // the suffix is in the key, not the bucket
  EXPECT_FALSE(IsS3ExpressUri("s3://--x-s3/"));
  EXPECT_FALSE(IsS3ExpressUri("s3://ml-out-x-s3/"));
  EXPECT_FALSE(IsS3ExpressUri("ml-out--use1-az4--x-s3"));
  EXPECT_FALSE(IsS3ExpressUri(""));
}

// The README's table, row by row, is the core's.
TEST(RefusedFieldsTest, TheReadmeTableIsTheTable) {
  const std::vector<std::string> rows = ReadmeTableRows("| kind | field | when | read from |\n|---|---|---|---|");
  ASSERT_FALSE(rows.empty()) << "README.md has no table headed | kind | field | when | read from |";
  const std::set<std::string> listed(rows.begin(), rows.end());
  size_t table_rows = 0;
  for (const RefusedField& row : RefusedFields()) {
    ++table_rows;
    const std::string group = row.group == kAckGroup ? "ACK " : row.group == kLegacyGroup ? "legacy " : "";
    const std::string kind = row.kind == "*" ? "every kind" : std::string(row.kind);
    std::string reads;
    for (std::string_view read : row.reads) reads += (reads.empty() ? "`" : ", `") + std::string(read) + "`";
    if (reads.empty()) reads = "the field's instance types";
    const std::string expected = "| " + group + kind + " | `" + std::string(row.path) + "` | " +
                                 std::string(WordOf<Refusal>(kRefusalWords, row.when)) + " | " + reads + " |";
    EXPECT_TRUE(listed.count(expected)) << "README.md lacks: " << expected;
    EXPECT_FALSE(row.source.empty()) << row.kind << " " << row.path;
  }
  EXPECT_EQ(listed.size(), table_rows);
}

}  // namespace
}  // namespace keyward
