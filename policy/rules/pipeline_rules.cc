#include "policy/rules/pipeline_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "policy/base/field_path.h"
#include "policy/rules/guardrail_rules.h"
#include "policy/catalog/pipeline_steps.h"
#include "policy/base/text.h"

namespace keyward {
namespace {

using nlohmann::json;

constexpr std::string_view kParametersPrefix = "Parameters.";

// The deepest nesting of [ and { in JSON text, strings skipped: checked
// before parsing, so a hostile definition never builds a deep tree.
size_t NestingDepth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

struct ParsedDefinition {
  json doc;
  std::string error;  // what is wrong, with the parser's position; empty when doc is usable
};

ParsedDefinition ParseDefinition(const json& value) {
  ParsedDefinition parsed;
  if (!value.is_string()) {
    parsed.error = std::string("must be a string holding the pipeline definition JSON, not ") + value.type_name();
    return parsed;
  }
  const std::string& text = value.get_ref<const std::string&>();
  if (NestingDepth(text) > kMaxDefinitionDepth) {
    parsed.error = "is nested deeper than " + std::to_string(kMaxDefinitionDepth) + " levels; no definition needs that";
    return parsed;
  }
  try {
    parsed.doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    std::string what = e.what();
    size_t bracket = what.find("] ");
    // The parser quotes what it last read, which may stop inside a character.
    parsed.error = "is not valid JSON: " + ValidUtf8(bracket == std::string::npos ? what : what.substr(bracket + 2));
    return parsed;
  }
  if (!parsed.doc.is_object() || !parsed.doc.contains("Steps") || !parsed.doc["Steps"].is_array()) {
    parsed.error = "has no Steps array; a pipeline definition is {\"Version\": \"2020-12-01\", \"Parameters\": [...], "
                   "\"Steps\": [...]}";
  }
  return parsed;
}

// One step of the definition, wherever it stands.
struct StepSite {
  const json* step = nullptr;
  const json* arguments = nullptr;  // null when absent or not an object
  std::string type;                 // "" when absent
  std::string path;                 // Steps[Train], Steps[Check].Arguments.IfSteps[Evaluate]
  std::string pointer;              // /Steps/0, /Steps/1/Arguments/IfSteps/0
};

void CollectSteps(const json& steps, const std::string& path, const std::string& pointer, std::vector<StepSite>* out) {
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& step = steps[i];
    StepSite site;
    site.step = &step;
    std::string name = std::to_string(i);
    if (step.is_object()) {
      if (auto it = step.find("Name"); it != step.end() && it->is_string()) name = it->get<std::string>();
      if (auto it = step.find("Type"); it != step.end() && it->is_string()) site.type = it->get<std::string>();
      if (auto it = step.find("Arguments"); it != step.end() && it->is_object()) site.arguments = &*it;
    }
    site.path = path + "[" + name + "]";
    site.pointer = pointer + "/" + std::to_string(i);
    out->push_back(site);
    const StepKind* kind = FindStepKind(site.type, site.arguments);
    if (kind == nullptr || kind->shape != StepShape::kCondition || site.arguments == nullptr) continue;
    for (const char* branch : {"IfSteps", "ElseSteps"}) {
      auto it = site.arguments->find(branch);
      if (it != site.arguments->end() && it->is_array()) {
        CollectSteps(*it, site.path + ".Arguments." + branch, site.pointer + "/Arguments/" + branch, out);
      }
    }
  }
}

// What a key (or instance type, or role) field of a step stands for.
struct Resolved {
  enum class Form {
    kEmpty,           // absent, null or "": mutation fills it
    kText,            // a literal, or a parameter with a default
    kUnsetParameter,  // a parameter without a default
    kExpression,      // any other Get, Std:Join, ...: cannot be judged
    kOther,           // a number, a list, ...: not a key
  };
  Form form = Form::kEmpty;
  std::string text;       // kText
  std::string parameter;  // the parameter's name, when it is one
};

class Parameters {
 public:
  explicit Parameters(const json& doc) {
    auto list = doc.find("Parameters");
    if (list == doc.end() || !list->is_array()) return;
    for (const json& parameter : *list) {
      if (!parameter.is_object()) continue;
      auto name = parameter.find("Name");
      if (name != parameter.end() && name->is_string()) by_name_.emplace(name->get<std::string>(), &parameter);
    }
  }

