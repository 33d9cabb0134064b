#include "policy/rules/guardrail_rules.h"

#include <algorithm>

#include "policy/base/field_path.h"
#include "policy/base/glob.h"
#include "policy/base/text.h"
#include "policy/rules/refusals.h"

namespace keyward {
namespace {

using nlohmann::json;

std::string Shown(const json* value) {
  if (IsEmptyValue(value)) return "not set";
  return "is " + ElideMiddle(value->dump(-1, ' ', false, json::error_handler_t::replace), 80);
}

// Where a row's field is, or would be: instances whose parent exists, and
// for an anchored row those whose parent objects are missing.
std::vector<FieldInstance> RowSlots(const json& root, const GuardrailField& row) {
  return FindFieldSlots(root, row.split_path, row.anchor_depth, {});
}

class GuardrailChecker {
 public:
  GuardrailChecker(const Subject& s, const std::vector<const RefusedField*>& refused, const std::string& prefix,
                   SignedFindings& out)
      : s_(s), refused_(refused), prefix_(prefix), out_(out) {}

  void Check(const json& root, const GuardrailField& row, Enforcement level) {
    for (const FieldInstance& slot : RowSlots(root, row)) {
      const std::string path = prefix_ + slot.path;
      if (std::optional<AppliedRefusal> refusal = RefusalAt(refused_, row.split_path, slot.indices, root)) {
        if (!IsEmptyValue(slot.value)) {
          out_.findings.warnings.push_back(
              PathWarning("", path,
                          ": SageMaker refuses it here (" +
                              std::string(WordOf<Refusal>(kRefusalWords, refusal->row->when)) + ")"));
        }
        continue;
      }
      out_.signatures[path] = slot.value == nullptr ? "(absent)" : slot.value->dump(-1, ' ', false, json::error_handler_t::replace);
      switch (row.check) {
        case GuardCheck::kMustEqual:
          if (IsEmptyValue(slot.value) || *slot.value != row.expected) {
            Add(level, row, path,
                Shown(slot.value) + "; the " + std::string(GuardrailName(row.rule)) + " guardrail requires " +
                    row.expected.dump() + " " + std::string(row.why) + ": set it to " + row.expected.dump(),
                "must be " + row.expected.dump());
          }
          break;
        case GuardCheck::kMustNotEqual:
          if (!IsEmptyValue(slot.value) && *slot.value == row.expected) {
            Add(level, row, path,
                Shown(slot.value) + "; the " + std::string(GuardrailName(row.rule)) + " guardrail forbids it " +
                    std::string(row.why) + ": remove it",
                "must not be " + row.expected.dump());
          }
          break;
        case GuardCheck::kMustExist:
          if (IsEmptyValue(slot.value) || (slot.value->is_array() && slot.value->empty())) {
            Add(level, row, path,
                "is not set; the vpc guardrail requires a VPC configuration " + std::string(row.why) +
                    ": set it with the tenant's subnets and security groups",
                "no VPC configuration");
          }
          break;
        case GuardCheck::kSubnets:
        case GuardCheck::kSecurityGroups:
          CheckNetworkIds(slot, path, row, level);
          break;
        case GuardCheck::kApprovedImage:
          if (!IsEmptyValue(slot.value) && slot.value->is_string() &&
              !s_.policy.IsApprovedImage(s_.tenant, slot.value->get_ref<const std::string&>())) {
            Add(level, row, path,
                Quote(slot.value->get_ref<const std::string&>()) +
                    " is not from an approved registry; the images guardrail requires one of the policy's or tenant " +
                    s_.tenant->name + "'s imageRegistries: push the image there",
                "image not from an approved registry");
          }
          break;
        case GuardCheck::kMustNotMatch:
          if (!IsEmptyValue(slot.value) && slot.value->is_string() &&
              GlobMatch(row.value, slot.value->get_ref<const std::string&>())) {
            Add(level, row, path,
                Quote(slot.value->get_ref<const std::string&>()) + " is the public crowd; the " +
                    std::string(GuardrailName(row.rule)) + " guardrail forbids it " + std::string(row.why) +
                    ": use a private work team",
                "public crowd work team");
          }
          break;
      }
    }
  }

