// LoadPolicy on any text. Properties: it never throws or crashes; it returns
// a policy or diagnostics, never both or neither; every diagnostic says
// something, with a non-negative position; a loaded policy answers its own
// lookups: each exact namespace of a tenant maps back to that tenant and
// each tenant's keys are approved for it.
#include <string>

#include "fuzz/fuzz_check.h"
#include "fuzz/properties.h"
#include "policy/base/glob.h"
#include "policy/model/policy.h"

void keyward::fuzz::CheckPolicyLoader(const uint8_t* data, size_t size) {
  using keyward::fuzz::Require;
  const std::string_view text = keyward::fuzz::AsText(data, size);
  const keyward::PolicyLoadResult result = keyward::LoadPolicy(text, "fuzz.yaml");

  Require((result.policy != nullptr) == result.diagnostics.empty(), "a policy or diagnostics, exactly one");
  for (const keyward::Diagnostic& d : result.diagnostics) {
    Require(!d.message.empty(), "every diagnostic has a message", d.ToString());
    Require(d.line >= 0 && d.column >= 0, "diagnostic positions are not negative", d.ToString());
    Require(d.ToString().find(d.message) != std::string::npos, "ToString carries the message", d.ToString());
  }
  if (!result.policy) return;

  const keyward::Policy& policy = *result.policy;
  Require(!policy.tenants.empty(), "a loaded policy has tenants");
  for (const keyward::Tenant& tenant : policy.tenants) {
    Require(!tenant.keys.default_key.empty(), "every tenant has a default key", tenant.name);
    for (const std::string& ns : tenant.namespaces) {
      if (keyward::IsGlob(ns)) continue;
      const keyward::Tenant* owner = policy.TenantForNamespace(ns);
      Require(owner == &tenant, "an exact namespace maps back to its tenant", tenant.name + " / " + ns);
    }
    for (keyward::KeyPurpose purpose : {keyward::KeyPurpose::kVolume, keyward::KeyPurpose::kOutput}) {
      const std::string& key_text = tenant.keys.For(purpose);
      const keyward::KeyParseResult key = keyward::ParseKeyReference(key_text);
      Require(key.key.has_value(), "a loaded tenant key parses", key_text);
      bool approved = false;
      for (const keyward::Tenant* t : policy.TenantsApproving(key_text, *key.key)) approved |= t == &tenant;
      Require(approved, "a tenant's own key is approved for it", tenant.name + " / " + key_text);
    }
  }
}
