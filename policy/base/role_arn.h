// IAM role ARNs as a policy lists them: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME,
// or a glob of one.
#pragma once

#include <string>
#include <string_view>

namespace keyward {

// What is wrong with `pattern` as a role ARN or role ARN glob, in words a
// user can act on; empty when it is well formed. A glob keeps the ARN's six
// colon-separated parts, each of which may hold * and ?.
std::string RoleArnProblem(std::string_view pattern);

// The same for an IAM role or user ARN (or glob): the principals that read
// a tenant's encrypted output (tenants[].keyUsers).
std::string PrincipalArnProblem(std::string_view pattern);

}  // namespace keyward
