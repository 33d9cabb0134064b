#include "policy/compile/aws.h"

#include <algorithm>
#include <map>
#include <set>

#include "policy/base/glob.h"
#include "policy/base/key_reference.h"
#include "policy/catalog/aws_actions.h"
#include "policy/catalog/catalog.h"
#include "policy/catalog/guardrails.h"
#include "policy/compile/aws_statements.h"


namespace keyward {
namespace {

using json = nlohmann::json;

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  out += text;
  out += '"';
  return out;
}

// Statements packed into as few documents of at most `limit` characters as
// they fit in; a statement too large for any document is an error.
std::vector<json> Pack(const std::vector<json>& statements, size_t limit, const json& head,
                       std::vector<std::string>& errors, const std::string& what) {
  std::vector<json> documents;
  json current = head;
  for (const json& statement : statements) {
    json next = current;
    next.push_back(statement);
    if (PolicyDocument(next).dump().size() <= limit) {
      current = std::move(next);
      continue;
    }
    if (current.size() == head.size()) {
      errors.push_back(what + ": statement " + Quoted(statement.value("Sid", "")) + " alone is " +
                       std::to_string(PolicyDocument(next).dump().size()) + " characters, over AWS's limit of " +
                       std::to_string(limit) + "; list fewer keys or roles, or use globs");
      continue;
    }
    documents.push_back(PolicyDocument(current));
    current = head;
    current.push_back(statement);
  }
  if (current.size() > head.size()) documents.push_back(PolicyDocument(current));
  return documents;
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// A key approved for two tenants cannot be isolated by its key policy; a
// caller role shared by two tenants is refused when the policy loads.
void CheckSharedKeys(const Policy& policy, std::vector<std::string>& errors) {
  std::map<std::string, std::string> owner;
  for (const Tenant& tenant : policy.tenants) {
    if (policy.EnforcementFor(&tenant) != Enforcement::kDeny) continue;
    for (const std::string& arn : TenantKeyArns(tenant)) {
      auto [it, inserted] = owner.emplace(arn, tenant.name);
      if (!inserted && it->second != tenant.name) {
        errors.push_back("key " + arn + " is approved for tenants " + Quoted(it->second) + " and " +
                         Quoted(tenant.name) + ": its key policy would deny one of them; give each tenant its own "
                         "key, or remove it from one tenant's keys and allowedKeys");
      }
    }
  }
}

json CompileTenant(const Policy& policy, const Tenant& tenant, std::vector<std::string>& errors) {
  std::vector<std::string> notes;
  const std::vector<json> denies = TenantDenyStatements(policy, tenant, notes);
  json out = {{"name", tenant.name}};
  out["guardrailPolicies"] =
      Pack(denies, kManagedPolicyMaxChars, json::array(), errors, "tenant " + Quoted(tenant.name) + " guardrail policy");
  if (out["guardrailPolicies"].size() > 1) {
    notes.push_back("the guardrail policy is split in " + Plural(out["guardrailPolicies"].size(), "policy", "policies") +
                    " to fit AWS's " + std::to_string(kManagedPolicyMaxChars) +
                    " characters: attach every one to each caller role");
  }
  // A role has one boundary: every statement if they fit one managed
  // policy, else the tenancy statements (keys and roles) alone.
  std::vector<json> tenancy;
  for (const json& statement : denies) {
    if (!statement.value("Sid", "").starts_with(kGuardrailSidPrefix)) tenancy.push_back(statement);
  }
  out["permissionsBoundary"] = nullptr;
  for (const std::vector<json>* statements : {&denies, static_cast<const std::vector<json>*>(&tenancy)}) {
    std::vector<std::string> too_large;
    const std::vector<json> boundary =
        Pack(*statements, kManagedPolicyMaxChars, json::array({AllowEverything()}), too_large, "boundary");
    if (boundary.size() != 1 || !too_large.empty()) continue;
    out["permissionsBoundary"] = boundary.front();
    if (statements == &tenancy && tenancy.size() < denies.size()) {
      notes.push_back("the permissions boundary holds the key and role statements only: with the guardrails it "
                      "would exceed the " + std::to_string(kManagedPolicyMaxChars) + " characters of one managed "
                      "policy; the guardrails are in the guardrail policies");
    }
    break;
  }
  if (out["permissionsBoundary"].is_null()) {
    notes.push_back("no permissions boundary: even the key and role statements exceed the " +
                    std::to_string(kManagedPolicyMaxChars) + " characters of one managed policy (a role has one "
                    "boundary); use the guardrail policies as identity policies");
  }
  out["serviceControlPolicies"] = Pack(denies, kServiceControlPolicyMaxChars, json::array(), errors,
                                       "tenant " + Quoted(tenant.name) + " service control policy");
  const size_t scps = out["serviceControlPolicies"].size();
  if (scps > 1) {
    notes.push_back("the service control policy is split in " + Plural(scps, "policy", "policies") + " to fit AWS's " +
                    std::to_string(kServiceControlPolicyMaxChars) + " characters: attach every one to the tenant's "
                    "account" + (scps > kMaxScpsPerTarget ? "; that is more than the " +
                                                                std::to_string(kMaxScpsPerTarget) +
                                                                " AWS attaches to one account: use globs for keys "
                                                                "and roles, or attach some to its OU"
                                                          : std::string()));
  }
  json key_statements = json::object();
  for (const std::string& arn : TenantKeyArns(tenant)) {
    json statements = KeyPolicyStatements(tenant, arn, notes);
    if (statements.empty()) continue;
    const size_t size = PolicyDocument(statements).dump().size();
    if (size > kKeyPolicyMaxBytes) {
      errors.push_back("tenant " + Quoted(tenant.name) + ": the key policy statements of " + arn + " are " +
                       std::to_string(size) + " bytes, over AWS's " + std::to_string(kKeyPolicyMaxBytes) +
                       " for a whole key policy; use role globs");
    }
    key_statements[arn] = std::move(statements);
  }
  out["keyPolicyStatements"] = std::move(key_statements);
  out["notes"] = notes;
  return out;
}

}  // namespace

CompiledAws CompileAws(const Policy& policy, std::string_view only) {
  CompiledAws compiled;
  if (!only.empty() && std::none_of(policy.tenants.begin(), policy.tenants.end(),
                                    [&](const Tenant& t) { return t.name == only; })) {
    std::string names;
    for (const Tenant& tenant : policy.tenants) names += (names.empty() ? "" : ", ") + tenant.name;
    compiled.errors.push_back("--tenant " + Quoted(only) + ": the policy has no such tenant; its tenants are " + names);
    return compiled;
  }
  CheckSharedKeys(policy, compiled.errors);
  json tenants = json::array(), skipped = json::array();
  for (const Tenant& tenant : policy.tenants) {
    if (!only.empty() && tenant.name != only) continue;
    const Enforcement enforcement = policy.EnforcementFor(&tenant);
    if (enforcement != Enforcement::kDeny) {
      skipped.push_back({{"name", tenant.name},
                         {"reason", "its enforcement is " + std::string(WordOf<Enforcement>(kEnforcementWords,
                                                                                            enforcement)) +
                                        ", and AWS policies can only deny: set enforcement: deny to compile it"}});
      continue;
    }
    tenants.push_back(CompileTenant(policy, tenant, compiled.errors));
  }
  if (compiled.errors.empty()) compiled.document = {{"tenants", std::move(tenants)}, {"skipped", std::move(skipped)}};
  return compiled;
}

namespace {

// A Terraform name: letters, digits and underscores.
std::string TerraformName(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += keep ? c : '_';
  }
  return out;
}

}  // namespace