 private:
  void Add(Enforcement level, const GuardrailField& row, const std::string& path, std::string message,
           std::string summary) {
    out_.findings.AddAt(level, path, row.code, std::move(message), std::move(summary));
  }

  // Every subnet or security group is the tenant's: claimed by no other
  // tenant, and listed by this one when it lists any.
  void CheckNetworkIds(const FieldInstance& slot, const std::string& path, const GuardrailField& row,
                       Enforcement level) {
    if (IsEmptyValue(slot.value)) return;
    const bool subnets = row.check == GuardCheck::kSubnets;
    const std::vector<std::string>& own = subnets ? s_.tenant->subnets : s_.tenant->security_groups;
    const std::string what = subnets ? "subnet" : "security group";
    auto check = [&](const json& id, const std::string& id_path) {
      if (!id.is_string()) return;
      const std::string& text = id.get_ref<const std::string&>();
      out_.signatures[id_path] = text;
      std::vector<const Tenant*> owners =
          subnets ? s_.policy.TenantsClaimingSubnet(text) : s_.policy.TenantsClaimingSecurityGroup(text);
      if (std::find(owners.begin(), owners.end(), s_.tenant) != owners.end()) return;
      if (!owners.empty()) {
        const std::string names = OwnerNames(owners);
        const std::string owner = Owners(s_, names);
        out_.findings.AddAt(level, id_path, row.code,
                            what + " " + Quote(text) + " belongs to " + owner + ", not to tenant " + s_.tenant->name +
                                "; use one of tenant " + s_.tenant->name + "'s " + what + "s",
                            what + " of " + ElideMiddle(owner, 40), names);
      } else if (!own.empty()) {
        out_.findings.AddAt(level, id_path, row.code,
                            what + " " + Quote(text) + " is not one of tenant " + s_.tenant->name + "'s " + what +
                                "s (" + ElideEnd(Join(own, ", "), 120) + "); use one of them",
                            what + " not approved for " + ElideMiddle(s_.tenant->name, 40));
      }
    };
    if (slot.value->is_array()) {
      for (size_t i = 0; i < slot.value->size(); ++i) check((*slot.value)[i], path + "[" + std::to_string(i) + "]");
    } else {
      check(*slot.value, path);
    }
  }

  const Subject& s_;
  const std::vector<const RefusedField*>& refused_;
  const std::string& prefix_;
  SignedFindings& out_;
};

}  // namespace

SignedFindings CheckGuardrails(const Subject& s, const json& root, std::span<const GuardrailField> rows,
                               const std::vector<const RefusedField*>& refused, const std::string& path_prefix) {
  SignedFindings out(s.key_level);
  if (s.tenant == nullptr) return out;
  GuardrailChecker checker(s, refused, path_prefix, out);
  for (const GuardrailField& row : rows) {
    Enforcement level;
    if (!LevelApplies(s.policy.GuardrailFor(s.tenant, row.rule).level, &level)) continue;
    checker.Check(root, row, level);
  }
  return out;
}

std::vector<GuardrailInjection> GuardrailInjections(const Subject& s, const json& object, const json* old_object) {
  std::vector<GuardrailInjection> out;
  if (s.tenant == nullptr) return out;
  for (const GuardrailField& row : GuardrailsFor(s.kind.group, s.kind.kind)) {
    if (!row.injectable) continue;
    const GuardrailSetting setting = s.policy.GuardrailFor(s.tenant, row.rule);
    if (!setting.inject || setting.level == RuleLevel::kDisabled) continue;
    if (!row.inject_requires.empty() && IsEmptyValue(FindPlain(object, row.inject_requires))) continue;
    for (FieldInstance& slot : RowSlots(object, row)) {
      if (!IsEmptyValue(slot.value)) continue;
      if (RefusalAt(s.kind.refused, row.split_path, slot.indices, object)) continue;
      // On UPDATE, a place whose parent the stored object had keeps what it
      // held (carried forward when safe); a new one is filled as on CREATE.
      const bool carried =
          old_object != nullptr && PlaceExistedBefore(*old_object, row.split_path, row.anchor_depth, slot);
      if (carried) {
        const json* stored = FindSameField(*old_object, row.split_path, slot.indices);
        if (stored == nullptr || *stored != row.expected) continue;
      }
      out.push_back({std::move(slot), &row, carried});
    }
  }
  return out;
}

}  // namespace keyward
