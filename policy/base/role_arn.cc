#include "policy/base/role_arn.h"

#include <algorithm>
#include <vector>

namespace keyward {
namespace {

constexpr std::string_view kShape = "arn:PARTITION:iam::ACCOUNT:role/PATH/NAME";

bool IsWildcard(char c) { return c == '*' || c == '?'; }

// True when `text` is not empty and every character is `allowed`.
bool NonEmptyAndAllOf(std::string_view text, bool (*allowed)(char)) {
  return !text.empty() && std::all_of(text.begin(), text.end(), allowed);
}

std::vector<std::string_view> SplitColons(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t colon; (colon = text.find(':', start)) != std::string_view::npos; start = colon + 1) {
    parts.push_back(text.substr(start, colon - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

}  // namespace

std::string RoleArnProblem(std::string_view pattern) {
  std::string quoted = "\"";  // appended, not "\"" + ...: GCC 12 -O3 raises a false -Wrestrict
  quoted += pattern;
  quoted += '"';
  const std::vector<std::string_view> parts = SplitColons(pattern);
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[3].empty()) {
    return quoted + " is not an IAM role ARN; write " + std::string(kShape) +
           ", e.g. arn:aws:iam::111122223333:role/team-a-*";
  }
  if (!NonEmptyAndAllOf(parts[1], [](char c) { return (c >= 'a' && c <= 'z') || c == '-' || IsWildcard(c); })) {
    return quoted + ": the partition \"" + std::string(parts[1]) + "\" must be aws, aws-cn, aws-us-gov or similar";
  }
  const std::string_view account = parts[4];
  const bool account_glob = std::any_of(account.begin(), account.end(), IsWildcard);
  if (!NonEmptyAndAllOf(account, [](char c) { return (c >= '0' && c <= '9') || IsWildcard(c); }) ||
      (!account_glob && account.size() != 12)) {
    return quoted + ": the account \"" + std::string(account) + "\" must be a 12-digit AWS account ID";
  }
  const std::string_view resource = parts[5];
  if (!resource.starts_with("role/") || resource.size() == 5) {
    return quoted + ": the resource must be role/NAME or role/PATH/NAME, not \"" + std::string(resource) + "\"";
  }
  const std::string_view name_and_path = resource.substr(5);
  if (!NonEmptyAndAllOf(name_and_path, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("+=,.@_-/").find(c) != std::string_view::npos || IsWildcard(c);
      })) {
    return quoted + ": a role path and name hold only letters, digits and + = , . @ _ - /";
  }
  if (name_and_path.find("//") != std::string_view::npos || name_and_path.back() == '/') {
    return quoted + ": the role name is missing after a '/'";
  }
  if (name_and_path.size() - (name_and_path.rfind('/') + 1) > 64) {
    return quoted + ": an IAM role name is at most 64 characters";
  }
  return "";
}

std::string PrincipalArnProblem(std::string_view pattern) {
  // A user ARN has a role ARN's shape, with user/ where a role has role/.
  std::string as_role(pattern);
  const size_t user = as_role.find(":user/");
  if (user != std::string::npos) as_role.replace(user, 6, ":role/");
  if (RoleArnProblem(as_role).empty()) return "";
  std::string quoted = "\"";
  quoted += pattern;
  quoted += '"';
  return quoted + " is not an IAM role or user ARN; write arn:PARTITION:iam::ACCOUNT:role/NAME or "
                  "arn:PARTITION:iam::ACCOUNT:user/NAME (a glob may hold * and ?)";
}

}  // namespace keyward
