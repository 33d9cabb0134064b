// The AWS compiler's output as a document: every policy passes the
// simulator's own validation and AWS's size limits, the same policy gives
// the same bytes, the Terraform form holds exactly the JSON form's
// documents, and what cannot be compiled is refused with the fix.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/compile/aws.h"
#include "tests/aws/aws_tools.h"
#include "tests/policy/test_support.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

const json& Compiled() {
  static const json document = [] {
    const CompiledAws compiled = CompileAws(*ThreeTenantPolicy());
    EXPECT_TRUE(compiled.errors.empty()) << compiled.errors.front();
    return compiled.document;
  }();
  return document;
}

TEST(AwsOutputTest, EveryDocumentPassesTheSimulatorsValidationAndAwsSizeLimits) {
  json validate = json::array();
  size_t documents = 0;
  for (const json& tenant : Compiled()["tenants"]) {
    const std::string name = tenant["name"];
    for (const json& policy : tenant["guardrailPolicies"]) {
      EXPECT_LE(policy.dump().size(), kManagedPolicyMaxChars) << name;
      validate.push_back({{"name", name + " guardrail"}, {"type", "identity"}, {"policy", policy}});
    }
    ASSERT_FALSE(tenant["permissionsBoundary"].is_null()) << name;
    EXPECT_LE(tenant["permissionsBoundary"].dump().size(), kManagedPolicyMaxChars) << name;
    validate.push_back({{"name", name + " boundary"}, {"type", "identity"}, {"policy", tenant["permissionsBoundary"]}});
    for (const json& policy : tenant["serviceControlPolicies"]) {
      EXPECT_LE(policy.dump().size(), kServiceControlPolicyMaxChars) << name;
      validate.push_back({{"name", name + " scp"}, {"type", "scp"}, {"policy", policy}});
    }
    EXPECT_LE(tenant["serviceControlPolicies"].size(), kMaxScpsPerTarget) << name;
    for (const auto& [key, statements] : tenant["keyPolicyStatements"].items()) {
      const json policy = {{"Version", "2012-10-17"}, {"Statement", statements}};
      EXPECT_LE(policy.dump().size(), kKeyPolicyMaxBytes) << name << " " << key;
      validate.push_back({{"name", name + " key " + key}, {"type", "resource"}, {"policy", policy}});
    }
  }
  // A statement the validator must refuse, so a lenient validator shows.
  validate.push_back({{"name", "broken"},
                      {"type", "scp"},
                      {"policy", {{"Version", "2012-10-17"},
                                  {"Statement", {{{"Effect", "Deny"}, {"Action", "sagemaker:Create*"},
                                                  {"Principal", "*"}, {"Resource", "*"}}}}}}});
  const json output = RunNodeScript("simulate.mjs", {{"validate", validate}});
  ASSERT_TRUE(output.is_object());
  ASSERT_EQ(output["validation"].size(), validate.size());
  for (const json& result : output["validation"]) {
    if (result["name"] == "broken") {
      EXPECT_FALSE(result["errors"].empty()) << "an SCP with a Principal must not validate";
      continue;
    }
    ++documents;
    EXPECT_TRUE(result["errors"].empty()) << result["name"] << ": " << result["errors"].dump();
  }
  EXPECT_GE(documents, 3u * 4u);
}

TEST(AwsOutputTest, TheSamePolicyGivesTheSameBytes) {
  const std::string first = CompileAws(*ThreeTenantPolicy()).document.dump(2);
  const std::string second = CompileAws(*ThreeTenantPolicy()).document.dump(2);
  EXPECT_EQ(first, second);
  // And the command prints exactly that, twice.
  const std::string policy = FixturePath("policies/aws-three-tenants.yaml");
  const CommandRun a = RunKeywardCommand({"policy", "compile", "--target", "aws", policy});
  const CommandRun b = RunKeywardCommand({"policy", "compile", "--target", "aws", policy});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, first + "\n");
  EXPECT_EQ(a.out, b.out);
}

