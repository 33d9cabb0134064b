// The policies and namespaces the evaluation fuzzers decide under. Together
// they reach every policy switch: each enforcement level, mutation on and
// off, ARN-only and any key references, each unmatchedNamespaces choice,
// separate volume/output keys, alias keys, a tenant region, extra local
// storage patterns, exempt namespaces and trusted users.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "policy/model/policy.h"

namespace keyward::fuzz {

struct FuzzPolicy {
  std::string_view name;
  std::string_view yaml;
  std::shared_ptr<const Policy> policy;
};

// Loaded once; aborts if any fails to load (that is a bug in this file).
std::span<const FuzzPolicy> FuzzPolicies();

// team-a, team-a-dev, team-b, eu-ml, kube-system and an unclaimed one.
std::span<const std::string_view> FuzzNamespaces();

// A user who is in every policy's trustedUsers, and one who is in none.
inline constexpr std::string_view kTrustedUser = "system:serviceaccount:ack-system:ack-sagemaker-controller";
inline constexpr std::string_view kPlainUser = "admin";

}  // namespace keyward::fuzz
