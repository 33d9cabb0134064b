// Guardrails: every row of the table (policy/catalog/guardrails.cc) on a real sample
// manifest of its kind (a minimal object for the legacy kinds, which have no
// samples), made unsafe and made safe; injection with every patch applied;
// shared parents; UPDATE; per-tenant overrides; pipeline steps.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/rules/evaluate.h"
#include "policy/catalog/guardrails.h"
#include "policy/rules/refusals.h"
#include "tests/policy/samples.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using namespace keyward::testing;
using nlohmann::json;
using CodeList = std::vector<std::string>;

constexpr char kOwnSubnet[] = "subnet-0a1b2c3d";
constexpr char kOwnGroup[] = "sg-0c2d3e4f";
constexpr char kOtherSubnet[] = "subnet-0b000001";
constexpr char kApprovedImage[] = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";

std::string GuardrailPolicyYaml(std::string_view levels = "deny", std::string_view team_c_extra = "") {
  const std::string level(levels);
  return std::string(R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  guardrails:
    networkIsolation: {enforcement: )") + level + R"(, inject: true}
    interContainerEncryption: {enforcement: )" + level + R"(, inject: true}
    vpc: )" + level + R"(
    notebookExposure: {enforcement: )" + level + R"(, inject: true}
    domainNetwork: )" + level + R"(
    publicWorkforce: )" + level + R"(
    interactiveAccess: )" + level + R"(
    images: )" + level + R"(
  imageRegistries: ["*.dkr.ecr.*.amazonaws.com/*"]
  tenants:
    - name: team-a
      namespaces: [team-a]
      keys: {default: )" + kTeamADefault + R"(}
      subnets: ["subnet-0a1b*"]
      securityGroups: ["sg-0c2d*"]
    - name: team-b
      namespaces: [team-b]
      keys: {default: )" + kTeamBUsEast + R"(}
      subnets: ["subnet-0b*"]
      securityGroups: ["sg-0b*"]
    - name: team-c
      namespaces: [team-c]
      keys: {default: )" + kTeamCDefault + R"(}
)" + std::string(team_c_extra);
}

// A sample of the kind in which SageMaker accepts the row's field
// (policy/catalog/refused_fields.h: an EndpointConfig's network isolation
// only for inference components), or a minimal object for kinds without one.
json ObjectOf(std::string_view group, std::string_view kind, const GuardrailField& row) {
  const CatalogKind* entry = FindCatalogKind(group, kind);
  const std::vector<size_t> first_elements(
      std::count_if(row.split_path.begin(), row.split_path.end(), [](const PathSegment& s) { return s.array; }), 0);
  for (const std::string& file : SampleFiles()) {
    json sample = LoadSample(file);
    const std::string api = sample.value("apiVersion", "");
    if (api.substr(0, api.find('/')) != group || sample.value("kind", "") != kind) continue;
    if (entry != nullptr && RefusalAt(entry->refused, row.split_path, first_elements, sample)) continue;
    return sample;
  }
  return {{"apiVersion", std::string(group) + "/v1"},
          {"kind", std::string(kind)},
          {"metadata", {{"name", "legacy"}}},
          {"spec", {{"region", "us-east-1"}}}};
}

// The first concrete place of a row path ([] -> [0]).
std::string Concrete(std::string_view path) {
  std::string out(path);
  for (size_t at; (at = out.find("[]")) != std::string::npos;) out.replace(at, 2, "[0]");
  return out;
}

json UnsafeValue(const GuardrailField& row) {
  switch (row.check) {
    case GuardCheck::kMustEqual:
      return row.expected.is_boolean() ? json(false) : json("Enabled");
    case GuardCheck::kMustNotEqual:
      return row.expected;
    case GuardCheck::kSubnets:
      return json::array({kOtherSubnet});
    case GuardCheck::kSecurityGroups:
      return json::array({"sg-0b000001"});
    case GuardCheck::kApprovedImage:
      return "registry.example.com/miner:latest";
    case GuardCheck::kMustNotMatch:
      return "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default";
    case GuardCheck::kMustExist:
      return nullptr;
  }
  return nullptr;
}

json SafeValue(const GuardrailField& row) {
  switch (row.check) {
    case GuardCheck::kMustEqual:
      return row.expected;
    case GuardCheck::kMustNotEqual:
      return row.expected.is_boolean() ? json(false) : json("DISABLED");
    case GuardCheck::kSubnets:
      return json::array({kOwnSubnet});
    case GuardCheck::kSecurityGroups:
      return json::array({kOwnGroup});
    case GuardCheck::kApprovedImage:
      return kApprovedImage;
    case GuardCheck::kMustNotMatch:
      return "arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/team-a";
    case GuardCheck::kMustExist:
      return json{{"subnets", {kOwnSubnet}}, {"securityGroupIDs", {kOwnGroup}}};
  }
  return nullptr;
}

