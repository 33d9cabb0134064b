// The key policy compiled to AWS's own enforcement points, for calls that
// never pass through Kubernetes (a caller role used directly, a notebook, a
// pipeline step that creates jobs):
//   - a guardrail policy per tenant for its caller roles (the ACK
//     controller's role for that tenant), as an identity policy and as a
//     permissions boundary: deny statements on the SageMaker actions whose
//     key condition keys are absent (where IAM can tell that is wrong) or
//     not the tenant's keys, on iam:PassRole of roles that are not its own,
//     and on the guardrails at deny that have a condition key;
//   - the same statements as Service Control Policies, for a tenant with an
//     account of its own;
//   - statements for each tenant key's policy: its execution roles use it
//     only through the services, its caller roles only create grants
//     through SageMaker, its key users decrypt through S3, everyone else is
//     denied.
// Every action and condition key comes from the table in
// policy/catalog/aws_actions.h (the Service Authorization Reference as data).
//
// The document (the -o json contract, one for all tenants):
//   {"tenants": [{"name", "guardrailPolicies": [policy], "permissionsBoundary": policy | null,
//                 "serviceControlPolicies": [policy], "keyPolicyStatements": {"<key ARN>": [statement]},
//                 "notes": [text]}],
//    "skipped": [{"name", "reason"}]}
// each policy a complete IAM policy document ({"Version", "Statement"}),
// split where AWS's size limits need it (the notes say so).
//
// Pure: a function of the policy and the tables. Thread safety: none needed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/model/policy.h"

namespace keyward {

// AWS's limits, in characters of the compact JSON (AWS does not count
// whitespace in managed policies; keyward writes none).
inline constexpr size_t kManagedPolicyMaxChars = 6144;
inline constexpr size_t kServiceControlPolicyMaxChars = 5120;
inline constexpr size_t kKeyPolicyMaxBytes = 32768;
// Service Control Policies AWS attaches to one account at most.
inline constexpr size_t kMaxScpsPerTarget = 5;

struct CompiledAws {
  nlohmann::json document;          // as above; null when errors is not empty
  std::vector<std::string> errors;  // why the policy cannot be compiled, and how to fix it
};

// Every tenant, or only `tenant` when it is not empty (an unknown name is an
// error naming the tenants there are).
CompiledAws CompileAws(const Policy& policy, std::string_view tenant = {});

// The document as Terraform JSON (.tf.json): aws_iam_policy for each
// guardrail policy and boundary, aws_organizations_policy for each SCP, and a
// data aws_iam_policy_document per key holding its statements. The policies
// are the document's, byte for byte, as JSON strings.
nlohmann::json AwsTerraform(const nlohmann::json& document);

}  // namespace keyward