  Resolved Resolve(const json* value) const {
    Resolved out;
    if (IsEmptyValue(value)) return out;
    if (value->is_string()) {
      out.form = Resolved::Form::kText;
      out.text = value->get<std::string>();
      return out;
    }
    if (!value->is_object()) {
      out.form = Resolved::Form::kOther;
      return out;
    }
    auto get = value->find("Get");
    if (value->size() != 1 || get == value->end() || !get->is_string() ||
        !get->get_ref<const std::string&>().starts_with(kParametersPrefix)) {
      out.form = Resolved::Form::kExpression;
      return out;
    }
    out.parameter = get->get<std::string>().substr(kParametersPrefix.size());
    auto parameter = by_name_.find(out.parameter);
    const json* fallback = nullptr;
    if (parameter != by_name_.end()) {
      auto found = parameter->second->find("DefaultValue");
      if (found != parameter->second->end()) fallback = &*found;
    }
    if (fallback == nullptr || !fallback->is_string() || fallback->get_ref<const std::string&>().empty()) {
      out.form = Resolved::Form::kUnsetParameter;
      return out;
    }
    out.form = Resolved::Form::kText;
    out.text = fallback->get<std::string>();
    return out;
  }

 private:
  std::map<std::string, const json*> by_name_;
};

// A key field of a step's table row, where it stands.
struct KeySlot {
  const StepSite* site;
  const KmsField* field;
  FieldInstance instance;  // path and pointer relative to Arguments
  Resolved value;
};

std::string DefinitionPath(const Subject& s, const StepSite& site, std::string_view inside_arguments) {
  return std::string(s.kind.embedded_path) + std::string(kEmbeddedPathSeparator) + site.path + ".Arguments." +
         std::string(inside_arguments);
}

std::string Signature(const json* raw, const Resolved& value) {
  return (raw == nullptr ? std::string("(absent)") : raw->dump(-1, ' ', false, json::error_handler_t::replace)) +
         " => " + value.text;
}

// Everything about one parsed definition: its steps, parameters and the key
// fields of their table rows.
class Definition {
 public:
  explicit Definition(const json& doc) : parameters_(doc) {
    CollectSteps(doc["Steps"], "Steps", "/Steps", &sites_);
    for (const StepSite& site : sites_) {
      const StepKind* kind = FindStepKind(site.type, site.arguments);
      if (kind == nullptr || site.arguments == nullptr) continue;
      for (const KmsField& field : kind->fields) {
        for (FieldInstance& instance : FindFieldInstances(*site.arguments, field.split_path)) {
          Resolved value = parameters_.Resolve(instance.value);
          slots_.push_back({&site, &field, std::move(instance), std::move(value)});
        }
      }
    }
  }

  const std::vector<StepSite>& sites() const { return sites_; }
  const std::vector<KeySlot>& slots() const { return slots_; }
  const Parameters& parameters() const { return parameters_; }

  // The first instance type with local NVMe storage that a slot's volume
  // covers (parameters resolved to their defaults), or "".
  std::string LocalInstanceType(const Policy& policy, const KeySlot& slot) const {
    const KmsField& field = *slot.field;
    if (field.local_storage == LocalStorageRule::kNotApplicable) return "";
    for (const SplitPath& pattern : field.split_instance_type_paths) {
      size_t shared = 0;  // leading arrays shared with the key's path: the same element
      for (size_t i = 0; i < pattern.size() && i < field.split_path.size(); ++i) {
        if (pattern[i].name != field.split_path[i].name || pattern[i].array != field.split_path[i].array) break;
        if (pattern[i].array) ++shared;
      }
      for (const FieldInstance& type : FindFieldInstances(*slot.site->arguments, pattern)) {
        bool same_element = std::equal(type.indices.begin(), type.indices.begin() + static_cast<std::ptrdiff_t>(
                                                                 std::min(shared, type.indices.size())),
                                       slot.instance.indices.begin());
        Resolved resolved = parameters_.Resolve(type.value);
        if (same_element && resolved.form == Resolved::Form::kText && policy.HasLocalStorage(resolved.text)) {
          return resolved.text;
        }
      }
    }
    return "";
  }