struct RowCase {
  std::string group, kind;
  size_t row;
};

void PrintTo(const RowCase& c, std::ostream* out) {
  *out << c.kind << " " << GuardrailsFor(c.group, c.kind)[c.row].path;
}

std::vector<RowCase> AllRows() {
  std::vector<RowCase> cases;
  for (const auto& [group, kind] : KindsWithGuardrails()) {
    for (size_t i = 0; i < GuardrailsFor(group, kind).size(); ++i) cases.push_back({std::string(group), std::string(kind), i});
  }
  return cases;
}

class GuardrailRowTest : public ::testing::TestWithParam<RowCase> {
 protected:
  const GuardrailField& Row() const { return GuardrailsFor(GetParam().group, GetParam().kind)[GetParam().row]; }
  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(GuardrailPolicyYaml());
};

TEST_P(GuardrailRowTest, UnsafeIsItsCodeAndSafeIsNot) {
  const GuardrailField& row = Row();
  json object = ObjectOf(GetParam().group, GetParam().kind, row);
  const std::string path = Concrete(row.path);
  json unsafe = object;
  if (row.check == GuardCheck::kMustExist) {
    // The object is absent: make sure its anchor (or parent) exists.
    std::string parent = path.substr(0, path.rfind('.'));
    const json* at = ValueAt(unsafe, parent);
    if (at == nullptr || !at->is_object()) {
      std::string anchor = row.anchor.empty() ? parent : std::string(row.anchor);
      if (ValueAt(unsafe, anchor) == nullptr) unsafe[PointerFromPath(anchor)] = json::object();
    }
    if (ValueAt(unsafe, path) != nullptr) unsafe[PointerFromPath(path.substr(0, path.rfind('.')))].erase(path.substr(path.rfind('.') + 1));
  } else {
    unsafe[PointerFromPath(path)] = UnsafeValue(row);
  }
  const std::string violation_path =
      row.check == GuardCheck::kSubnets || row.check == GuardCheck::kSecurityGroups
          ? (ValueAt(unsafe, path)->is_array() ? path + "[0]" : path)
          : path;
  if (row.check == GuardCheck::kSubnets && ValueAt(unsafe, path)->is_array() == false) {
    unsafe[PointerFromPath(path)] = kOtherSubnet;  // a single subnet (NotebookInstance)
  }
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(unsafe, "team-a")->request);
  const Violation* found = FindViolation(result.violations, row.code, violation_path);
  ASSERT_NE(found, nullptr) << "no " << row.code << " at " << violation_path << ":\n" << result.message;
  EXPECT_EQ(found->enforcement, Enforcement::kDeny);
  EXPECT_FALSE(result.allowed);
  EXPECT_NE(result.message.find(violation_path), std::string::npos);

  json safe = unsafe;
  json safe_value = SafeValue(row);
  if (row.check == GuardCheck::kSubnets && !ValueAt(unsafe, path)->is_array()) safe_value = kOwnSubnet;
  if (row.check == GuardCheck::kMustExist && ValueAt(object, path) != nullptr && ValueAt(object, path)->is_array()) {
    safe_value = json::array({kOwnSubnet});
  }
  if (row.check == GuardCheck::kMustExist && path.ends_with("subnetID")) safe_value = kOwnSubnet;
  safe[PointerFromPath(path)] = safe_value;
  ValidationResult fine = CheckedValidate(*policy_, MakeRequest(safe, "team-a")->request);
  EXPECT_TRUE(CodesAt(fine.violations, violation_path).empty()) << fine.message;

  // Disabled, the rule says nothing.
  auto off = MustLoadPolicy(GuardrailPolicyYaml("disabled"));
  EXPECT_TRUE(CodesAt(CheckedValidate(*off, MakeRequest(unsafe, "team-a")->request).violations, violation_path).empty());
}

