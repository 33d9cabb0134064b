// The JSON Patch that Mutate builds, on any object of a catalogued kind.
//
// Input: three selector bytes (policy, namespace, kind and user), then the
// object as JSON. The object keeps its own apiVersion/kind when the catalog
// knows them, else gets the selected catalogued kind.
//
// Properties, for every policy and namespace:
//  - CREATE: the patch applies with json::patch; every op adds a key of the
//    namespace's tenant (or, for an anchored field, the missing objects
//    holding only that key), except one replace of a pipeline definition
//    that differs from the old one, as JSON, by the tenant's keys alone; mutating the patched object again yields no ops;
//    validating the patched object reports no MissingKey when a tenant owns
//    the namespace and mutation is on; Evaluate agrees with Mutate+Validate.
//  - UPDATE that drops every key the stored (patched) object has: the
//    carry-forward patch applies and is idempotent too.
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "fuzz/properties.h"
#include "fuzz/fuzz_policies.h"
#include "policy/catalog/catalog.h"
#include "policy/rules/evaluate.h"
#include "webhook/base/bounded_json.h"

namespace {

using keyward::AdmissionRequest;
using keyward::Operation;
using keyward::fuzz::Require;
using Json = nlohmann::json;

std::string Show(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json Apply(const Json& object, const Json& patch, std::string_view what) {
  try {
    return object.patch(patch);
  } catch (const Json::exception& e) {
    keyward::fuzz::PropertyFailed(std::string(what) + ": the patch applies to the object",
                                  std::string(e.what()) + "\npatch: " + Show(patch) + "\nobject: " + Show(object));
  }
}

// The key an `add` op sets: its value, or the one leaf of the missing parent
// objects it adds (an anchored field); "" for anything else.
std::string AddedKey(const Json& op) {
  auto it = op.find("value");
  if (it == op.end()) return "";
  const Json* value = &*it;
  while (value->is_object() && value->size() == 1) value = &value->begin().value();
  return value->is_string() ? value->get<std::string>() : std::string();
}

// An add holding only guardrails' safe values (true, "Disabled"), possibly
// inside the missing objects around them (networkConfig).
bool IsGuardrailAdd(const Json& op) {
  auto it = op.find("value");
  if (it == op.end()) return false;
  std::vector<const Json*> pending = {&*it};
  while (!pending.empty()) {
    const Json* value = pending.back();
    pending.pop_back();
    if (value->is_object() && !value->empty()) {
      for (const Json& member : *value) pending.push_back(&member);
    } else if (!(*value == Json(true) || *value == Json("Disabled"))) {
      return false;
    }
  }
  return true;
}

// A MissingKey that mutation is meant to fill. Three by design it never does:
// a pipeline step key given as a parameter without a default (keyward never
// rewrites parameters), a pipeline run's empty KMS parameter (it cannot
// know the pipeline's key), and a key for a region the tenant lists no key
// in (the resource's region annotation names another region).
bool MutationCouldFill(const keyward::Violation& v) {
  if (v.path.starts_with("spec.pipelineParameters[")) return false;
  if (v.message.find("where it has none: ask the platform team to add keys.regions.") != std::string::npos) {
    return false;
  }
  const bool in_definition = v.path.find(':') != std::string::npos;
  return !(in_definition && v.message.starts_with("parameter "));
}

// A pipeline definition rewritten by mutation means what it meant, plus
// keys: as JSON, the only differences add a member or fill an empty literal,
// each with one of the tenant's keys.
void CheckDefinitionReplace(const Json& object, const Json& op, const keyward::Tenant* tenant) {
  Require(op.value("path", "") == "/spec/pipelineDefinition", "only a pipeline definition is replaced", Show(op));
  Require(tenant != nullptr, "a definition is rewritten only for a tenant", Show(op));
  const Json& before_text = object.at("spec").at("pipelineDefinition");
  Require(before_text.is_string() && op.contains("value") && op["value"].is_string(),
          "a definition is replaced by a string", Show(op));
  const Json before = Json::parse(before_text.get<std::string>(), nullptr, false);
  const Json after = Json::parse(op["value"].get<std::string>(), nullptr, false);
  Require(!before.is_discarded() && !after.is_discarded(), "the definitions parse", Show(op));
  for (const Json& change : Json::diff(before, after)) {
    const std::string kind = change.value("op", "");
    const std::string key = AddedKey(change);
    const bool tenant_key =
        key == tenant->keys.For(keyward::KeyPurpose::kVolume) || key == tenant->keys.For(keyward::KeyPurpose::kOutput);
    Require(tenant_key, "a rewritten definition differs only by the tenant's keys", Show(change));
    if (kind == "replace") {
      const Json& old = before.at(Json::json_pointer(change.value("path", "")));
      Require(old.is_null() || (old.is_string() && old.get<std::string>().empty()),
              "only an empty key is replaced in a definition", Show(change));
    } else {
      Require(kind == "add", "a definition's meaning changes only by added keys", Show(change));
    }
  }
}

// One of the tenant's keys for `purpose`: its own region's, or a listed
// region's (keys.regions).
bool IsTenantKeyFor(const keyward::Tenant& tenant, keyward::KeyPurpose purpose, const std::string& key) {
  if (key == tenant.keys.For(purpose)) return true;
  for (const auto& [region, keys] : tenant.keys.regions) {
    if (key == keys.For(purpose)) return true;
  }
  return false;
}

// Gives the object a catalogued kind and the chosen namespace.
void Shape(Json& object, const keyward::CatalogKind& fallback, std::string_view ns) {
  const AdmissionRequest as_sent = keyward::CreateRequestFor(object);
  if (keyward::FindCatalogKind(as_sent.group, as_sent.kind) == nullptr) {
    object["apiVersion"] = std::string(fallback.group) + "/" + std::string(fallback.version);
    object["kind"] = fallback.kind;
  }
  if (!object.contains("metadata") || !object["metadata"].is_object()) object["metadata"] = Json::object();
  object["metadata"]["namespace"] = ns;
  if (!object["metadata"].contains("name")) object["metadata"]["name"] = "fuzzed";
}

// A CREATE of the shaped object.
AdmissionRequest RequestFor(const Json& object, std::string_view username) {
  AdmissionRequest request = keyward::CreateRequestFor(object);
  request.username = username;
  return request;
}

void CheckCreate(const keyward::fuzz::FuzzPolicy& fp, const AdmissionRequest& request, Json* patched) {
  const keyward::Policy& policy = *fp.policy;
  const keyward::MutationResult mutation = keyward::Mutate(policy, request);
  *patched = Apply(*request.object, mutation.patch, "CREATE");

  const keyward::Tenant* tenant = policy.TenantForNamespace(request.namespace_name);
  size_t added = 0;
  for (size_t i = 0; i < mutation.patch.size(); ++i) {
    const Json& op = mutation.patch[i];
    if (op.value("op", "") == "replace") {
      CheckDefinitionReplace(*request.object, op, tenant);
      continue;
    }
    Require(op.value("op", "") == "add", "mutation only adds (or replaces a pipeline definition)", Show(op));
    if (IsGuardrailAdd(op)) {
      Require(!mutation.guardrails_set.empty(), "a guardrail value is added only when one is reported", Show(op));
      continue;
    }
    Require(tenant != nullptr && added < mutation.injected.size() &&
                IsTenantKeyFor(*tenant, mutation.injected[added].purpose, AddedKey(op)),
            "an injected key is the tenant's key for the field's purpose", Show(op));
    ++added;
  }
  Require(added <= mutation.injected.size(),
          "one add per injected field, and one replace for the keys inside a pipeline definition");
  Require(mutation.patch.empty() == mutation.warnings.empty(), "a warning exactly when something is injected");
  for (const std::string& w : mutation.warnings) {
    Require(w.size() <= keyward::kMaxWarningLength, "mutation warnings stay short", w);
    Require(keyward::fuzz::IsValidUtf8(w), "mutation warnings are UTF-8", w);
  }

  AdmissionRequest again = request;
  again.object = patched;
  const keyward::MutationResult second = keyward::Mutate(policy, again);
  Require(second.patch.empty(), "mutating the patched object again yields no ops",
          Show(second.patch) + "\nfirst: " + Show(mutation.patch));

  const keyward::ValidationResult validation = keyward::Validate(policy, again);
  const bool injects = tenant != nullptr && policy.mutation == keyward::MutationMode::kInject &&
                       !policy.IsExemptNamespace(request.namespace_name);
  for (const keyward::Violation& v : validation.violations) {
    Require(!(injects && v.code == keyward::kMissingKey && MutationCouldFill(v)), "no MissingKey after mutation",
            std::string(fp.name) + " " + v.path + ": " + v.message + "\npatch: " + Show(mutation.patch));
    Require(keyward::fuzz::IsValidUtf8(v.message), "violation messages are UTF-8", v.message);
  }
  for (const std::string& w : validation.warnings) {
    Require(w.size() <= keyward::kMaxWarningLength, "validation warnings stay short", w);
  }
  Require(validation.allowed || !validation.message.empty(), "a denial says why");

  const keyward::Evaluation evaluation = keyward::Evaluate(policy, request);
  Require(evaluation.mutation.patch == mutation.patch, "Evaluate mutates like Mutate");
  Require(evaluation.validation.allowed == validation.allowed &&
              evaluation.validation.violations.size() == validation.violations.size(),
          "Evaluate validates the patched object like Validate");
}

void CheckUpdate(const keyward::fuzz::FuzzPolicy& fp, const AdmissionRequest& create, const Json& stored) {
  AdmissionRequest update = create;
  update.operation = Operation::kUpdate;
  update.old_object = &stored;  // the new object is the manifest again, without the injected keys
  const keyward::MutationResult carry = keyward::Mutate(*fp.policy, update);
  const Json carried = Apply(*create.object, carry.patch, "UPDATE");
  for (const Json& op : carry.patch) {
    Require(op.value("op", "") == "add" || op.value("path", "") == "/spec/pipelineDefinition",
            "carry-forward only adds (a definition's empty keys are filled)", Show(op));
  }
  AdmissionRequest again = update;
  again.object = &carried;
  Require(keyward::Mutate(*fp.policy, again).patch.empty(), "carrying forward again yields no ops",
          Show(carry.patch));
  (void)keyward::Validate(*fp.policy, again);
}

}  // namespace

void keyward::fuzz::CheckJsonPatch(const uint8_t* data, size_t size) {
  if (size < 3) return;
  const auto policies = keyward::fuzz::FuzzPolicies();
  const auto namespaces = keyward::fuzz::FuzzNamespaces();
  const auto catalog = keyward::Catalog();
  const keyward::fuzz::FuzzPolicy& fp = policies[data[0] % policies.size()];
  const std::string_view ns = namespaces[data[1] % namespaces.size()];
  const keyward::CatalogKind& kind = catalog[(data[2] >> 1) % catalog.size()];
  const std::string_view user = (data[2] & 1) ? keyward::fuzz::kTrustedUser : keyward::fuzz::kPlainUser;

  keyward::Result<Json> parsed = keyward::ParseBoundedJson(keyward::fuzz::AsText(data + 3, size - 3));
  if (!parsed.ok() || !parsed.value().is_object()) return;
  Json object = std::move(parsed.value());
  Shape(object, kind, ns);

  const AdmissionRequest create = RequestFor(object, user);
  Json patched;
  CheckCreate(fp, create, &patched);
  CheckUpdate(fp, create, patched);
}

// A Pipeline's definition text (fuzz_pipeline_definition): JSON inside a
// string. Input: two selector bytes (policy; namespace and user), then the
// definition. The properties of fuzz_json_patch hold on a Pipeline holding
// it; in particular a rewritten definition means what it meant, plus the
// tenant's keys, and rewriting it again changes nothing.
void keyward::fuzz::CheckPipelineDefinition(const uint8_t* data, size_t size) {
  if (size < 2) return;
  const auto policies = keyward::fuzz::FuzzPolicies();
  const auto namespaces = keyward::fuzz::FuzzNamespaces();
  const keyward::fuzz::FuzzPolicy& fp = policies[data[0] % policies.size()];
  const std::string_view ns = namespaces[(data[1] >> 1) % namespaces.size()];
  const std::string_view user = (data[1] & 1) ? keyward::fuzz::kTrustedUser : keyward::fuzz::kPlainUser;
  const std::string_view text = keyward::fuzz::AsText(data + 2, size - 2);
  if (!keyward::fuzz::IsValidUtf8(text)) return;  // the apiserver sends JSON, whose strings are UTF-8
  Json object = {{"apiVersion", std::string(keyward::kAckGroup) + "/v1alpha1"},
                 {"kind", "Pipeline"},
                 {"metadata", {{"name", "fuzzed"}, {"namespace", ns}}},
                 {"spec", {{"pipelineName", "fuzzed"}, {"pipelineDefinition", std::string(text)}}}};
  const AdmissionRequest create = RequestFor(object, user);
  Json patched;
  CheckCreate(fp, create, &patched);
  CheckUpdate(fp, create, patched);
}
