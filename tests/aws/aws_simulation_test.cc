// The compiled AWS policies of a three-tenant policy, judged by an
// independent IAM simulator (@cloud-copilot/iam-simulate, through
// tests/aws/simulate.mjs). Each tenant's caller role calls every SageMaker
// Create action that takes a key condition key, through each of the three
// forms (identity policies, the permissions boundary, SCPs); its key policies
// are asked about its own roles, another tenant's, and calls that bypass the
// services. What must happen is listed here, not read from the compiler.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/catalog/aws_actions.h"
#include "policy/compile/aws.h"
#include "tests/aws/aws_tools.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

// The Create actions that take a key condition key.
const std::set<std::string> kKeyedCreateActions = {
    "sagemaker:CreateDataQualityJobDefinition", "sagemaker:CreateDomain",
    "sagemaker:CreateEndpointConfig",           "sagemaker:CreateFeatureGroup",
    "sagemaker:CreateHyperParameterTuningJob",  "sagemaker:CreateLabelingJob",
    "sagemaker:CreateModelBiasJobDefinition",   "sagemaker:CreateModelExplainabilityJobDefinition",
    "sagemaker:CreateModelQualityJobDefinition", "sagemaker:CreateMonitoringSchedule",
    "sagemaker:CreateNotebookInstance",         "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",              "sagemaker:CreateTransformJob",
    "sagemaker:CreateUserProfile"};
// Where a call without a key is always wrong: the API requires the object
// holding a key that SageMaker never refuses for a reason IAM cannot see.
const std::set<std::string> kNoKeyDenied = {
    "sagemaker:CreateDataQualityJobDefinition", "sagemaker:CreateDomain",
    "sagemaker:CreateEndpointConfig",           "sagemaker:CreateModelBiasJobDefinition",
    "sagemaker:CreateModelExplainabilityJobDefinition", "sagemaker:CreateModelQualityJobDefinition",
    "sagemaker:CreateNotebookInstance",         "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",              "sagemaker:CreateTransformJob"};
// Of those, the ones whose volume may not carry a key on local-NVMe instance
// types (a notebook's and a domain's volumes are always EBS and EFS).
const std::set<std::string> kNvmeSpared = {
    "sagemaker:CreateDataQualityJobDefinition", "sagemaker:CreateEndpointConfig",
    "sagemaker:CreateModelBiasJobDefinition",   "sagemaker:CreateModelExplainabilityJobDefinition",
    "sagemaker:CreateModelQualityJobDefinition", "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",              "sagemaker:CreateTransformJob"};

const std::vector<std::string> kKeyConditions = {
    std::string(kVolumeKmsKeyArn), std::string(kOutputKmsKeyArn), std::string(kDomainSharingOutputKmsKeyArn),
    std::string(kFeatureGroupOfflineStoreKmsKeyArn), std::string(kFeatureGroupOnlineStoreKmsKeyArn)};

constexpr char kAccount[] = "arn:aws:iam::111122223333:";

struct TenantFacts {
  std::string name;
  std::string key;             // its us-east-1 default key
  std::string execution_role;  // a concrete role among its roles
  std::string caller_role;
  std::string key_user;
  std::string subnet;
  std::string security_group;
};

const std::vector<TenantFacts> kTenants = {
    {"team-a", "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab",
     std::string(kAccount) + "role/team-a-execution", std::string(kAccount) + "role/ack-sagemaker-team-a",
     std::string(kAccount) + "role/team-a-analysts", "subnet-0aaa1111", "sg-0aaa1111"},
    {"team-b", "arn:aws:kms:us-east-1:111122223333:key/5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
     std::string(kAccount) + "role/team-b-training", std::string(kAccount) + "role/ack-sagemaker-team-b",
     std::string(kAccount) + "user/team-b-auditor", "subnet-0bbb2222", "sg-0bbb2222"},
    {"team-c", "arn:aws:kms:us-east-1:111122223333:key/7c9d2e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
     std::string(kAccount) + "role/team-c-execution", std::string(kAccount) + "role/ack-sagemaker-team-c",
     std::string(kAccount) + "role/team-c-analysts", "subnet-0ccc3333", "sg-0ccc3333"},
};

const json kAllowEverything = {{"Version", "2012-10-17"},
                               {"Statement", {{{"Effect", "Allow"}, {"Action", "*"}, {"Resource", "*"}}}}};

