// The IAM statements of one tenant (policy/compile/aws.h puts them into
// documents): what its caller roles may not do, and what its keys' policies
// allow and deny. Pure; no state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/model/policy.h"

namespace keyward {

// {"Version": "2012-10-17", "Statement": statements}.
nlohmann::json PolicyDocument(const nlohmann::json& statements);

// The one Allow of a permissions boundary: a boundary without an Allow
// grants nothing.
nlohmann::json AllowEverything();

// The deny statements for the tenant's caller roles (and its account's SCP),
// in a stable order: its keys and roles first, then its guardrails, whose
// Sids begin with kGuardrailSidPrefix. `notes` gains what could not be
// expressed and why.
inline constexpr std::string_view kGuardrailSidPrefix = "Guardrail";
std::vector<nlohmann::json> TenantDenyStatements(const Policy& policy, const Tenant& tenant,
                                                 std::vector<std::string>& notes);

// The tenant's keys that a key policy can be written for: exact key ARNs
// (not globs, aliases or bare IDs), sorted, once each.
std::vector<std::string> TenantKeyArns(const Tenant& tenant);

// The statements for the policy of key `key_arn` of the tenant.
nlohmann::json KeyPolicyStatements(const Tenant& tenant, const std::string& key_arn, std::vector<std::string>& notes);

}  // namespace keyward
