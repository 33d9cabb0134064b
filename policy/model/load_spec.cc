// spec's own settings: the levels and switches that apply to every tenant.
#include "policy/model/policy_sections.h"

namespace keyward {

void ReadSpecSettings(PolicyReader& reader, Fields& f, Policy& policy) {
  if (auto region = reader.Region(f, "defaultRegion", "spec")) policy.default_region = *region;
  reader.Enum<Enforcement>(f, "enforcement", "spec", kEnforcementWords, &policy.enforcement);
  reader.Enum<MutationMode>(f, "mutation", "spec", kMutationModeWords, &policy.mutation);
  reader.Enum<KeyReferencePolicy>(f, "keyReferences", "spec", kKeyReferencePolicyWords, &policy.key_references);
  reader.Enum<UnmatchedNamespaces>(f, "unmatchedNamespaces", "spec", kUnmatchedNamespacesWords,
                                   &policy.unmatched_namespaces);
  reader.Bool(f, "revealOtherTenants", "spec", &policy.reveal_other_tenants);
  if (f.count("pipelines") && !f["pipelines"].IsNull()) {
    if (!f["pipelines"].IsMap()) {
      reader.Report(f["pipelines"].Mark(), "spec.pipelines", "must be a mapping, e.g. {opaqueSteps: warn}");
    } else {
      Fields pipelines = reader.Expect(f["pipelines"], "spec.pipelines", {"opaqueSteps"});
      reader.Enum<RuleLevel>(pipelines, "opaqueSteps", "spec.pipelines", kRuleLevelWords, &policy.opaque_steps);
    }
  }
  if (f.count("guardrails")) ReadGuardrails(reader, f["guardrails"], policy);
  policy.image_registries = PolicyReader::Values(ReadImageRegistries(reader, f, "spec"));
  policy.exempt_namespaces =
      PolicyReader::Values(reader.StringList(f, "exemptNamespaces", "spec", NamespacePatternProblem));
  policy.trusted_users = PolicyReader::Values(reader.StringList(f, "trustedUsers", "spec", [](const std::string& v) {
    return v.empty() ? std::string("a user name must not be empty") : std::string();
  }));
  policy.local_storage_instance_types =
      PolicyReader::Values(reader.StringList(f, "localStorageInstanceTypes", "spec", [](const std::string& v) {
        return v.starts_with("ml.") ? std::string()
                                    : "\"" + v + "\" is not a SageMaker instance type pattern such as ml.x9d.*";
      }));
}

}  // namespace keyward