// What a compliant call of the tenant carries: its keys, an EBS instance
// type, and each guardrail met (simulate.mjs drops what an action does not take).
json CompliantContext(const TenantFacts& t) {
  json context = {{"sagemaker:InstanceTypes", {"ml.m5.xlarge"}},
                  {"sagemaker:NetworkIsolation", "true"},
                  {"sagemaker:InterContainerTrafficEncryption", "true"},
                  {"sagemaker:VpcSubnets", {t.subnet}},
                  {"sagemaker:VpcSecurityGroupIds", {t.security_group}},
                  {"sagemaker:DirectInternetAccess", "Disabled"},
                  {"sagemaker:RootAccess", "Disabled"},
                  {"sagemaker:AppNetworkAccessType", "VpcOnly"},
                  {"sagemaker:WorkteamType", "private-crowd"},
                  {"sagemaker:EnableRemoteDebug", "false"}};
  for (const std::string& key : kKeyConditions) context[key] = t.key;
  return context;
}

class AwsSimulationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    compiled_ = new CompiledAws(CompileAws(*ThreeTenantPolicy()));
    ASSERT_TRUE(compiled_->errors.empty()) << compiled_->errors.front();
    for (const json& tenant : compiled_->document["tenants"]) (*tenants_)[tenant["name"]] = tenant;
  }
  static void TearDownTestSuite() {
    delete compiled_;
    compiled_ = nullptr;
  }

  static const json& Tenant(const std::string& name) { return (*tenants_)[name]; }

  // A case in the three forms the compiler writes: the caller role with the
  // guardrail policies, with the boundary, and in an account under the SCPs.
  void AddEveryForm(const std::string& name, const TenantFacts& t, const std::string& action, const json& context,
                    const std::string& expected) {
    const json& out = Tenant(t.name);
    json identity = json::array({kAllowEverything});
    for (const json& policy : out["guardrailPolicies"]) identity.push_back(policy);
    Add(name + " [identity]", t.caller_role, action, "auto", context, expected, {{"identity", identity}});
    const json& boundary = out["permissionsBoundary"];
    // The boundary holds the tenancy statements; guardrail cases use the others.
    if (!boundary.is_null() && name.find("guardrail") == std::string::npos) {
      Add(name + " [boundary]", t.caller_role, action, "auto", context, expected,
          {{"identity", {kAllowEverything}}, {"boundary", {boundary}}});
    }
    json scps = json::array({kAllowEverything});
    for (const json& policy : out["serviceControlPolicies"]) scps.push_back(policy);
    Add(name + " [scp]", t.caller_role, action, "auto", context, expected,
        {{"identity", {kAllowEverything}}, {"scps", scps}});
  }

  void Add(const std::string& name, const std::string& principal, const std::string& action, const std::string& resource,
           const json& context, const std::string& expected, json policies) {
    json c = std::move(policies);
    c["name"] = name;
    c["principal"] = principal;
    c["action"] = action;
    c["resource"] = resource;
    c["context"] = context;
    cases_.push_back(c);
    expected_[name] = expected;
  }

  void RunAndExpect() {
    const json output = RunNodeScript("simulate.mjs", {{"cases", cases_}});
    ASSERT_TRUE(output.is_object());
    ASSERT_EQ(output["results"].size(), cases_.size());
    size_t wrong = 0;
    for (const json& r : output["results"]) {
      const std::string name = r["name"];
      EXPECT_TRUE(r["errors"].empty()) << name << ": " << r["errors"].dump();
      if (r["result"] != expected_[name] && ++wrong <= 25) {
        ADD_FAILURE() << name << ": " << r["result"] << ", expected " << expected_[name] << " (" << r["resource"] << ")";
      }
    }
    EXPECT_EQ(wrong, 0u) << "of " << cases_.size() << " simulations";
    std::cout << cases_.size() << " simulations\n";
  }

  static CompiledAws* compiled_;
  static std::map<std::string, json>* tenants_;
  json cases_ = json::array();
  std::map<std::string, std::string> expected_;
};

CompiledAws* AwsSimulationTest::compiled_ = nullptr;
std::map<std::string, json>* AwsSimulationTest::tenants_ = new std::map<std::string, json>();

