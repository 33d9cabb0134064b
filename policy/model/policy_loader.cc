// LoadPolicy: YAML text -> validated, indexed Policy, or every problem found.
// The root is read here; each section of spec in a file of its own
// (policy_sections.h).
#include <optional>

#include "policy/model/policy.h"
#include "policy/model/policy_sections.h"

namespace keyward {
namespace {

constexpr std::string_view kApiVersion = "keyward.dev/v1alpha1";
constexpr std::string_view kKind = "KeyPolicy";

void ReadSpec(PolicyReader& reader, const YamlNode& spec, Policy& policy) {
  if (!spec.IsMap()) {
    reader.Report(spec.Mark(), "spec", "must be a mapping with defaultRegion and tenants");
    return;
  }
  Fields f = reader.Expect(spec, "spec",
                           {"defaultRegion", "enforcement", "mutation", "keyReferences", "unmatchedNamespaces",
                            "exemptNamespaces", "trustedUsers", "localStorageInstanceTypes", "revealOtherTenants",
                            "pipelines", "guardrails", "imageRegistries", "tenants"});
  if (!f.count("defaultRegion")) {
    reader.Report(spec.Mark(), "spec.defaultRegion",
                  "missing; set it to the region of the SageMaker controller, e.g. us-east-1");
  }
  ReadSpecSettings(reader, f, policy);
  if (!f.count("tenants") || f["tenants"].IsNull()) {
    reader.Report(spec.Mark(), "spec.tenants",
                  "missing or empty; list at least one tenant with name, namespaces and keys");
    return;
  }
  if (ReadTenants(reader, f["tenants"], policy)) CheckImageRegistriesListed(reader, policy, spec);
}

// The tree behind `root` lives only while ReadYaml's handler runs, so the
// whole policy is read from inside it.
PolicyLoadResult ReadRoot(PolicyReader& reader, const YamlNode& root) {
  auto policy = std::make_shared<Policy>();
  if (!root.IsMap()) {
    reader.Report(root.Mark(), "", "the policy must be a YAML mapping with apiVersion, kind and spec");
    return reader.Finish(nullptr);
  }
  Fields top = reader.Expect(root, "", {"apiVersion", "kind", "metadata", "spec"});
  reader.CheckConstant(top, "apiVersion", kApiVersion, root);
  reader.CheckConstant(top, "kind", kKind, root);
  if (!top.count("spec")) {
    reader.Report(root.Mark(), "spec", "missing; add a spec with defaultRegion and tenants");
    return reader.Finish(nullptr);
  }
  ReadSpec(reader, top["spec"], *policy);
  return reader.Finish(std::move(policy));
}

}  // namespace

PolicyLoadResult LoadPolicy(std::string_view yaml_text, std::string_view file_name) {
  PolicyReader reader(file_name);
  // A policy is one document; any after the first are not read.
  YamlNode root;
  std::optional<PolicyLoadResult> result;
  std::optional<YamlError> error = ReadYaml(yaml_text, kPolicyYamlLimits, [&](const YamlNode& document) {
    root = document;
    result = ReadRoot(reader, root);
    return false;
  });
  if (error) {
    reader.Report(error->mark, "", error->message);
    return reader.Finish(nullptr);
  }
  if (!result) return ReadRoot(reader, root);  // no document at all: an empty file
  return std::move(*result);
}

}  // namespace keyward