json AwsTerraform(const json& document) {
  json iam = json::object(), scps = json::object(), keys = json::object();
  for (const json& tenant : document.at("tenants")) {
    const std::string name = tenant.at("name").get<std::string>();
    const std::string id = "keyward_" + TerraformName(name);
    size_t n = 0;
    for (const json& policy : tenant.at("guardrailPolicies")) {
      ++n;
      iam[id + "_guardrail_" + std::to_string(n)] = {
          {"name", "keyward-" + name + "-guardrail-" + std::to_string(n)},
          {"description", "keyward: what tenant " + name + "'s caller roles may not do in SageMaker"},
          {"policy", policy.dump()}};
    }
    if (!tenant.at("permissionsBoundary").is_null()) {
      iam[id + "_boundary"] = {{"name", "keyward-" + name + "-boundary"},
                               {"description", "keyward: permissions boundary of tenant " + name + "'s caller roles"},
                               {"policy", tenant.at("permissionsBoundary").dump()}};
    }
    n = 0;
    for (const json& policy : tenant.at("serviceControlPolicies")) {
      ++n;
      scps[id + "_scp_" + std::to_string(n)] = {
          {"name", "keyward-" + name + "-" + std::to_string(n)},
          {"description", "keyward: SageMaker key policy of tenant " + name},
          {"type", "SERVICE_CONTROL_POLICY"},
          {"content", policy.dump()}};
    }
    for (const auto& [arn, statements] : tenant.at("keyPolicyStatements").items()) {
      // Named by the key ID, the last part of its ARN.
      keys[id + "_key_" + TerraformName(arn.substr(arn.rfind('/') + 1))] = {
          {"source_policy_documents", json::array({PolicyDocument(statements).dump()})}};
    }
  }
  json out = json::object();
  if (!iam.empty()) out["resource"]["aws_iam_policy"] = std::move(iam);
  if (!scps.empty()) out["resource"]["aws_organizations_policy"] = std::move(scps);
  if (!keys.empty()) out["data"]["aws_iam_policy_document"] = std::move(keys);
  return out;
}

}  // namespace keyward
