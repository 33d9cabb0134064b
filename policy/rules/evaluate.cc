#include "policy/rules/evaluate.h"

#include <algorithm>
#include <optional>
#include <set>

#include "policy/base/field_path.h"
#include "policy/rules/guardrail_rules.h"
#include "policy/model/key_rules.h"
#include "policy/rules/pipeline_rules.h"
#include "policy/rules/refusals.h"
#include "policy/base/text.h"
#include "policy/rules/value_rules.h"

namespace keyward {
namespace {

// The region ACK will use, in the ACK runtime's order (its reconciler's
// getRegion): the region recorded in an existing resource's
// status.ackResourceMetadata, then the resource's services.k8s.aws/region
// annotation, then the namespace's services.k8s.aws/default-region, then
// the controller's default, which the tenant's region (else defaultRegion)
// stands for. The legacy operator's spec.region comes where ACK's
// annotation does. The recorded region is read from the stored object
// (oldObject) only: the status a request sends counts for nothing until
// the API server puts the stored one back, after the mutating webhooks.
std::string ResourceRegion(const Subject& s, const nlohmann::json& object) {
  if (s.request.old_object != nullptr) {
    const nlohmann::json* stored = FindPlain(*s.request.old_object, kAckStoredRegionPath);
    if (stored != nullptr && stored->is_string() && !stored->get_ref<const std::string&>().empty()) {
      return stored->get<std::string>();
    }
  }
  // Annotation keys contain dots, so they are looked up directly.
  const nlohmann::json* annotations = FindPlain(object, "metadata.annotations");
  if (annotations != nullptr && annotations->is_object()) {
    auto it = annotations->find(kResourceRegionAnnotation);
    if (it != annotations->end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      return it->get<std::string>();
    }
  }
  if (!s.kind.region_path.empty()) {
    const nlohmann::json* region = FindPlain(object, s.kind.region_path);
    if (region != nullptr && region->is_string() && !region->get_ref<const std::string&>().empty()) {
      return region->get<std::string>();
    }
  }
  if (s.request.namespace_info != nullptr) {
    auto it = s.request.namespace_info->annotations.find(kNamespaceRegionAnnotation);
    if (it != s.request.namespace_info->annotations.end() && !it->second.empty()) return it->second;
  }
  return s.tenant != nullptr ? s.policy.RegionFor(*s.tenant) : s.policy.default_region;
}

// The first instance type with local NVMe storage that the field covers, or
// "" when none does (or the field is not a volume on instances).
std::string LocalInstanceType(const Subject& s, const KmsField& field, const nlohmann::json& object,
                              const FieldInstance& instance) {
  if (field.local_storage == LocalStorageRule::kNotApplicable) return "";
  for (const SplitPath& pattern : field.split_instance_type_paths) {
    for (std::string_view type : FindBoundStrings(object, pattern, field.split_path, instance.indices)) {
      if (s.policy.HasLocalStorage(type)) return std::string(type);
    }
  }
  return "";
}

// Where a key field is, or must be: the instances whose parent exists, and
// for an anchored field those whose parent objects are missing.
std::vector<FieldInstance> KeySlots(const nlohmann::json& object, const KmsField& field) {
  return FindFieldSlots(object, field.split_path, field.anchor_depth, field.anchor_switch);
}

// Every rule that applies to one field instance of the object as it would be
// stored, as on CREATE.
// A key field SageMaker refuses here (refused_fields.h): never demanded.
// Output to S3 Express One Zone cannot be on the tenant's key at all, so it
// is a violation whether a key is set (SageMaker refuses the call) or not;
// any other refused key that is set draws a warning.
void CheckRefusedKey(const Subject& s, const FieldInstance& instance, const AppliedRefusal& refusal, Findings& out) {
  const bool set = !IsEmptyValue(instance.value);
  if (refusal.row->when == Refusal::kS3ExpressOutput) {
    const std::string whose = s.tenant != nullptr ? "tenant " + s.tenant->name + "'s" : "a customer-managed";
    if (set) {
      out.Add(instance.path, kS3ExpressOutput,
              "is set, but " + RefusalReason(refusal) + ": the call fails; write the output to a general-purpose "
              "S3 bucket and keep the key",
              "KMS key refused on S3 Express output");
    } else {
      out.Add(instance.path, kS3ExpressOutput,
              "cannot hold a key: " + RefusalReason(refusal) + ", so this output cannot be on " + whose +
                  " key; write it to a general-purpose S3 bucket instead",
              "S3 Express output cannot use a KMS key");
    }
    return;
  }
  if (set) {
    out.warnings.push_back(PathWarning("", instance.path,
                                       ": SageMaker refuses it here (" +
                                           std::string(WordOf<Refusal>(kRefusalWords, refusal.row->when)) + ")"));
  }
}

// How a missing key is fixed: set it, or, for a create-only key whose data
// an UPDATE brings in new, replace the resource with the key set.
enum class MissingKeyFix { kSet, kReplace };

void CheckInstance(const Subject& s, const KmsField& field, const FieldInstance& instance,
                   const nlohmann::json& object, const std::string& region, Findings& out,
                   MissingKeyFix fix = MissingKeyFix::kSet) {
  if (std::optional<AppliedRefusal> refusal = RefusalAt(s.kind.refused, field.split_path, instance.indices, object)) {
    CheckRefusedKey(s, instance, *refusal, out);
    return;
  }
  std::string local_type = LocalInstanceType(s, field, object, instance);
  if (IsEmptyValue(instance.value)) {
    if (field.deprecated || !local_type.empty()) return;
    if (fix == MissingKeyFix::kReplace) {
      out.Add(instance.path, kMissingKey,
              "no KMS key is set for data this update adds, and SageMaker cannot add this key to an existing "
              "resource; to add it, " + std::string(ReplacementFix(s.kind)) + " (" +
                  TenantKeyHint(s, field.purpose, region) + ")",
              "no KMS key set; replace the resource");
    } else {
      out.Add(instance.path, kMissingKey, "no KMS key is set; set it to " + TenantKeyHint(s, field.purpose, region),
              "no KMS key set");
    }
    return;
  }
  CheckLocalStorage(field.local_storage, instance.path, local_type, out);
  CheckSetKey(s, field.accepted_forms, instance.path, *instance.value, region,
              "; use " + TenantKeyHint(s, field.purpose, region),
              out);
}

void CheckRole(const Subject& s, const FieldInstance& instance, Findings& out) {
  if (IsEmptyValue(instance.value) || !instance.value->is_string()) return;
  CheckRoleText(s, instance.path, instance.value->get<std::string>(), out);
}

Findings CheckWholeObject(const Subject& s, const nlohmann::json& object) {
  Findings out(s.key_level);
  std::string region = ResourceRegion(s, object);
  for (const KmsField& field : s.kind.fields) {
    for (const FieldInstance& instance : KeySlots(object, field)) {
      CheckInstance(s, field, instance, object, region, out);
    }
  }
  for (const RoleField& field : s.kind.roles) {
    for (const FieldInstance& instance : FindFieldInstances(object, field.split_path)) CheckRole(s, instance, out);
  }
  out.Append(CheckEmbedded(s, object, region).findings);
  out.Append(CheckGuardrails(s, object, GuardrailsFor(s.kind.group, s.kind.kind), s.kind.refused, "").findings);
  return out;
}

// The violations of `now` at places whose signature differs from `before`
// (or that are new), recording every changed place.
void KeepChanged(SignedFindings now, const SignedFindings& before, std::set<std::string>* changed_paths,
                 Findings& out) {
  for (const auto& [path, signature] : now.signatures) {
    auto old = before.signatures.find(path);
    if (old == before.signatures.end() || old->second != signature) changed_paths->insert(path);
  }
  for (Violation& v : now.findings.violations) {
    if (changed_paths->count(v.path)) out.violations.push_back(std::move(v));
  }
  for (std::string& w : now.findings.warnings) out.warnings.push_back(std::move(w));
}

std::string ValueText(const nlohmann::json* value) {
  if (IsEmptyValue(value)) return "(none)";
  return value->is_string() ? Quote(value->get_ref<const std::string&>()) : value->dump();
}

// UPDATE: only fields whose value changes are judged (absent == ""), so an
// old object that predates the policy can still be labelled or finalized.
Findings CheckChangedFields(const Subject& s, const nlohmann::json& object, const nlohmann::json& old_object,
                            std::set<std::string>* changed_paths) {
  Findings out(s.key_level);
  std::string region = ResourceRegion(s, object);
  for (const KmsField& field : s.kind.fields) {
    std::vector<FieldInstance> current = KeySlots(object, field);
    for (const FieldInstance& instance : current) {
      // Data this update brings in new (a parent or anchor the stored object
      // did not have) is judged as on CREATE.
      if (!PlaceExistedBefore(old_object, field.split_path, field.anchor_depth, instance)) {
        changed_paths->insert(instance.path);
        if (IsEmptyValue(instance.value)) {
          CheckInstance(s, field, instance, object, region, out,
                        field.create_only ? MissingKeyFix::kReplace : MissingKeyFix::kSet);
          continue;
        }
      }
      const nlohmann::json* before = FindSameField(old_object, field.split_path, instance.indices);
      bool both_empty = IsEmptyValue(before) && IsEmptyValue(instance.value);
      if (both_empty || (!IsEmptyValue(before) && !IsEmptyValue(instance.value) && *before == *instance.value)) {
        continue;
      }
      changed_paths->insert(instance.path);
      if (field.create_only) {
        out.Add(instance.path, kImmutableKey,
                "changed from " + ValueText(before) + " to " + ValueText(instance.value) +
                    ", but SageMaker cannot change this key after creation; " +
                    (IsEmptyValue(before) ? "remove it again" : "restore " + ValueText(before)) +
                    ", or to change it, " + std::string(ReplacementFix(s.kind)),
                "create-only key changed; restore it");
      }
      if (!IsEmptyValue(instance.value) || !field.create_only) {
        CheckInstance(s, field, instance, object, region, out);
      }
    }
    // A key whose parent object disappeared was removed too.
    for (const FieldInstance& old_instance : FindFieldInstances(old_object, field.split_path)) {
      if (!field.create_only || IsEmptyValue(old_instance.value)) continue;
      bool still_there = std::any_of(current.begin(), current.end(),
                                     [&](const FieldInstance& c) { return c.path == old_instance.path; });
      if (still_there) continue;
      changed_paths->insert(old_instance.path);
      out.Add(old_instance.path, kImmutableKey,
              "was removed (it held " + ValueText(old_instance.value) +
                  "), but SageMaker cannot change this key after creation; restore it",
              "create-only key removed; restore it");
    }
  }
  for (const RoleField& field : s.kind.roles) {
    for (const FieldInstance& instance : FindFieldInstances(object, field.split_path)) {
      const nlohmann::json* before = FindSameField(old_object, field.split_path, instance.indices);
      if (IsEmptyValue(instance.value) || (!IsEmptyValue(before) && *before == *instance.value)) continue;
      changed_paths->insert(instance.path);
      CheckRole(s, instance, out);
    }
  }
  // Inside an embedded document, a place is judged when what it was judged
  // on changed (a step key's literal, its parameter's default, a step).
  KeepChanged(CheckEmbedded(s, object, region), CheckEmbedded(s, old_object, ResourceRegion(s, old_object)),
              changed_paths, out);
  const std::span<const GuardrailField> rows = GuardrailsFor(s.kind.group, s.kind.kind);
  KeepChanged(CheckGuardrails(s, object, rows, s.kind.refused, ""),
              CheckGuardrails(s, old_object, rows, s.kind.refused, ""), changed_paths, out);
  return out;
}

std::string ViolationWarning(const Violation& v) {
  return PathWarning(v.code + " at ", v.path, ": " + v.summary);
}

// Each violation at its own level: the object is denied when any is at
// deny (the message lists those); warn-level ones become warnings; audit-level
// ones are reported only (the server writes them as audit annotations). The
// result's enforcement is the strictest level that applied, or the key
// rules' level when nothing did.
ValidationResult Conclude(const Subject& s, Findings findings) {
  ValidationResult result;
  result.tenant = s.tenant != nullptr ? s.tenant->name : "";
  result.enforcement = findings.level;
  result.violations = std::move(findings.violations);
  result.warnings = std::move(findings.warnings);
  if (result.violations.empty()) return result;
  result.enforcement = Enforcement::kAudit;
  std::vector<const Violation*> denying;
  for (const Violation& v : result.violations) {
    result.enforcement = std::min(result.enforcement, v.enforcement);  // kDeny < kWarn < kAudit
    if (v.enforcement == Enforcement::kDeny) denying.push_back(&v);
    if (v.enforcement == Enforcement::kWarn) result.warnings.push_back(ViolationWarning(v));
  }
  if (denying.empty()) return result;
  result.allowed = false;
  std::string message = "keyward: " + KindAndName(s) + " violates the KMS key policy";
  if (s.tenant != nullptr) message += " of tenant " + s.tenant->name;
  message += " (" + std::to_string(denying.size()) + " violation" + (denying.size() == 1 ? "" : "s") + "):";
  for (size_t i = 0; i < denying.size(); ++i) {
    const Violation& v = *denying[i];
    message += " [" + std::to_string(i + 1) + "] " + v.code + " at " + v.path + ": " + v.message + ".";
  }
  result.message = std::move(message);
  return result;
}

// The namespace belongs to no tenant: what unmatchedNamespaces says.
ValidationResult ConcludeNoTenant(const Subject& s) {
  if (s.policy.unmatched_namespaces == UnmatchedNamespaces::kAllow) return Conclude(s, Findings(s.key_level));
  Enforcement level = s.policy.unmatched_namespaces == UnmatchedNamespaces::kWarn
                          ? std::max(s.policy.enforcement, Enforcement::kWarn)
                          : s.policy.enforcement;
  Findings findings(level);
  findings.Add("metadata.namespace", kNoTenant,
               "namespace " + Quote(s.request.namespace_name) +
                   " belongs to no tenant of the KMS key policy; ask the platform team to add it to a tenant",
               "namespace " + ElideMiddle(s.request.namespace_name, 40) + " belongs to no tenant");
  return Conclude(s, std::move(findings));
}

// Two tenants claim the namespace (by labels, or by a name and labels): a
// configuration error no request can fix, at deny whatever the levels.
ValidationResult ConcludeAmbiguousTenant(const Subject& s, const std::vector<const Tenant*>& claimants) {
  Findings findings(Enforcement::kDeny);
  const std::string names = OwnerNames(claimants);
  const std::string who = s.policy.reveal_other_tenants ? "tenants " + names : "more than one tenant";
  findings.Add("metadata.namespace", kAmbiguousTenant,
               "namespace " + Quote(s.request.namespace_name) + " is claimed by " + who +
                   " (by name or by its labels); ask the platform team to make the tenants' namespaces disjoint",
               "namespace claimed by more than one tenant", names);
  return Conclude(s, std::move(findings));
}

std::string InjectionWarning(const Injection& injection, const std::string& tenant, bool carried) {
  if (carried) return PathWarning("kept ", injection.path, " from the stored object");
  std::string after = " to tenant ";
  after += ElideMiddle(tenant, 30);
  after += "'s ";
  after += KeyPurposeName(injection.purpose);
  after += " key";
  return PathWarning("set ", injection.path, after);
}

// At most this many injection warnings, the last saying how many more.
constexpr size_t kMaxInjectionWarnings = 20;

void CapInjectionWarnings(MutationResult& result) {
  if (result.warnings.size() <= kMaxInjectionWarnings) return;
  size_t more = result.warnings.size() - (kMaxInjectionWarnings - 1);
  result.warnings.resize(kMaxInjectionWarnings - 1);
  result.warnings.push_back("keyward: and " + std::to_string(more) + " more fields set");
}

// The guardrails' safe values (CREATE), or those carried forward (UPDATE).
void InjectGuardrails(const Subject& s, const nlohmann::json& object, const nlohmann::json* old_object,
                      MutationResult& result) {
  for (const GuardrailInjection& injection : GuardrailInjections(s, object, old_object)) {
    result.patch.push_back(AddOperation(injection.at, injection.row->split_path, injection.row->expected));
    result.warnings.push_back(
        injection.carried
            ? PathWarning("kept ", injection.at.path, " from the stored object")
            : PathWarning("set ", injection.at.path,
                          " to " + injection.row->expected.dump() + " (" +
                              std::string(GuardrailName(injection.row->rule)) + ")"));
    result.guardrails_set.push_back(injection.at.path);
  }
}

// The path of an `add` whose value is an object, else nullptr. Members are
// looked up with find: comparing one to a literal would build a JSON string
// for each comparison.
const nlohmann::json* AddedObjectPath(const nlohmann::json& operation) {
  const auto op = operation.find("op");
  const auto value = operation.find("value");
  const auto path = operation.find("path");
  const bool adds_object = op != operation.end() && op->is_string() && op->get_ref<const std::string&>() == "add" &&
                           value != operation.end() && value->is_object() && path != operation.end();
  return adds_object ? &*path : nullptr;
}

// Two additions of the same missing object (networkConfig for both network
// isolation and inter-container encryption) become one, holding both.
void MergeAdditions(nlohmann::json& patch) {
  for (size_t i = 0; i < patch.size(); ++i) {
    for (size_t j = i + 1; j < patch.size();) {
      nlohmann::json& a = patch[i];
      const nlohmann::json& b = patch[j];
      const nlohmann::json* a_path = AddedObjectPath(a);
      const nlohmann::json* b_path = AddedObjectPath(b);
      if (a_path != nullptr && b_path != nullptr && *a_path == *b_path) {
        a["value"].update(b["value"], true);
        patch.erase(j);
      } else {
        ++j;
      }
    }
  }
}

// A pipeline definition's empty keys, in one replace of its text, with the
// keys of the resource's region as for the kind's own fields.
void FillEmbedded(const Subject& s, const nlohmann::json& object, const std::string& region,
                  MutationResult& result) {
  std::vector<Injection> injected;
  std::optional<nlohmann::json> op = FillEmbeddedKeys(s, object, region, &injected);
  if (!op) return;
  result.patch.push_back(std::move(*op));
  for (Injection& injection : injected) {
    result.warnings.push_back(InjectionWarning(injection, result.tenant, false));
    result.injected.push_back(std::move(injection));
  }
}

void AddInjection(MutationResult& result, const FieldInstance& instance, const KmsField& field, std::string key,
                  bool carried) {
  Injection injection{instance.path, field.purpose, std::move(key)};
  result.patch.push_back(AddOperation(instance, field.split_path, injection.key));
  result.warnings.push_back(InjectionWarning(injection, result.tenant, carried));
  result.injected.push_back(std::move(injection));
}

}  // namespace

bool IsSubresourceRequest(const AdmissionRequest& request) { return !request.sub_resource.empty(); }

const CatalogKind* JudgedKind(const Policy& policy, const AdmissionRequest& request) {
  const bool writes = request.operation == Operation::kCreate || request.operation == Operation::kUpdate;
  if (!writes || request.object == nullptr || IsSubresourceRequest(request) ||
      policy.IsExemptNamespace(request.namespace_name)) {
    return nullptr;
  }
  return FindCatalogKind(request.group, request.kind);
}

MutationResult Mutate(const Policy& policy, const AdmissionRequest& request) {
  MutationResult result;
  const CatalogKind* kind = JudgedKind(policy, request);
  if (kind == nullptr || policy.mutation == MutationMode::kDisabled) {
    return result;
  }
  const std::vector<const Tenant*> claimants = policy.TenantsClaimingNamespace(request.namespace_name, request.namespace_info);
  if (claimants.size() != 1) return result;  // none, or a conflict validation reports
  const Tenant* tenant = claimants.front();
  result.tenant = tenant->name;
  Subject s{policy, request, *kind, tenant, policy.EnforcementFor(tenant)};
  const nlohmann::json& object = *request.object;

  // The keys of the region ACK will create the resource in; none where the
  // tenant lists none there (never a key that RegionMismatch would deny).
  const std::string region = ResourceRegion(s, object);
  if (request.operation == Operation::kCreate) {
    for (const KmsField& field : kind->fields) {
      if (field.deprecated) continue;
      for (const FieldInstance& instance : KeySlots(object, field)) {
        if (!IsEmptyValue(instance.value) || !LocalInstanceType(s, field, object, instance).empty()) continue;
        if (RefusalAt(kind->refused, field.split_path, instance.indices, object)) continue;
        const std::string* key = TenantKeyIn(s, field.purpose, region);
        if (key == nullptr) continue;
        AddInjection(result, instance, field, *key, false);
      }
    }
    FillEmbedded(s, object, region, result);
    InjectGuardrails(s, object, nullptr, result);
    MergeAdditions(result.patch);
    CapInjectionWarnings(result);
    return result;
  }

  // UPDATE: carry create-only keys forward, so re-applying the original
  // manifest (kubectl replace, GitOps) keeps the key instead of failing. An
  // updatable key whose data this update brings in new (its parent or
  // anchor is new) is filled as on CREATE; a create-only one never is
  // (SageMaker cannot add it: validation says to replace the resource).
  if (request.old_object == nullptr || policy.IsTrustedUser(request.username)) return result;
  const nlohmann::json& old_object = *request.old_object;
  for (const KmsField& field : kind->fields) {
    if (field.deprecated) continue;
    for (const FieldInstance& instance : KeySlots(object, field)) {
      if (!IsEmptyValue(instance.value)) continue;
      if (field.create_only) {
        const nlohmann::json* stored = FindSameField(old_object, field.split_path, instance.indices);
        if (IsEmptyValue(stored) || !stored->is_string()) continue;
        AddInjection(result, instance, field, stored->get<std::string>(), true);
      } else if (!PlaceExistedBefore(old_object, field.split_path, field.anchor_depth, instance) &&
                 LocalInstanceType(s, field, object, instance).empty() &&
                 !RefusalAt(kind->refused, field.split_path, instance.indices, object) &&
                 TenantKeyIn(s, field.purpose, region) != nullptr) {
        AddInjection(result, instance, field, *TenantKeyIn(s, field.purpose, region), false);
      }
    }
  }
  // A pipeline's keys can change, so its empty ones are filled on UPDATE too.
  FillEmbedded(s, object, region, result);
  InjectGuardrails(s, object, request.old_object, result);
  MergeAdditions(result.patch);
  CapInjectionWarnings(result);
  return result;
}

ValidationResult Validate(const Policy& policy, const AdmissionRequest& request) {
  const CatalogKind* kind = JudgedKind(policy, request);
  if (kind == nullptr) return {};
  bool is_update = request.operation == Operation::kUpdate;
  if (is_update && (request.old_object == nullptr || policy.IsTrustedUser(request.username))) return {};
  const std::vector<const Tenant*> claimants = policy.TenantsClaimingNamespace(request.namespace_name, request.namespace_info);
  const Tenant* tenant = claimants.size() == 1 ? claimants.front() : nullptr;
  Subject s{policy, request, *kind, tenant, policy.EnforcementFor(tenant)};
  if (claimants.size() > 1) return ConcludeAmbiguousTenant(s, claimants);

  if (!is_update) {
    if (tenant == nullptr) return ConcludeNoTenant(s);
    return Conclude(s, CheckWholeObject(s, *request.object));
  }

  std::set<std::string> changed;
  Findings findings = CheckChangedFields(s, *request.object, *request.old_object, &changed);
  if (tenant == nullptr) return changed.empty() ? ValidationResult{} : ConcludeNoTenant(s);
  // Say so when the object is admitted while out of policy in fields this
  // update did not touch.
  Findings whole = CheckWholeObject(s, *request.object);
  std::vector<const Violation*> untouched;
  for (const Violation& v : whole.violations) {
    if (!changed.count(v.path)) untouched.push_back(&v);
  }
  if (!untouched.empty()) {
    std::string more = untouched.size() > 1 ? ", +" + std::to_string(untouched.size() - 1) + " more" : "";
    findings.warnings.push_back(PathWarning("object is out of KMS policy: " + untouched.front()->code + " at ",
                                            untouched.front()->path, more));
  }
  return Conclude(s, std::move(findings));
}

Outcome OutcomeOf(const Policy& policy, const AdmissionRequest& request, const ValidationResult& validation) {
  if (FindCatalogKind(request.group, request.kind) == nullptr) {
    return IsSageMakerGroup(request.group) ? Outcome::kSkipped : Outcome::kAllowed;
  }
  if (policy.IsExemptNamespace(request.namespace_name)) return Outcome::kExempt;
  switch (VerdictOf(validation)) {
    case Verdict::kAllowed:
      return Outcome::kAllowed;
    case Verdict::kWarned:
      return Outcome::kWarned;
    case Verdict::kAudited:
      return Outcome::kAudited;
    case Verdict::kDenied:
      return Outcome::kDenied;
  }
  return Outcome::kAllowed;
}

std::string SkipReason(const AdmissionRequest& request) {
  std::string reason = request.kind + " is not a kind keyward knows in " + request.group;
  if (const CatalogKind* nearest = NearestCatalogKind(request.group, request.kind)) {
    return reason + "; did you mean " + std::string(nearest->kind) + "?";
  }
  return reason + " (keyward catalog lists them)";
}

const std::string* InjectedKey(const Policy& policy, const AdmissionRequest& request, const CatalogKind& kind,
                               const Tenant& tenant, KeyPurpose purpose) {
  Subject s{policy, request, kind, &tenant, policy.EnforcementFor(&tenant)};
  return TenantKeyIn(s, purpose, ResourceRegion(s, *request.object));
}

size_t KeyFieldCount(const CatalogKind& kind, const nlohmann::json& object) {
  size_t count = CountEmbeddedKeyFields(kind, object);
  for (const KmsField& field : kind.fields) {
    if (!field.deprecated) count += KeySlots(object, field).size();
  }
  return count;
}

std::vector<RefusedKeyPlace> KeysSageMakerRefuses(const Policy& policy, const CatalogKind& kind,
                                                  const nlohmann::json& object) {
  std::vector<RefusedKeyPlace> out;
  AdmissionRequest request;  // LocalInstanceType reads only the policy and the kind
  Subject s{policy, request, kind, nullptr, policy.enforcement};
  for (const KmsField& field : kind.fields) {
    if (field.deprecated) continue;
    for (const FieldInstance& instance : KeySlots(object, field)) {
      if (!IsEmptyValue(instance.value)) continue;
      if (std::optional<AppliedRefusal> refusal = RefusalAt(kind.refused, field.split_path, instance.indices, object)) {
        if (refusal->row->when != Refusal::kS3ExpressOutput) out.push_back({instance.path, RefusalReason(*refusal)});
        continue;
      }
      const std::string local_type = LocalInstanceType(s, field, object, instance);
      if (!local_type.empty()) {
        out.push_back({instance.path, "local storage is hardware-encrypted; no customer key is possible (" +
                                          local_type + " has local NVMe storage)"});
      }
    }
  }
  return out;
}

std::optional<KeyPurpose> CreateOnlyKeyAt(const CatalogKind& kind, const nlohmann::json& object,
                                          std::string_view path) {
  for (const KmsField& field : kind.fields) {
    if (!field.create_only) continue;
    for (const FieldInstance& slot : KeySlots(object, field)) {
      if (slot.path == path) return field.purpose;
    }
  }
  return std::nullopt;
}

Evaluation Evaluate(const Policy& policy, const AdmissionRequest& request) {
  Evaluation evaluation;
  evaluation.mutation = Mutate(policy, request);
  if (request.object == nullptr) {
    evaluation.validation = Validate(policy, request);
    return evaluation;
  }
  evaluation.mutated_object = evaluation.mutation.patch.empty() ? *request.object
                                                                 : request.object->patch(evaluation.mutation.patch);
  AdmissionRequest mutated = request;
  mutated.object = &evaluation.mutated_object;
  evaluation.validation = Validate(policy, mutated);
  return evaluation;
}

}  // namespace keyward
