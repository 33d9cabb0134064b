// A tenant's keys and allowedKeys: customer-managed keys the tenant
// controls, in the form the policy's keyReferences asks for, in the
// tenant's region.
#include "policy/base/glob.h"
#include "policy/base/text.h"
#include "policy/model/key_rules.h"
#include "policy/model/policy_sections.h"

namespace keyward {
namespace {

std::string TenantKeyProblem(const std::string& value, const Policy& policy, const std::string& region) {
  const KeyClassification key = ClassifyKey(value, policy.key_references);
  switch (key.problem) {
    case KeyProblem::kMalformed:
      return "malformed key reference: " + key.parse_error;
    case KeyProblem::kAwsManaged:
      return Quote(value) + " is an AWS-managed key; use a customer-managed key ARN "
             "(arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)";
    case KeyProblem::kNotAnArn:
      return "is " + WithArticle(KeyReferenceFormName(key.key.form)) +
             ", but keyReferences: arn accepts only key ARNs (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID); "
             "use the key's ARN or set keyReferences: any";
    case KeyProblem::kNone:
      break;
  }
  if (InAnotherRegion(key.key, region)) {
    return "the key is in region " + key.key.region + " but the tenant's region is " + region + "; use a key in " +
           region + " or set the tenant's region";
  }
  return "";
}

std::string AllowedKeyProblem(const std::string& value) {
  if (IsGlob(value)) return value.empty() ? std::string("must not be empty") : std::string();
  KeyParseResult parsed = ParseKeyReference(value);
  if (!parsed.key) return "malformed key reference: " + parsed.error;
  if (parsed.key->IsAwsManaged()) {
    return "\"" + value + "\" is an AWS-managed key; approve customer-managed keys only";
  }
  return std::string();
}

}  // namespace

void ReadTenantKeys(PolicyReader& reader, const YamlNode& node, const std::string& path, const Policy& policy,
                    const std::string& region, TenantKeys& keys) {
  if (!node.IsMap()) {
    reader.Report(node.Mark(), path, "must be a mapping with default (and optionally volume, output)");
    return;
  }
  Fields f = reader.Expect(node, path, {"default", "volume", "output"});
  if (!f.count("default")) {
    reader.Report(node.Mark(), path + ".default", "missing; set it to the tenant's KMS key ARN");
  }
  for (auto [name, target] : {std::pair{"default", &keys.default_key}, std::pair{"volume", &keys.volume_key},
                              std::pair{"output", &keys.output_key}}) {
    if (!f.count(name)) continue;
    std::string key_path = path + "." + name;
    auto value = reader.Scalar(f[name], key_path);
    if (!value) continue;
    if (std::string error = TenantKeyProblem(*value, policy, region); !error.empty()) {
      reader.Report(f[name].Mark(), key_path, error);
      continue;
    }
    *target = *value;
  }
}

std::vector<std::string> ReadAllowedKeys(PolicyReader& reader, Fields& tenant, const std::string& path) {
  return PolicyReader::Values(reader.StringList(tenant, "allowedKeys", path, AllowedKeyProblem));
}

}  // namespace keyward