TEST_F(AwsSimulationTest, TheTableHoldsEveryKeyedCreateAction) {
  std::set<std::string> keyed;
  for (const AwsAction& row : AwsActions()) {
    if (!row.action.starts_with("sagemaker:Create")) continue;
    for (const std::string& key : kKeyConditions) {
      if (AwsActionHasKey(row.action, key)) keyed.insert(std::string(row.action));
    }
  }
  EXPECT_EQ(keyed, kKeyedCreateActions);
}

TEST_F(AwsSimulationTest, EachTenantsCallerRoleIsHeldToItsOwnKeys) {
  for (size_t i = 0; i < kTenants.size(); ++i) {
    const TenantFacts& t = kTenants[i];
    const TenantFacts& other = kTenants[(i + 1) % kTenants.size()];
    for (const std::string& action : kKeyedCreateActions) {
      const std::string at = t.name + " " + action;
      const json own = CompliantContext(t);
      AddEveryForm(at + " own key", t, action, own, "Allowed");
      for (const std::string& key : kKeyConditions) {
        if (!AwsActionHasKey(action, key)) continue;
        json foreign = own;
        foreign[key] = other.key;
        AddEveryForm(at + " " + other.name + "'s key in " + key, t, action, foreign, "ExplicitlyDenied");
      }
      json none = own;
      for (const std::string& key : kKeyConditions) none.erase(key);
      AddEveryForm(at + " no key", t, action, none, kNoKeyDenied.count(action) ? "ExplicitlyDenied" : "Allowed");
      if (AwsActionHasKey(action, kVolumeKmsKeyArn) && AwsActionHasKey(action, kInstanceTypes)) {
        json nvme = own;
        nvme.erase(std::string(kVolumeKmsKeyArn));
        nvme["sagemaker:InstanceTypes"] = {"ml.p4d.24xlarge"};
        const bool denied = kNoKeyDenied.count(action) && !kNvmeSpared.count(action);
        AddEveryForm(at + " no volume key on local NVMe", t, action, nvme, denied ? "ExplicitlyDenied" : "Allowed");
      }
    }
  }
  RunAndExpect();
}

TEST_F(AwsSimulationTest, ACallerRolePassesOnlyItsTenantsRoles) {
  for (size_t i = 0; i < kTenants.size(); ++i) {
    const TenantFacts& t = kTenants[i];
    const json to_sagemaker = {{"iam:PassedToService", "sagemaker.amazonaws.com"}};
    for (const TenantFacts& owner : kTenants) {
      const std::string expected = &owner == &t ? "Allowed" : "ExplicitlyDenied";
      json identity = json::array({kAllowEverything});
      for (const json& policy : Tenant(t.name)["guardrailPolicies"]) identity.push_back(policy);
      Add(t.name + " passes " + owner.execution_role, t.caller_role, "iam:PassRole", owner.execution_role, to_sagemaker,
          expected, {{"identity", identity}});
    }
  }
  RunAndExpect();
}

// team-b and team-c set the guardrails to deny, team-a leaves them off.
TEST_F(AwsSimulationTest, TheGuardrailsAtDenyHoldWhereSageMakerReportsThem) {
  struct Breach {
    std::string action;
    std::string key;
    json value;
  };
  const std::vector<Breach> breaches = {
      {"sagemaker:CreateTrainingJob", "sagemaker:NetworkIsolation", "false"},
      {"sagemaker:CreateModel", "sagemaker:NetworkIsolation", "false"},
      {"sagemaker:CreateProcessingJob", "sagemaker:InterContainerTrafficEncryption", "false"},
      {"sagemaker:CreateTrainingJob", "sagemaker:VpcSubnets", {"subnet-0ccc3333"}},
      {"sagemaker:CreateModel", "sagemaker:VpcSecurityGroupIds", {"sg-0ccc3333", "sg-0bbb2222"}},
      {"sagemaker:CreateNotebookInstance", "sagemaker:DirectInternetAccess", "Enabled"},
      {"sagemaker:CreateNotebookInstance", "sagemaker:RootAccess", "Enabled"},
      {"sagemaker:CreateDomain", "sagemaker:AppNetworkAccessType", "PublicInternetOnly"},
      {"sagemaker:CreateLabelingJob", "sagemaker:WorkteamType", "public-crowd"},
      {"sagemaker:CreateTrainingJob", "sagemaker:EnableRemoteDebug", "true"},
  };
  for (const TenantFacts& t : {kTenants[0], kTenants[1]}) {
    for (const Breach& breach : breaches) {
      json context = CompliantContext(t);
      context[breach.key] = breach.value;  // the networks named are team-c's
      AddEveryForm(t.name + " guardrail " + breach.action + " " + breach.key, t, breach.action, context,
                   t.name == "team-a" ? "Allowed" : "ExplicitlyDenied");
    }
    // Absent where absence is SageMaker's unsafe default.
    json no_isolation = CompliantContext(t);
    no_isolation.erase("sagemaker:NetworkIsolation");
    AddEveryForm(t.name + " guardrail no NetworkIsolation", t, "sagemaker:CreateTrainingJob", no_isolation,
                 t.name == "team-a" ? "Allowed" : "ExplicitlyDenied");
  }
  RunAndExpect();
}