 private:
  Parameters parameters_;
  std::vector<StepSite> sites_;
  std::vector<KeySlot> slots_;
};

// Checks the rules of one judged value and records its signature.
class DefinitionChecker {
 public:
  DefinitionChecker(const Subject& s, const Definition& definition, const std::string& region, SignedFindings& out)
      : s_(s), definition_(definition), region_(region), out_(out) {}

  void Run() {
    for (const KeySlot& slot : definition_.slots()) CheckSlot(slot);
    for (const StepSite& site : definition_.sites()) {
      CheckOpaque(site);
      if (site.arguments == nullptr) continue;
      std::set<std::string> table_paths;
      for (const KeySlot& slot : definition_.slots()) {
        if (slot.site == &site) table_paths.insert(slot.instance.path);
      }
      WalkMembers(site, *site.arguments, "", table_paths, FindStepKind(site.type, site.arguments));
      CheckStepGuardrails(site);
    }
  }

 private:
  void CheckSlot(const KeySlot& slot) {
    const KmsField& field = *slot.field;
    const std::string path = DefinitionPath(s_, *slot.site, slot.instance.path);
    out_.signatures[path] = Signature(slot.instance.value, slot.value);
    const std::string local_type = definition_.LocalInstanceType(s_.policy, slot);
    const std::string use = "; use " + TenantKeyHint(s_, field.purpose, region_);
    Findings& out = out_.findings;
    switch (slot.value.form) {
      case Resolved::Form::kEmpty:
        if (local_type.empty()) out.Add(path, kMissingKey, "no KMS key is set" + use, "no KMS key set");
        return;
      case Resolved::Form::kUnsetParameter:
        if (local_type.empty()) {
          const std::string* key = TenantKeyIn(s_, field.purpose, region_);
          const std::string value = key != nullptr ? *key : "of " + TenantKeyHint(s_, field.purpose, region_);
          out.Add(path, kMissingKey,
                  "parameter " + Quote(slot.value.parameter) +
                      " has no default value, so the job runs without a KMS key unless every run sets it; give it "
                      "the DefaultValue " + value + " (keyward never changes parameters)",
                  "parameter without a default key");
        }
        return;
      case Resolved::Form::kExpression:
        out.Add(path, kKeyFormat,
                ElideMiddle(slot.instance.value->dump(-1, ' ', false, json::error_handler_t::replace), 80) +
                    " is an expression keyward cannot resolve; a key must be a literal or a parameter "
                    "({\"Get\": \"Parameters.NAME\"} with the key as its DefaultValue)" + use,
                "key is an expression, not a literal or parameter");
        return;
      case Resolved::Form::kText:
      case Resolved::Form::kOther:
        break;
    }
    CheckLocalStorage(field.local_storage, path, local_type, out);
    CheckValue(field.accepted_forms, path, slot, use);
  }

  // The guardrails of the job a step starts, on its AWS-cased Arguments.
  void CheckStepGuardrails(const StepSite& site) {
    const std::span<const GuardrailField> rows = StepGuardrailsFor(site.type);
    if (rows.empty()) return;
    const json wrapper = {{"Arguments", *site.arguments}};
    const std::string prefix = std::string(s_.kind.embedded_path) + std::string(kEmbeddedPathSeparator) + site.path + ".";
    // Steps have no refused guardrail fields (refused_fields.h is per kind).
    SignedFindings found = CheckGuardrails(s_, wrapper, rows, {}, prefix);
    out_.findings.Append(std::move(found.findings));
    for (auto& [path, signature] : found.signatures) out_.signatures[path] = std::move(signature);
  }

