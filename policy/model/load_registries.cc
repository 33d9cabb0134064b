// Where images and networks may come from: imageRegistries globs, and a
// tenant's subnet and security group IDs (or globs of them).
#include <algorithm>

#include "policy/base/glob.h"
#include "policy/model/policy_sections.h"

namespace keyward {
namespace {

std::string RegistryProblem(const std::string& value) {
  return value.empty() || value.find_first_of(" \t") != std::string::npos
             ? "\"" + value + "\" is not an image registry glob such as 111122223333.dkr.ecr.*.amazonaws.com/*"
             : std::string();
}

// subnet-0a1b2c3d (8 or 17 hex digits) or a glob of one.
std::string NetworkIdProblem(const std::string& value, std::string_view prefix) {
  const std::string_view what = prefix == "sg-" ? "security group" : "subnet";
  const std::string example = prefix == "sg-" ? "sg-0c2d4e6f8a1b3c5d7" : "subnet-0a1b2c3d4e5f60718";
  std::string_view rest = std::string_view(value).substr(std::min(value.size(), prefix.size()));
  const bool hex = std::all_of(rest.begin(), rest.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '*' || c == '?';
  });
  const bool sized = IsGlob(value) ? !rest.empty() : (rest.size() == 8 || rest.size() == 17);
  if (value.starts_with(prefix) && hex && sized) return "";
  return "\"" + value + "\" is not a " + std::string(what) + " ID such as " + example + " (or a glob of one)";
}

}  // namespace

ListItems ReadImageRegistries(PolicyReader& reader, Fields& fields, const std::string& path) {
  return reader.StringList(fields, "imageRegistries", path, RegistryProblem);
}

ListItems ReadSubnets(PolicyReader& reader, Fields& tenant, const std::string& path) {
  return reader.StringList(tenant, "subnets", path, [](const std::string& v) { return NetworkIdProblem(v, "subnet-"); });
}

ListItems ReadSecurityGroups(PolicyReader& reader, Fields& tenant, const std::string& path) {
  return reader.StringList(tenant, "securityGroups", path,
                           [](const std::string& v) { return NetworkIdProblem(v, "sg-"); });
}

// The images rule needs registries to compare with.
void CheckImageRegistriesListed(PolicyReader& reader, const Policy& policy, const YamlNode& spec) {
  auto enabled = [](std::optional<RuleLevel> level) { return level && *level != RuleLevel::kDisabled; };
  const size_t images = static_cast<size_t>(Guardrail::kImages);
  bool needed = policy.guardrails[images].level != RuleLevel::kDisabled;
  bool listed = !policy.image_registries.empty();
  for (const Tenant& tenant : policy.tenants) {
    needed = needed || enabled(tenant.guardrails[images].level);
    listed = listed || !tenant.image_registries.empty();
  }
  if (needed && !listed) {
    reader.Report(spec.Mark(), "spec.imageRegistries",
                  "the images guardrail is enabled but no imageRegistries are listed, so every image would be "
                  "unapproved; list the registries (globs) images may come from");
  }
}

}  // namespace keyward