TEST_P(GuardrailRowTest, InjectableRowsGetTheSafeValueAndThePatchApplies) {
  const GuardrailField& row = Row();
  if (!row.injectable) GTEST_SKIP() << "not injectable";
  json object = ObjectOf(GetParam().group, GetParam().kind, row);
  const std::string path = Concrete(row.path);
  if (!row.inject_requires.empty()) object[PointerFromPath(std::string(row.inject_requires))] = kOwnSubnet;
  if (ValueAt(object, path) != nullptr) object[PointerFromPath(path.substr(0, path.rfind('.')))].erase(path.substr(path.rfind('.') + 1));
  std::string parent = path.substr(0, path.rfind('.'));
  const std::string anchor = row.anchor.empty() ? parent : std::string(row.anchor);
  if (ValueAt(object, anchor) == nullptr) object[PointerFromPath(anchor)] = json::object();
  auto request = MakeRequest(object, "team-a");
  MutationResult mutation = CheckedMutate(*policy_, request->request);
  json patched = ApplyPatch(object, mutation.patch);
  const json* set = ValueAt(patched, path);
  ASSERT_NE(set, nullptr) << mutation.patch.dump(2);
  EXPECT_EQ(*set, row.expected);
  EXPECT_TRUE(CodesAt(CheckedValidate(*policy_, MakeRequest(patched, "team-a")->request).violations, path).empty());
  EXPECT_EQ(CheckedMutate(*policy_, MakeRequest(patched, "team-a")->request).patch, json::array());
}

INSTANTIATE_TEST_SUITE_P(Table, GuardrailRowTest, ::testing::ValuesIn(AllRows()),
                         [](const ::testing::TestParamInfo<RowCase>& info) {
                           std::string name = (info.param.group == kLegacyGroup ? "Legacy" : "") + info.param.kind +
                                              "_" + std::to_string(info.param.row);
                           return name;
                         });

class GuardrailTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(GuardrailPolicyYaml());
};

TEST_F(GuardrailTest, TwoRulesAddingTheSameMissingParentAddItOnce) {
  json job = LoadSample("kmeans_processingjob.yaml");
  ASSERT_FALSE(job["spec"].contains("networkConfig"));
  MutationResult mutation = CheckedMutate(*policy_, MakeRequest(job, "team-a")->request);
  int network_ops = 0;
  for (const json& op : mutation.patch) {
    if (op["path"] == "/spec/networkConfig") {
      ++network_ops;
      EXPECT_EQ(op["value"], (json{{"enableNetworkIsolation", true}, {"enableInterContainerTrafficEncryption", true}}));
    }
  }
  EXPECT_EQ(network_ops, 1) << mutation.patch.dump(2);
  json patched = ApplyPatch(job, mutation.patch);
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(patched, "team-a")->request);
  EXPECT_TRUE(CodesAt(result.violations, "spec.networkConfig.enableNetworkIsolation").empty());
  // The VPC is not injected: it stays a violation.
  EXPECT_EQ(CodesAt(result.violations, "spec.networkConfig.vpcConfig"), CodeList{std::string(kVpcRequired)});
}

TEST_F(GuardrailTest, NotebookInternetAccessIsInjectedOnlyWithASubnet) {
  json notebook = LoadSample("notebook_instance.yaml");
  EXPECT_EQ(notebook["spec"]["rootAccess"], "Enabled");  // explicit: never overwritten
  EXPECT_EQ(CheckedMutate(*policy_, MakeRequest(notebook, "team-a")->request).guardrails_set, std::vector<std::string>{});
  notebook["spec"].erase("rootAccess");
  notebook["spec"].erase("directInternetAccess");
  json patched = ApplyPatch(notebook, CheckedMutate(*policy_, MakeRequest(notebook, "team-a")->request).patch);
  EXPECT_EQ(patched["spec"]["rootAccess"], "Disabled");
  EXPECT_FALSE(patched["spec"].contains("directInternetAccess"));
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(patched, "team-a")->request);
  EXPECT_EQ(CodesAt(result.violations, "spec.directInternetAccess"), CodeList{std::string(kNotebookExposureCode)});

  notebook["spec"]["subnetID"] = kOwnSubnet;
  json with_subnet = ApplyPatch(notebook, CheckedMutate(*policy_, MakeRequest(notebook, "team-a")->request).patch);
  EXPECT_EQ(with_subnet["spec"]["directInternetAccess"], "Disabled");
}

TEST_F(GuardrailTest, ExplicitUnsafeValuesAreNotOverwritten) {
  json job = LoadSample("xgboost_trainingjob.yaml");
  job["spec"]["enableNetworkIsolation"] = false;
  MutationResult mutation = CheckedMutate(*policy_, MakeRequest(job, "team-a")->request);
  for (const json& op : mutation.patch) EXPECT_NE(op["path"], "/spec/enableNetworkIsolation");
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(ApplyPatch(job, mutation.patch), "team-a")->request);
  EXPECT_EQ(CodesAt(result.violations, "spec.enableNetworkIsolation"), CodeList{std::string(kNetworkIsolationCode)});
}

