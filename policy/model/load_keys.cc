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

// default, volume and output of one region, each a key of that region.
void ReadRegionKeys(PolicyReader& reader, Fields& f, const YamlNode& node, const std::string& path,
                    const Policy& policy, const std::string& region, RegionKeys& keys) {
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

}  // namespace

void ReadTenantKeys(PolicyReader& reader, const YamlNode& node, const std::string& path, const Policy& policy,
                    const std::string& region, TenantKeys& keys) {
  if (!node.IsMap()) {
    reader.Report(node.Mark(), path, "must be a mapping with default (and optionally volume, output, regions)");
    return;
  }
  Fields f = reader.Expect(node, path, {"default", "volume", "output", "regions"});
  ReadRegionKeys(reader, f, node, path, policy, region, keys);
  if (!f.count("regions") || f["regions"].IsNull()) return;
  const YamlNode& regions = f["regions"];
  if (!regions.IsMap()) {
    reader.Report(regions.Mark(), path + ".regions", "must be a mapping of regions to {default, volume, output}");
    return;
  }
  for (size_t i = 0; i < regions.size(); ++i) {
    auto name = reader.Scalar(regions.Key(i), path + ".regions");
    if (!name) continue;
    const std::string region_path = path + ".regions." + *name;
    if (!IsValidRegionName(*name)) {
      reader.Report(regions.Key(i).Mark(), region_path, Quote(*name) + " is not an AWS region name such as eu-west-1");
      continue;
    }
    if (*name == region) {
      reader.Report(regions.Key(i).Mark(), region_path,
                    "is the tenant's own region; its keys are keys.default, keys.volume and keys.output");
      continue;
    }
    const YamlNode value = regions.Value(i);
    if (!value.IsMap()) {
      reader.Report(value.Mark(), region_path, "must be a mapping with default (and optionally volume, output)");
      continue;
    }
    Fields region_fields = reader.Expect(value, region_path, {"default", "volume", "output"});
    ReadRegionKeys(reader, region_fields, value, region_path, policy, *name, keys.regions[*name]);
  }
}

std::vector<std::string> ReadAllowedKeys(PolicyReader& reader, Fields& tenant, const std::string& path) {
  return PolicyReader::Values(reader.StringList(tenant, "allowedKeys", path, AllowedKeyProblem));
}

}  // namespace keyward