TEST(AwsOutputTest, TheTerraformFormHoldsExactlyTheJsonFormsDocuments) {
  const json terraform = AwsTerraform(Compiled());
  std::multiset<std::string> from_json, from_terraform;
  for (const json& tenant : Compiled()["tenants"]) {
    for (const json& policy : tenant["guardrailPolicies"]) from_json.insert("iam " + policy.dump());
    from_json.insert("iam " + tenant["permissionsBoundary"].dump());
    for (const json& policy : tenant["serviceControlPolicies"]) from_json.insert("scp " + policy.dump());
    for (const auto& [key, statements] : tenant["keyPolicyStatements"].items()) {
      from_json.insert("key " + json({{"Version", "2012-10-17"}, {"Statement", statements}}).dump());
    }
  }
  for (const auto& [name, resource] : terraform["resource"]["aws_iam_policy"].items()) {
    from_terraform.insert("iam " + json::parse(resource["policy"].get<std::string>()).dump());
  }
  for (const auto& [name, resource] : terraform["resource"]["aws_organizations_policy"].items()) {
    EXPECT_EQ(resource["type"], "SERVICE_CONTROL_POLICY");
    from_terraform.insert("scp " + json::parse(resource["content"].get<std::string>()).dump());
  }
  for (const auto& [name, data] : terraform["data"]["aws_iam_policy_document"].items()) {
    ASSERT_EQ(data["source_policy_documents"].size(), 1u) << name;
    from_terraform.insert("key " + json::parse(data["source_policy_documents"][0].get<std::string>()).dump());
  }
  EXPECT_EQ(from_json, from_terraform);
  EXPECT_GE(from_json.size(), 12u);
  const CommandRun run = RunKeywardCommand({"policy", "compile", "--target", "aws", "-o", "terraform", "--tenant", "team-a",
                                        FixturePath("policies/aws-three-tenants.yaml")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json team_a = json::parse(run.out);
  EXPECT_TRUE(team_a["resource"]["aws_iam_policy"].contains("keyward_team_a_guardrail_1"));
  EXPECT_FALSE(team_a["resource"]["aws_iam_policy"].contains("keyward_team_b_guardrail_1"));
}

std::string WithTenantChange(const std::string& from, const std::string& to) {
  std::string yaml = ReadFile(FixturePath("policies/aws-three-tenants.yaml"));
  const size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return yaml.replace(at, from.size(), to);
}

TEST(AwsOutputTest, WhatCannotBeCompiledIsRefusedWithTheFix) {
  // One key approved for two tenants: its key policy would deny one of them.
  const std::string shared_key =
      WithTenantChange("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab");
  const CompiledAws shared = CompileAws(*MustLoadPolicy(shared_key));
  ASSERT_EQ(shared.errors.size(), 1u);
  EXPECT_NE(shared.errors[0].find("approved for tenants \"team-a\" and \"team-b\""), std::string::npos)
      << shared.errors[0];
  EXPECT_NE(shared.errors[0].find("give each tenant its own key"), std::string::npos);
  EXPECT_TRUE(shared.document.is_null());

  // A caller role of two tenants: refused when the policy loads, with the line.
  const PolicyLoadResult caller = LoadPolicy(
      WithTenantChange("role/ack-sagemaker-team-b]", "role/ack-sagemaker-team-a]"), "three.yaml");
  ASSERT_FALSE(caller.diagnostics.empty());
  EXPECT_NE(caller.diagnostics.front().ToString().find("a caller role may belong to one tenant only"),
            std::string::npos)
      << caller.diagnostics.front().ToString();

  const CompiledAws unknown = CompileAws(*ThreeTenantPolicy(), "team-z");
  ASSERT_EQ(unknown.errors.size(), 1u);
  EXPECT_NE(unknown.errors[0].find("its tenants are team-a, team-b, team-c"), std::string::npos) << unknown.errors[0];

  // A tenant that only warns gets no deny statements, and says why.
  const CompiledAws warned =
      CompileAws(*MustLoadPolicy(WithTenantChange("    - name: team-b\n", "    - name: team-b\n      enforcement: warn\n")));
  ASSERT_TRUE(warned.errors.empty());
  ASSERT_EQ(warned.document["skipped"].size(), 1u);
  EXPECT_EQ(warned.document["skipped"][0]["name"], "team-b");
  EXPECT_NE(warned.document["skipped"][0]["reason"].get<std::string>().find("enforcement is warn"), std::string::npos);
  EXPECT_EQ(warned.document["tenants"].size(), 2u);

  const CommandRun run = RunKeywardCommand({"policy", "compile", "--target", "aws", "--tenant", "team-z",
                                        FixturePath("policies/aws-three-tenants.yaml")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no such tenant"), std::string::npos) << run.err;
  const CommandRun vap = RunKeywardCommand({"policy", "compile", "--target", "vap", "-o", "terraform",
                                            FixturePath("policies/aws-three-tenants.yaml")});
  EXPECT_EQ(vap.exit_code, 2);
  EXPECT_NE(vap.err.find("--tenant and -o apply to --target aws"), std::string::npos) << vap.err;
  EXPECT_TRUE(vap.out.empty());
}

}  // namespace
}  // namespace keyward::testing