  void CheckValue(KeyForms forms, const std::string& path, const KeySlot& slot, const std::string& use) {
    if (slot.value.form == Resolved::Form::kText) {
      CheckSetKey(s_, forms, path, json(slot.value.text), region_, use, out_.findings);
    } else {
      CheckSetKey(s_, forms, path, *slot.instance.value, region_, use, out_.findings);
    }
  }

  void CheckOpaque(const StepSite& site) {
    const StepKind* kind = FindStepKind(site.type, site.arguments);
    if (kind != nullptr && kind->shape != StepShape::kOpaque) return;
    Enforcement level;
    if (!LevelApplies(s_.policy.opaque_steps, &level)) return;
    const std::string path = std::string(s_.kind.embedded_path) + std::string(kEmbeddedPathSeparator) + site.path;
    out_.signatures[path] = site.step->dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string type = site.type.empty() ? "(no Type)" : Quote(site.type);
    out_.findings.AddAt(level, path, kOpaqueStep,
                        "step type " + type +
                            " runs code keyward cannot see into, so the keys and roles it uses are not checked; "
                            "review the step, or have the platform team set spec.pipelines.opaqueSteps",
                        "step " + ElideMiddle(site.type, 30) + " cannot be checked");
  }

  // Key and role members at any depth of a step's Arguments (IfSteps and
  // ElseSteps of a Condition are steps of their own).
  void WalkMembers(const StepSite& site, const json& node, const std::string& path,
                   const std::set<std::string>& table_paths, const StepKind* kind) {
    if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) {
        WalkMembers(site, node[i], path + "[" + std::to_string(i) + "]", table_paths, kind);
      }
      return;
    }
    if (!node.is_object()) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& name = it.key();
      if (path.empty() && kind != nullptr && kind->shape == StepShape::kCondition &&
          (name == "IfSteps" || name == "ElseSteps")) {
        continue;
      }
      const std::string member_path = path.empty() ? name : path + "." + name;
      const bool is_key = std::find(kStepKeyMemberNames.begin(), kStepKeyMemberNames.end(), name) !=
                          kStepKeyMemberNames.end();
      const bool is_role = std::find(kStepRoleMemberNames.begin(), kStepRoleMemberNames.end(), name) !=
                           kStepRoleMemberNames.end();
      if (is_key && !table_paths.count(member_path)) CheckOtherKey(site, member_path, &it.value());
      if (is_role) CheckStepRole(site, member_path, &it.value());
      WalkMembers(site, it.value(), member_path, table_paths, kind);
    }
  }

  // A key member outside the table: checked when set, never required.
  void CheckOtherKey(const StepSite& site, const std::string& member_path, const json* value) {
    Resolved resolved = definition_.parameters().Resolve(value);
    if (resolved.form == Resolved::Form::kEmpty || resolved.form == Resolved::Form::kUnsetParameter) return;
    const std::string path = DefinitionPath(s_, site, member_path);
    out_.signatures[path] = Signature(value, resolved);
    const KeyPurpose purpose =
        member_path.find("Volume") != std::string::npos ? KeyPurpose::kVolume : KeyPurpose::kOutput;
    KmsField field{member_path, purpose, false, false};
    KeySlot slot{&site, &field, FieldInstance{member_path, "", {}, value}, resolved};
    const std::string use = "; use " + TenantKeyHint(s_, purpose, region_);
    if (resolved.form == Resolved::Form::kExpression) {
      out_.findings.Add(path, kKeyFormat,
                        "is an expression keyward cannot resolve; a key must be a literal or a parameter" + use,
                        "key is an expression, not a literal or parameter");
      return;
    }
    CheckValue(kAnyKeyForm, path, slot, use);
  }

  void CheckStepRole(const StepSite& site, const std::string& member_path, const json* value) {
    Resolved resolved = definition_.parameters().Resolve(value);
    if (resolved.form != Resolved::Form::kText) return;
    const std::string path = DefinitionPath(s_, site, member_path);
    out_.signatures[path] = Signature(value, resolved);
    CheckRoleText(s_, path, resolved.text, out_.findings);
  }

  const Subject& s_;
  const Definition& definition_;
  const std::string& region_;
  SignedFindings& out_;
};