TEST_F(GuardrailTest, InjectionObeysMutationDisabled) {
  std::string yaml = GuardrailPolicyYaml();
  yaml.insert(yaml.find("  guardrails:"), "  mutation: disabled\n");
  auto policy = MustLoadPolicy(yaml);
  EXPECT_EQ(CheckedMutate(*policy, MakeRequest(LoadSample("xgboost_trainingjob.yaml"), "team-a")->request).patch,
            json::array());
}

TEST_F(GuardrailTest, OnUpdateInjectedValuesAreCarriedForwardAndOnlyChangesJudged) {
  json original = LoadSample("kmeans_processingjob.yaml");
  json stored = ApplyPatch(original, CheckedMutate(*policy_, MakeRequest(original, "team-a")->request).patch);
  json reapplied = original;
  reapplied["metadata"]["labels"] = {{"r", "2"}};
  auto update = MakeRequest(reapplied, "team-a", Operation::kUpdate, &stored);
  MutationResult carried = CheckedMutate(*policy_, update->request);
  json result = ApplyPatch(reapplied, carried.patch);
  EXPECT_EQ(result["spec"]["networkConfig"]["enableNetworkIsolation"], true) << carried.patch.dump(2);
  EXPECT_EQ(result["spec"]["networkConfig"]["enableInterContainerTrafficEncryption"], true);
  // The VPC was missing before and still is: unchanged, not judged; a warning says the object is out of policy.
  ValidationResult verdict = CheckedValidate(*policy_, MakeRequest(result, "team-a", Operation::kUpdate, &stored)->request);
  EXPECT_TRUE(verdict.allowed) << verdict.message;
  EXPECT_TRUE(verdict.violations.empty()) << verdict.message;
  // The controller's late-initialised write-back of false is never blocked.
  json written_back = stored;
  written_back["spec"]["networkConfig"]["enableNetworkIsolation"] = false;
  auto controller = MakeRequest(written_back, "team-a", Operation::kUpdate, &stored, kControllerUser);
  std::string yaml = GuardrailPolicyYaml();
  yaml.insert(yaml.find("  tenants:"), "  trustedUsers: [\"" + std::string(kControllerUser) + "\"]\n");
  auto trusting = MustLoadPolicy(yaml);
  EXPECT_TRUE(CheckedValidate(*trusting, controller->request).allowed);
  // A plain user turning isolation off is judged.
  auto plain = MakeRequest(written_back, "team-a", Operation::kUpdate, &stored);
  EXPECT_EQ(CodesAt(CheckedValidate(*policy_, plain->request).violations, "spec.networkConfig.enableNetworkIsolation"),
            CodeList{std::string(kNetworkIsolationCode)});
}

TEST_F(GuardrailTest, TenantsOverrideRuleByRule) {
  auto policy = MustLoadPolicy(GuardrailPolicyYaml("deny", "      guardrails: {vpc: warn, images: disabled}\n"));
  json job = LoadSample("xgboost_trainingjob.yaml");
  job["spec"]["algorithmSpecification"]["trainingImage"] = "registry.example.com/x";
  json keyed = ApplyPatch(job, CheckedMutate(*policy, MakeRequest(job, "team-c")->request).patch);
  ValidationResult result = CheckedValidate(*policy, MakeRequest(keyed, "team-c")->request);
  const Violation* vpc = FindViolation(result.violations, kVpcRequired, "spec.vpcConfig");
  ASSERT_NE(vpc, nullptr) << result.message;
  EXPECT_EQ(vpc->enforcement, Enforcement::kWarn);
  EXPECT_TRUE(CodesAt(result.violations, "spec.algorithmSpecification.trainingImage").empty());
  EXPECT_TRUE(result.allowed) << result.message;
  EXPECT_EQ(VerdictOf(result), Verdict::kWarned);
}

TEST_F(GuardrailTest, AnotherTenantsSubnetIsUnapprovedNetworkNamingIt) {
  json job = LoadSample("xgboost_trainingjob.yaml");
  job["spec"]["vpcConfig"] = {{"subnets", {kOwnSubnet, kOtherSubnet}}, {"securityGroupIDs", {kOwnGroup}}};
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(job, "team-a")->request);
  const Violation* v = FindViolation(result.violations, kUnapprovedNetwork, "spec.vpcConfig.subnets[1]");
  ASSERT_NE(v, nullptr) << result.message;
  EXPECT_NE(v->message.find("tenant team-b"), std::string::npos) << v->message;
  EXPECT_EQ(v->owners, "team-b");
  for (const std::string& w : result.warnings) EXPECT_LT(w.size(), 120u);
}

