// spec.guardrails and a tenant's overrides: each rule's level, and whether
// mutation injects its safe value.
#include "policy/model/policy_sections.h"

namespace keyward {
namespace {

// A rule's setting: `deny` (the level alone) or {enforcement: deny, inject: true}.
void ReadSetting(PolicyReader& reader, const YamlNode& node, const std::string& path, Guardrail rule,
                 std::optional<RuleLevel>* level, std::optional<bool>* inject) {
  auto read_level = [&](Fields& fields) {
    RuleLevel value = RuleLevel::kDisabled;
    size_t before = reader.ProblemCount();
    reader.Enum<RuleLevel>(fields, "enforcement", path, kRuleLevelWords, &value);
    if (reader.ProblemCount() == before) *level = value;
  };
  if (node.IsScalar()) {
    Fields one{{"enforcement", node}};
    read_level(one);
    return;
  }
  if (!node.IsMap()) {
    reader.Report(node.Mark(), path,
                  "must be a level (disabled | audit | warn | deny) or {enforcement: LEVEL, inject: true}");
    return;
  }
  Fields f = reader.Expect(node, path, {"enforcement", "inject"});
  if (f.count("enforcement")) read_level(f);
  if (f.count("inject")) {
    bool value = false;
    size_t before = reader.ProblemCount();
    reader.Bool(f, "inject", path, &value);
    if (reader.ProblemCount() != before) return;
    if (value && !GuardrailInjects(rule)) {
      reader.Report(f["inject"].Mark(), path + ".inject",
                    "the " + std::string(GuardrailName(rule)) +
                        " rule cannot inject a value (only networkIsolation, interContainerEncryption and "
                        "notebookExposure can); remove inject");
      return;
    }
    *inject = value;
  }
}

// Calls fn(rule, node, path) for each rule of a guardrails mapping.
template <typename Fn>
void EachRule(PolicyReader& reader, const YamlNode& node, const std::string& path, Fn fn) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    reader.Report(node.Mark(), path, "must be a mapping of rules, e.g. {networkIsolation: deny}");
    return;
  }
  Fields f = reader.Expect(node, path,
                           {"networkIsolation", "interContainerEncryption", "vpc", "notebookExposure",
                            "domainNetwork", "publicWorkforce", "interactiveAccess", "images"});
  for (auto& [name, value] : f) {
    const Guardrail* rule = ValueOf<Guardrail>(kGuardrailWords, name);
    if (rule != nullptr) fn(*rule, value, path + "." + name);
  }
}

}  // namespace

void ReadGuardrails(PolicyReader& reader, const YamlNode& node, Policy& policy) {
  EachRule(reader, node, "spec.guardrails", [&](Guardrail rule, const YamlNode& value, const std::string& path) {
    std::optional<RuleLevel> level;
    std::optional<bool> inject;
    ReadSetting(reader, value, path, rule, &level, &inject);
    GuardrailSetting& setting = policy.guardrails[static_cast<size_t>(rule)];
    if (level) setting.level = *level;
    if (inject) setting.inject = *inject;
  });
}

void ReadGuardrailOverrides(PolicyReader& reader, const YamlNode& node, const std::string& path, Tenant& tenant) {
  EachRule(reader, node, path, [&](Guardrail rule, const YamlNode& value, const std::string& rule_path) {
    GuardrailOverride& override = tenant.guardrails[static_cast<size_t>(rule)];
    ReadSetting(reader, value, rule_path, rule, &override.level, &override.inject);
  });
}

}  // namespace keyward