void CheckDefinition(const Subject& s, const nlohmann::json& object, const std::string& region,
                     SignedFindings& out) {
  const json* value = FindPlain(object, s.kind.embedded_path);
  if (value == nullptr || value->is_null()) return;
  const std::string path(s.kind.embedded_path);
  out.signatures[path] = value->dump(-1, ' ', false, json::error_handler_t::replace);
  ParsedDefinition parsed = ParseDefinition(*value);
  if (!parsed.error.empty()) {
    out.findings.Add(path, kPipelineDefinition,
                     "the pipeline definition " + parsed.error + "; fix it so keyward can check the keys of its steps",
                     "pipeline definition unreadable");
    return;
  }
  Definition definition(parsed.doc);
  DefinitionChecker(s, definition, region, out).Run();
}

// "arn:aws:sagemaker:REGION:ACCOUNT:pipeline/NAME" (or an execution's ARN,
// .../pipeline/NAME/execution/ID) is the pipeline NAME; a name is itself.
std::string PipelineNameOf(std::string_view name_or_arn) {
  constexpr std::string_view kMarker = ":pipeline/";
  const size_t at = name_or_arn.starts_with("arn:") ? name_or_arn.find(kMarker) : std::string_view::npos;
  if (at == std::string_view::npos) return std::string(name_or_arn);
  std::string_view rest = name_or_arn.substr(at + kMarker.size());
  return std::string(rest.substr(0, rest.find('/')));
}

// A run's parameters, by name: where each stands and its value.
struct RunParameter {
  size_t index;
  const json* value;  // null when absent
};

std::map<std::string, RunParameter> RunParametersOf(const json* parameters) {
  std::map<std::string, RunParameter> out;
  if (parameters == nullptr || !parameters->is_array()) return out;
  for (size_t i = 0; i < parameters->size(); ++i) {
    const json& parameter = (*parameters)[i];
    if (!parameter.is_object() || !parameter.contains("name") || !parameter["name"].is_string()) continue;
    out[parameter["name"].get<std::string>()] = {i, parameter.contains("value") ? &parameter["value"] : nullptr};
  }
  return out;
}

// The definition with the run's values as its parameters' defaults: what
// the run's steps will read. Returns the names it changed.
std::set<std::string> ApplyRunParameters(const std::map<std::string, RunParameter>& run, json* doc) {
  std::set<std::string> changed;
  auto list = doc->find("Parameters");
  if (list == doc->end() || !list->is_array()) return changed;
  for (json& parameter : *list) {
    if (!parameter.is_object() || !parameter.contains("Name") || !parameter["Name"].is_string()) continue;
    auto given = run.find(parameter["Name"].get<std::string>());
    if (given == run.end()) continue;
    const json* value = given->second.value;
    parameter["DefaultValue"] = value != nullptr && !value->is_null() ? *value : json("");
    changed.insert(given->first);
  }
  return changed;
}

// The parameter of `set_by_run` that the step holding `path` (a definition
// path, spec.pipelineDefinition:Steps[...]...) reads, or "".
std::string RunParameterReadAt(const Definition& definition, const std::string& path,
                               const std::set<std::string>& set_by_run) {
  const size_t colon = path.find(kEmbeddedPathSeparator);
  if (colon == std::string::npos) return "";
  const std::string_view inside_definition = std::string_view(path).substr(colon + kEmbeddedPathSeparator.size());
  const StepSite* holder = nullptr;
  for (const StepSite& site : definition.sites()) {
    const bool inside = inside_definition == site.path ||
                        (inside_definition.starts_with(site.path) && inside_definition.size() > site.path.size() &&
                         inside_definition[site.path.size()] == '.');
    if (inside && (holder == nullptr || site.path.size() > holder->path.size())) holder = &site;
  }
  if (holder == nullptr || holder->arguments == nullptr) return "";
  std::string found;
  std::vector<const json*> pending = {holder->arguments};
  while (!pending.empty() && found.empty()) {
    const json* node = pending.back();
    pending.pop_back();
    if (node->is_object()) {
      const std::string parameter = definition.parameters().Resolve(node).parameter;
      if (set_by_run.count(parameter)) found = parameter;
      for (const json& member : *node) pending.push_back(&member);
    } else if (node->is_array()) {
      for (const json& item : *node) pending.push_back(&item);
    }
  }
  return found;
}

