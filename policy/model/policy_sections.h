// The loader's sections, one per part of the policy, each read and checked
// in one place (policy_loader.cc reads the root and calls them in the
// file's order). Internal to policy/model.
#pragma once

#include <string>
#include <vector>

#include "policy/model/policy_reader.h"

namespace keyward {

// spec's settings (load_spec.cc): defaultRegion, enforcement, mutation,
// keyReferences, unmatchedNamespaces, revealOtherTenants, pipelines,
// exemptNamespaces, trustedUsers, localStorageInstanceTypes.
void ReadSpecSettings(PolicyReader& reader, Fields& spec, Policy& policy);

// spec.tenants (load_tenants.cc): every tenant, then what no two tenants may
// share (namespaces, roles, subnets, security groups) and the notice for
// tenants without roles, and the warning for exempt namespaces a tenant
// claims. False when spec.tenants is not a non-empty list.
bool ReadTenants(PolicyReader& reader, const YamlNode& tenants, Policy& policy);
// A notice for each exemptNamespaces entry that overlaps a tenant's
// namespaces (a name, or a glob matching it): its resources are never judged.
void NoteExemptClaimedNamespaces(PolicyReader& reader, Policy& policy);

// A tenant's keys mapping (load_keys.cc), each key checked for the tenant's
// region.
void ReadTenantKeys(PolicyReader& reader, const YamlNode& node, const std::string& path, const Policy& policy,
                    const std::string& region, TenantKeys& keys);
// A tenant's allowedKeys (load_keys.cc): key references or globs.
std::vector<std::string> ReadAllowedKeys(PolicyReader& reader, Fields& tenant, const std::string& path);

// spec.guardrails, and a tenant's guardrails overrides (load_guardrails.cc).
void ReadGuardrails(PolicyReader& reader, const YamlNode& node, Policy& policy);
void ReadGuardrailOverrides(PolicyReader& reader, const YamlNode& node, const std::string& path, Tenant& tenant);

// Where images and networks may come from (load_registries.cc):
// imageRegistries (of spec or a tenant), a tenant's subnets and
// securityGroups, and the images rule's need for registries.
ListItems ReadImageRegistries(PolicyReader& reader, Fields& fields, const std::string& path);
ListItems ReadSubnets(PolicyReader& reader, Fields& tenant, const std::string& path);
ListItems ReadSecurityGroups(PolicyReader& reader, Fields& tenant, const std::string& path);
void CheckImageRegistriesListed(PolicyReader& reader, const Policy& policy, const YamlNode& spec);

// A tenant's namespaceSelector (load_tenants.cc): Kubernetes label selector
// syntax; nullopt, reported, when it is malformed or empty.
std::optional<LabelSelector> ReadNamespaceSelector(PolicyReader& reader, const YamlNode& node, const std::string& path);
// A notice for each selector label without a prefix: namespace editors can set it.
void NoteSelectorLabelsUsersMaySet(PolicyReader& reader, Policy& policy);

// Namespace names and globs (load_tenants.cc), for the lists that hold them.
std::string NamespacePatternProblem(const std::string& value);

}  // namespace keyward