TEST_F(GuardrailTest, PipelineStepsAreJudgedWithAwsCasedArguments) {
  json definition = {
      {"Version", "2020-12-01"},
      {"Steps",
       json::array({{{"Name", "Train"},
                     {"Type", "Training"},
                     {"Arguments",
                      {{"AlgorithmSpecification", {{"TrainingImage", "registry.example.com/x"}}},
                       {"OutputDataConfig", {{"KmsKeyId", kTeamADefault}}},
                       {"ResourceConfig", {{"InstanceType", "ml.m5.xlarge"}, {"VolumeKmsKeyId", kTeamADefault}}},
                       {"EnableNetworkIsolation", false}}}}})}};
  json pipeline = LoadSample("pipeline.yaml");
  pipeline["spec"]["pipelineDefinition"] = definition.dump();
  ValidationResult result = CheckedValidate(*policy_, MakeRequest(pipeline, "team-a")->request);
  const std::string at = "spec.pipelineDefinition:Steps[Train].Arguments.";
  EXPECT_EQ(CodesAt(result.violations, at + "EnableNetworkIsolation"), CodeList{std::string(kNetworkIsolationCode)});
  EXPECT_EQ(CodesAt(result.violations, at + "EnableInterContainerTrafficEncryption"),
            CodeList{std::string(kInterContainerEncryptionCode)});
  EXPECT_EQ(CodesAt(result.violations, at + "VpcConfig"), CodeList{std::string(kVpcRequired)});
  EXPECT_EQ(CodesAt(result.violations, at + "AlgorithmSpecification.TrainingImage"),
            CodeList{std::string(kUnapprovedImage)});
}

TEST(GuardrailPolicyTest, LintChecksEveryNewField) {
  struct Case {
    std::string find, replace;  // in team-a's lines
    std::string words;
  };
  const std::vector<Case> cases = {
      {"[\"subnet-0a1b*\"]", "[\"subnet-xyz\"]", "is not a subnet ID"},
      {"[\"sg-0c2d*\"]", "[\"group-1\"]", "is not a security group ID"},
      {"      subnets: [\"subnet-0a1b*\"]", "      guardrails: {vpc: {enforcement: deny, inject: true}}", "cannot inject"},
      {"      subnets: [\"subnet-0a1b*\"]", "      guardrails: {vpc: off}", "boolean"},
      {"      subnets: [\"subnet-0a1b*\"]", "      guardrails: {firewall: deny}", "unknown field"},
      {"      subnets: [\"subnet-0a1b*\"]", "      subnets: [\"subnet-0a1b*\"]\n      subnets: []", "given twice"},
  };
  for (const Case& c : cases) {
    std::string yaml = GuardrailPolicyYaml();
    yaml.replace(yaml.find(c.find), c.find.size(), c.replace);
    PolicyLoadResult result = LoadPolicy(yaml, "p.yaml");
    ASSERT_EQ(result.policy, nullptr) << c.replace;
    std::string all;
    for (const Diagnostic& d : result.diagnostics) all += d.ToString() + "\n";
    EXPECT_NE(all.find(c.words), std::string::npos) << c.replace << "\n" << all;
  }
  // A subnet glob that overlaps another tenant's.
  std::string overlap = GuardrailPolicyYaml();
  overlap.replace(overlap.find("subnet-0b*"), 10, "subnet-0*");
  PolicyLoadResult claimed = LoadPolicy(overlap, "p.yaml");
  ASSERT_EQ(claimed.policy, nullptr) << overlap;
  EXPECT_NE(claimed.diagnostics.at(0).message.find("one tenant only"), std::string::npos);
  // The images rule with no registries anywhere.
  std::string no_registries = GuardrailPolicyYaml();
  no_registries.erase(no_registries.find("  imageRegistries:"), std::string("  imageRegistries: [\"*.dkr.ecr.*.amazonaws.com/*\"]\n").size());
  PolicyLoadResult images = LoadPolicy(no_registries, "p.yaml");
  ASSERT_EQ(images.policy, nullptr);
  EXPECT_NE(images.diagnostics.at(0).message.find("no imageRegistries"), std::string::npos);
}

}  // namespace
}  // namespace keyward