// A run judged as the steps it will run: the pipeline it names, found as ACK
// finds it (spec.pipelineName, a name or an ARN), must be the tenant's; then
// every table key field of a step that reads a parameter the run sets, or
// whose volume the run's instance type puts on local NVMe, is judged as the
// Pipeline's own rules judge it (DefinitionChecker), on the definition with
// the run's values; and anything else in a step that reads such a parameter
// (a role, a guardrail, another key member) counts where the run's values
// add a violation the Pipeline itself does not have. Violations are
// reported at the run's parameter, naming the step and the field. False when
// the pipeline is not known (or cannot be read): the run is then judged by
// its values alone.
bool CheckRunAgainstPipeline(const Subject& s, const json& execution, const std::string& region, SignedFindings& out) {
  const json* named = FindPlain(execution, "spec.pipelineName");
  if (s.tenant == nullptr || named == nullptr || !named->is_string() || named->get_ref<const std::string&>().empty()) {
    return false;
  }
  const std::string name = PipelineNameOf(named->get_ref<const std::string&>());
  const std::optional<KnownPipeline> pipeline = s.request.pipelines->Find(name);
  if (!pipeline || pipeline->object == nullptr) {
    out.findings.warnings.push_back(ElideMiddle("keyward: pipeline " + Quote(ElideMiddle(name, 40)) +
                                                    " is not known to keyward; only key-like parameter values are checked",
                                                kMaxWarningLength));
    return false;
  }
  out.signatures["spec.pipelineName"] = named->get<std::string>() + " in " + pipeline->namespace_name;
  const std::vector<const Tenant*> owners =
      s.policy.TenantsClaimingNamespace(pipeline->namespace_name, pipeline->namespace_info);
  if (owners.size() != 1 || owners[0] != s.tenant) {
    const std::string names = OwnerNames(owners);
    const std::string whose = owners.empty() ? std::string("no tenant") : Owners(s, names);
    out.findings.AddAt(Enforcement::kDeny, "spec.pipelineName", kForeignPipeline,
                       "pipeline " + Quote(name) + " belongs to " + whose +
                           ", and a run of it would use its role and data; run a pipeline of tenant " + s.tenant->name,
                       "pipeline of another tenant", names);
    return true;
  }
  const json* text = FindPlain(*pipeline->object, "spec.pipelineDefinition");
  if (text == nullptr) return false;
  ParsedDefinition original = ParseDefinition(*text);
  if (!original.error.empty()) return false;  // the Pipeline itself is PipelineDefinition
  const std::map<std::string, RunParameter> run = RunParametersOf(FindPlain(execution, s.kind.embedded_path));
  json doc = original.doc;
  const std::set<std::string> set_by_run = ApplyRunParameters(run, &doc);
  if (set_by_run.empty()) return true;

  // The places the run changes: key fields reading a parameter it sets, and
  // volumes its instance type moves onto local NVMe.
  const Definition before(original.doc), after(doc);
  const CatalogKind* pipeline_kind = FindCatalogKind(kAckGroup, "Pipeline");
  if (pipeline_kind == nullptr || before.slots().size() != after.slots().size()) return true;
  const Subject as_pipeline{s.policy, s.request, *pipeline_kind, s.tenant, s.key_level};
  struct Change {
    std::string parameter;  // the run's parameter that changes the field
    KeyPurpose purpose;
  };
  std::map<std::string, Change> changes;  // by definition path
  for (size_t i = 0; i < after.slots().size(); ++i) {
    const KeySlot& slot = after.slots()[i];
    const std::string path = DefinitionPath(as_pipeline, *slot.site, slot.instance.path);
    if (set_by_run.count(slot.value.parameter)) {
      changes[path] = {slot.value.parameter, slot.field->purpose};
      continue;
    }
    const std::string local = after.LocalInstanceType(s.policy, slot);
    if (local == before.LocalInstanceType(s.policy, before.slots()[i])) continue;
    for (const std::string& parameter : set_by_run) {
      const json* value = run.at(parameter).value;
      if (value != nullptr && value->is_string() && value->get_ref<const std::string&>() == local) {
        changes[path] = {parameter, slot.field->purpose};
      }
    }
  }
  SignedFindings judged(s.key_level), stored(s.key_level);
  DefinitionChecker(as_pipeline, after, region, judged).Run();
  // Elsewhere in a step (its roles, its guardrails, key members outside the
  // table), what the run's values add to what the Pipeline itself has.
  DefinitionChecker(as_pipeline, before, region, stored).Run();
  std::set<std::pair<std::string, std::string>> already;
  for (const Violation& v : stored.findings.violations) already.insert({v.path, v.code});
  const std::string definition_text = text->dump();
  for (Violation& v : judged.findings.violations) {
    auto changed = changes.find(v.path);
    if (changed == changes.end()) {
      if (already.count({v.path, v.code})) continue;
      const std::string parameter = RunParameterReadAt(after, v.path, set_by_run);
      if (parameter.empty()) continue;
      changed = changes.emplace(v.path, Change{parameter, KeyPurpose::kOutput}).first;
    }
    const std::string& name_set = changed->second.parameter;
    const RunParameter& parameter = run.at(name_set);
    const std::string at = std::string(s.kind.embedded_path) + "[" + std::to_string(parameter.index) + "].value";
    const std::string place = v.path.substr(v.path.find(kEmbeddedPathSeparator) + 1);
    out.signatures[at] = (parameter.value != nullptr ? parameter.value->dump() : "(absent)") + " in " + definition_text;
    // (json::empty() is false for every string, "" included.)
    const bool empty = parameter.value == nullptr ||
                       (parameter.value->is_string() && parameter.value->get_ref<const std::string&>().empty());
    const std::string message =
        empty && v.code == kMissingKey
            ? "is empty, so the job has no KMS key; set it to " + TenantKeyHint(s, changed->second.purpose, region)
            : v.message;
    out.findings.AddAt(v.enforcement, at, v.code,
                       "parameter " + Quote(name_set) + " of pipeline " + Quote(name) + ", read by " + place + ": " +
                           message,
                       v.summary, v.owners);
  }
  return true;
}