TEST_F(AwsSimulationTest, EachKeyIsUsedOnlyByItsTenantAndOnlyThroughTheServices) {
  const json admin = {{"Sid", "KeyAdministrators"},
                      {"Effect", "Allow"},
                      {"Principal", {{"AWS", "arn:aws:iam::111122223333:root"}}},
                      {"Action", "kms:*"},
                      {"Resource", "*"}};
  for (size_t i = 0; i < kTenants.size(); ++i) {
    const TenantFacts& t = kTenants[i];
    const TenantFacts& other = kTenants[(i + 1) % kTenants.size()];
    const json& statements = Tenant(t.name)["keyPolicyStatements"][t.key];
    ASSERT_TRUE(statements.is_array()) << t.name << " has no statements for " << t.key;
    json key_policy = {{"Version", "2012-10-17"}, {"Statement", statements}};
    key_policy["Statement"].push_back(admin);
    const json via_sagemaker = {{"kms:ViaService", "sagemaker.us-east-1.amazonaws.com"}};
    const json via_s3 = {{"kms:ViaService", "s3.us-east-1.amazonaws.com"}};
    // The administrators' statement delegates to IAM: every principal here
    // has an identity policy that allows everything, the worst case.
    const json policies = {{"identity", {kAllowEverything}}, {"resourcePolicy", key_policy}};
    const std::string at = t.name + " key: ";
    Add(at + "execution role decrypts via SageMaker", t.execution_role, "kms:Decrypt", t.key, via_sagemaker, "Allowed",
        policies);
    Add(at + "execution role writes via S3", t.execution_role, "kms:GenerateDataKey", t.key, via_s3, "Allowed",
        policies);
    Add(at + "execution role decrypts directly", t.execution_role, "kms:Decrypt", t.key, json::object(),
        "ExplicitlyDenied", policies);
    Add(at + other.name + "'s role decrypts via SageMaker", other.execution_role, "kms:Decrypt", t.key, via_sagemaker,
        "ExplicitlyDenied", policies);
    Add(at + other.name + "'s caller role creates a grant", other.caller_role, "kms:CreateGrant", t.key,
        {{"kms:ViaService", "sagemaker.us-east-1.amazonaws.com"}, {"kms:GrantIsForAWSResource", "true"}},
        "ExplicitlyDenied", policies);
    Add(at + "caller role creates a grant via SageMaker", t.caller_role, "kms:CreateGrant", t.key,
        {{"kms:ViaService", "sagemaker.us-east-1.amazonaws.com"}, {"kms:GrantIsForAWSResource", "true"}}, "Allowed",
        policies);
    Add(at + "caller role decrypts via SageMaker", t.caller_role, "kms:Decrypt", t.key, via_sagemaker,
        "ImplicitlyDenied", {{"identity", json::array()}, {"resourcePolicy", {{"Version", "2012-10-17"},
                                                                               {"Statement", statements}}}});
    Add(at + "key user decrypts via S3", t.key_user, "kms:Decrypt", t.key, via_s3, "Allowed", policies);
    Add(at + "key user decrypts directly", t.key_user, "kms:Decrypt", t.key, json::object(), "ExplicitlyDenied",
        policies);
    // Without IAM's delegation, the key policy alone lets the execution role in.
    Add(at + "execution role, key policy alone", t.execution_role, "kms:Decrypt", t.key, via_sagemaker, "Allowed",
        {{"identity", json::array()}, {"resourcePolicy", {{"Version", "2012-10-17"}, {"Statement", statements}}}});
  }
  RunAndExpect();
}

}  // namespace
}  // namespace keyward::testing