// A pipeline run's parameter values: against the pipeline it names when
// keyward knows it (above); otherwise what looks like a key is judged: key
// and alias ARNs and alias names (bare key IDs are left alone: run IDs look
// like them), and an empty value for a parameter whose name mentions kms.
void CheckRunParameters(const Subject& s, const nlohmann::json& object, const std::string& region,
                        SignedFindings& out) {
  if (s.request.pipelines != nullptr && CheckRunAgainstPipeline(s, object, region, out)) return;
  const json* parameters = FindPlain(object, s.kind.embedded_path);
  if (parameters == nullptr || !parameters->is_array()) return;
  for (size_t i = 0; i < parameters->size(); ++i) {
    const json& parameter = (*parameters)[i];
    if (!parameter.is_object()) continue;
    const std::string path = std::string(s.kind.embedded_path) + "[" + std::to_string(i) + "].value";
    std::string name = parameter.value("name", json()).is_string() ? parameter["name"].get<std::string>() : "";
    const json* value = parameter.contains("value") ? &parameter["value"] : nullptr;
    out.signatures[path] = parameter.dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string use = "; use " + TenantKeyHint(s, KeyPurpose::kOutput, region);
    const std::string lower = AsciiLower(name);
    if (IsEmptyValue(value)) {
      if (lower.find("kms") != std::string::npos) {
        out.findings.Add(path, kMissingKey,
                         "parameter " + Quote(name) + " looks like a KMS key and is empty, so the pipeline's default "
                         "applies, which keyward cannot see; set it" + use,
                         "empty KMS parameter " + ElideMiddle(name, 40));
      }
      continue;
    }
    if (!value->is_string()) continue;
    const std::string& text = value->get_ref<const std::string&>();
    const bool kms_arn = text.starts_with("arn:") && text.find(":kms:") != std::string::npos;
    if (kms_arn || text.starts_with("alias/")) CheckSetKey(s, kAnyKeyForm, path, *value, region, use, out.findings);
  }
}

// The definition's indentation, to re-serialise it the same way: none for
// one line, else the width of the first indented line (2 if unclear).
int IndentOf(std::string_view text) {
  size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return -1;
  size_t spaces = 0;
  while (newline + 1 + spaces < text.size() && text[newline + 1 + spaces] == ' ') ++spaces;
  return spaces > 0 ? static_cast<int>(spaces) : 2;
}

}  // namespace

SignedFindings CheckEmbedded(const Subject& s, const nlohmann::json& object, const std::string& region) {
  SignedFindings out(s.key_level);
  switch (s.kind.embedded) {
    case EmbeddedKeys::kNone:
      break;
    case EmbeddedKeys::kPipelineDefinition:
      CheckDefinition(s, object, region, out);
      break;
    case EmbeddedKeys::kPipelineParameters:
      CheckRunParameters(s, object, region, out);
      break;
  }
  return out;
}

size_t CountEmbeddedKeyFields(const CatalogKind& kind, const nlohmann::json& object) {
  if (kind.embedded != EmbeddedKeys::kPipelineDefinition) return 0;
  const json* value = FindPlain(object, kind.embedded_path);
  if (value == nullptr || value->is_null()) return 0;
  ParsedDefinition parsed = ParseDefinition(*value);
  return parsed.error.empty() ? Definition(parsed.doc).slots().size() : 0;
}

std::optional<nlohmann::json> FillEmbeddedKeys(const Subject& s, const nlohmann::json& object,
                                               const std::string& region, std::vector<Injection>* injected) {
  if (s.kind.embedded != EmbeddedKeys::kPipelineDefinition || s.tenant == nullptr) return std::nullopt;
  const json* value = FindPlain(object, s.kind.embedded_path);
  if (value == nullptr || value->is_null()) return std::nullopt;
  ParsedDefinition parsed = ParseDefinition(*value);
  if (!parsed.error.empty()) return std::nullopt;
  const Definition definition(parsed.doc);
  // The text again, keeping member order, so GitOps tools see no churn.
  nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(value->get_ref<const std::string&>());
  size_t filled = 0;
  for (const KeySlot& slot : definition.slots()) {
    if (slot.value.form != Resolved::Form::kEmpty || !definition.LocalInstanceType(s.policy, slot).empty()) continue;
    // The key of the pipeline's region; none where the tenant has none there
    // (never a key RegionMismatch or CrossAccountKey would deny).
    const std::string* key = TenantKeyIn(s, slot.field->purpose, region);
    if (key == nullptr) continue;
    FieldInstance at = slot.instance;
    at.pointer = slot.site->pointer + "/Arguments" + slot.instance.pointer;
    const json op = AddOperation(at, slot.field->split_path, *key);
    ordered[nlohmann::ordered_json::json_pointer(op["path"].get<std::string>())] =
        nlohmann::ordered_json::parse(op["value"].dump());
    injected->push_back({DefinitionPath(s, *slot.site, slot.instance.path), slot.field->purpose, *key});
    ++filled;
  }
  if (filled == 0) return std::nullopt;
  std::string pointer;
  for (const PathSegment& segment : SplitFieldPath(s.kind.embedded_path)) {
    pointer += "/" + EscapePointerToken(segment.name);
  }
  const std::string text = ordered.dump(IndentOf(value->get_ref<const std::string&>()), ' ', false,
                                        nlohmann::ordered_json::error_handler_t::replace);
  return json{{"op", "replace"}, {"path", pointer}, {"value", text}};
}

}  // namespace keyward
