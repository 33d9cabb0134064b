#include "tests/policy/test_support.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace keyward::testing {
namespace {

using nlohmann::json;

json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: always a string
  if (text == "null" || text == "~" || text.empty()) return nullptr;
  if (text == "true") return true;
  if (text == "false") return false;
  if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
    size_t used = 0;
    try {
      long long integer = std::stoll(text, &used);
      if (used == text.size()) return integer;
      double real = std::stod(text, &used);
      if (used == text.size()) return real;
    } catch (const std::exception&) {
    }
  }
  return text;
}

// Splits "a.b[].c" into tokens "a", "b", "[]", "c"; and "a.b[1].c" into
// "a", "b", "[1]", "c".
std::vector<std::string> Tokens(std::string_view path) {
  std::vector<std::string> tokens;
  std::string current;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '.') {
      if (!current.empty()) tokens.push_back(current);
      current.clear();
    } else if (c == '[') {
      if (!current.empty()) tokens.push_back(current);
      current.clear();
      size_t close = path.find(']', i);
      tokens.emplace_back(path.substr(i, close - i + 1));
      i = close;
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) tokens.push_back(current);
  return tokens;
}

void Expand(const json& node, const std::vector<std::string>& tokens, size_t next, std::string path,
            std::vector<size_t> indices, std::vector<ConcreteField>* out) {
  if (next + 1 == tokens.size()) {
    // `node` is the parent of the field.
    if (node.is_object()) out->push_back({path.empty() ? tokens[next] : path + "." + tokens[next], indices});
    return;
  }
  const std::string& token = tokens[next];
  if (token == "[]") {
    if (!node.is_array()) return;
    for (size_t i = 0; i < node.size(); ++i) {
      std::vector<size_t> element_indices = indices;
      element_indices.push_back(i);
      Expand(node[i], tokens, next + 1, path + "[" + std::to_string(i) + "]", element_indices, out);
    }
    return;
  }
  if (!node.is_object() || !node.contains(token)) return;
  Expand(node[token], tokens, next + 1, path.empty() ? token : path + "." + token, indices, out);
}

}  // namespace

std::string FixturePath(std::string_view relative) {
  return std::string(KEYWARD_FIXTURES_DIR) + "/" + std::string(relative);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> ReadmeTableRows(std::string_view header) {
  const std::string readme = ReadFile(std::string(KEYWARD_SOURCE_DIR) + "/README.md");
  const size_t at = readme.find("\n" + std::string(header) + "\n");
  std::vector<std::string> rows;
  if (at == std::string::npos) return rows;
  std::istringstream lines(readme.substr(at + header.size() + 2));
  for (std::string line; std::getline(lines, line) && line.starts_with("| ");) rows.push_back(line);
  return rows;
}

json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const YAML::Node& item : node) array.push_back(YamlToJson(item));
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) object[entry.first.Scalar()] = YamlToJson(entry.second);
      return object;
    }
  }
  return nullptr;
}

json YamlTextToJson(std::string_view yaml_text) { return YamlToJson(YAML::Load(std::string(yaml_text))); }

std::string SubstituteVars(std::string_view text, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out.push_back(text[i]);
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() && (std::isupper(static_cast<unsigned char>(text[end])) ||
                                 std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
      ++end;
    }
    std::string name(text.substr(i + 1, end - i - 1));
    auto found = vars.find(name);
    if (found == vars.end()) {
      ADD_FAILURE() << "no value for placeholder $" << name;
      out += "placeholder";
    } else {
      out += found->second;
    }
    i = end - 1;
  }
  return out;
}

std::shared_ptr<const Policy> MustLoadPolicy(std::string_view yaml_text) {
  PolicyLoadResult result = LoadPolicy(yaml_text, "test-policy.yaml");
  std::string problems;
  for (const Diagnostic& d : result.diagnostics) problems += d.ToString() + "\n";
  EXPECT_TRUE(result.diagnostics.empty()) << problems << "in policy:\n" << yaml_text;
  EXPECT_NE(result.policy, nullptr);
  if (result.policy == nullptr) return std::make_shared<const Policy>();
  return result.policy;
}

std::string TestPolicyYaml(std::string_view spec_overrides) {
  std::string overrides;
  std::istringstream lines{std::string(spec_overrides)};
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) overrides += "  " + line + "\n";
  }
  return std::string(R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  exemptNamespaces: [kube-system, "sandbox-*"]
  trustedUsers:
    - system:serviceaccount:ack-system:ack-sagemaker-controller
    - "system:serviceaccount:gitops:*"
)") + overrides +
         R"(  tenants:
    - name: team-a
      namespaces: [team-a, "team-a-*"]
      keys:
        default: )" +
         kTeamADefault + R"(
        volume: )" + kTeamAVolume +
         R"(
        output: )" + kTeamAOutput +
         R"(
      allowedKeys:
        - "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-1111-*"
        - "arn:aws:kms:us-west-2:111122223333:key/*"
    - name: team-b
      namespaces: [team-b]
      region: eu-west-1
      keys:
        default: )" +
         kTeamBDefault + R"(
      allowedKeys:
        - )" + kTeamBUsEast +
         R"(
    - name: team-c
      namespaces: [team-c]
      enforcement: warn
      keys:
        default: )" +
         kTeamCDefault + "\n";
}

std::string RegionalPolicyYaml() {
  std::string yaml = TestPolicyYaml();
  const std::string anchor = std::string("        output: ") + kTeamAOutput + "\n";
  yaml.replace(yaml.find(anchor), anchor.size(),
               anchor + "        regions:\n          eu-west-1: {default: " + kTeamAEuWest + "}\n");
  return yaml;
}

std::unique_ptr<ObjectRequest> MakeRequest(const json& object, std::string_view ns, Operation op,
                                           const json* old_object, std::string_view user) {
  auto owned = std::make_unique<ObjectRequest>();
  owned->object = object;
  if (old_object != nullptr) owned->old_object = *old_object;
  AdmissionRequest& request = owned->request;
  std::string api_version = object.value("apiVersion", "");
  size_t slash = api_version.find('/');
  request.group = api_version.substr(0, slash);
  request.version = slash == std::string::npos ? "" : api_version.substr(slash + 1);
  request.kind = object.value("kind", "");
  request.namespace_name = std::string(ns);
  if (object.contains("metadata")) request.name = object["metadata"].value("name", "");
  request.operation = op;
  request.username = std::string(user);
  request.object = op == Operation::kDelete ? nullptr : &owned->object;
  request.old_object = old_object != nullptr ? &owned->old_object : nullptr;
  return owned;
}

namespace {
void CheckWarnings(const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) {
    EXPECT_LT(warning.size(), 120u) << "warning too long: " << warning;
    EXPECT_FALSE(warning.empty());
  }
}
}  // namespace

MutationResult CheckedMutate(const Policy& policy, const AdmissionRequest& request) {
  MutationResult result = Mutate(policy, request);
  CheckWarnings(result.warnings);
  EXPECT_TRUE(result.patch.is_array()) << result.patch.dump();
  for (const json& op : result.patch) {
    EXPECT_TRUE(op.contains("op") && op.contains("path")) << op.dump();
    std::string path = op.value("path", "");
    EXPECT_NO_THROW(json::json_pointer{path}) << "not an RFC 6901 pointer: " << path;
  }
  return result;
}

ValidationResult CheckedValidate(const Policy& policy, const AdmissionRequest& request) {
  ValidationResult result = Validate(policy, request);
  CheckWarnings(result.warnings);
  if (result.allowed) {
    EXPECT_TRUE(result.message.empty()) << result.message;
  } else {
    EXPECT_FALSE(result.message.empty());
  }
  // A violation carries its path beside its message; the deny message, which
  // is all the user of kubectl sees, must name the path of every violation
  // at deny (the others are warnings or audit annotations).
  for (const Violation& v : result.violations) {
    EXPECT_FALSE(v.message.empty()) << v.code << " at " << v.path;
    if (!result.allowed && v.enforcement == Enforcement::kDeny) {
      EXPECT_NE(result.message.find(v.path), std::string::npos)
          << "deny message does not name " << v.path << ": " << result.message;
    }
  }
  return result;
}

json ApplyPatch(const json& object, const json& patch) {
  try {
    return object.patch(patch);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "patch does not apply: " << e.what() << "\npatch: " << patch.dump();
    return object;
  }
}

json::json_pointer PointerFromPath(std::string_view concrete_path) {
  std::string pointer;
  for (const std::string& token : Tokens(concrete_path)) {
    pointer += "/";
    if (token.front() == '[') {
      pointer += token.substr(1, token.size() - 2);
      continue;
    }
    for (char c : token) {
      if (c == '~') {
        pointer += "~0";
      } else if (c == '/') {
        pointer += "~1";
      } else {
        pointer.push_back(c);
      }
    }
  }
  return json::json_pointer(pointer);
}

const json* ValueAt(const json& object, std::string_view concrete_path) {
  json::json_pointer pointer = PointerFromPath(concrete_path);
  if (!object.contains(pointer)) return nullptr;
  return &object.at(pointer);
}

std::vector<ConcreteField> ExpandPattern(const json& object, std::string_view pattern) {
  std::vector<ConcreteField> out;
  Expand(object, Tokens(pattern), 0, "", {}, &out);
  return out;
}

std::vector<std::string> InstanceTypesFor(const json& object, const KmsField& field,
                                          const std::vector<size_t>& field_indices) {
  std::vector<std::string> types;
  for (std::string_view type_pattern : field.instance_type_paths) {
    // How many leading `[]` the two patterns share, textually.
    size_t shared_arrays = 0;
    size_t pos = 0;
    while (true) {
      size_t a = field.path.find("[]", pos);
      size_t b = type_pattern.find("[]", pos);
      if (a == std::string_view::npos || a != b || field.path.substr(0, a) != type_pattern.substr(0, a)) break;
      ++shared_arrays;
      pos = a + 2;
    }
    for (const ConcreteField& instance : ExpandPattern(object, type_pattern)) {
      bool same_element = true;
      for (size_t i = 0; i < shared_arrays; ++i) {
        if (instance.indices[i] != field_indices[i]) same_element = false;
      }
      const json* value = ValueAt(object, instance.path);
      if (same_element && value != nullptr && value->is_string()) types.push_back(value->get<std::string>());
    }
  }
  return types;
}

std::map<std::string, std::string> RequiredFields(const Policy& policy, const CatalogKind& kind,
                                                  const Tenant& tenant, const json& object) {
  std::map<std::string, std::string> required;
  for (const KmsField& field : kind.fields) {
    if (field.deprecated) continue;
    std::vector<ConcreteField> instances = ExpandPattern(object, field.path);
    // An anchored field is required wherever its anchor object exists (and is
    // not switched off), even when the key's parent object does not.
    if (!field.anchor.empty()) {
      std::string_view rest = field.path.substr(field.anchor.size());  // ".parent...key"
      std::string_view parent_rest = rest.substr(0, rest.find_last_of('.'));
      for (const ConcreteField& anchor : ExpandPattern(object, field.anchor)) {
        const json* anchor_object = ValueAt(object, anchor.path);
        if (anchor_object == nullptr || !anchor_object->is_object()) continue;
        if (!field.anchor_switch.empty() && anchor_object->value(std::string(field.anchor_switch), true) == false) {
          continue;
        }
        const json* parent = ValueAt(object, anchor.path + std::string(parent_rest));
        if (parent == nullptr || parent->is_null()) {
          instances.push_back({anchor.path + std::string(rest), anchor.indices});
        }
      }
    }
    for (const ConcreteField& instance : instances) {
      bool local = false;
      if (field.local_storage != LocalStorageRule::kNotApplicable) {
        for (const std::string& type : InstanceTypesFor(object, field, instance.indices)) {
          if (policy.HasLocalStorage(type)) local = true;
        }
      }
      if (local) continue;
      const std::string& explicit_key =
          field.purpose == KeyPurpose::kVolume ? tenant.keys.volume_key : tenant.keys.output_key;
      required[instance.path] = explicit_key.empty() ? tenant.keys.default_key : explicit_key;
    }
  }
  return required;
}

std::vector<std::string> Codes(const std::vector<Violation>& violations) {
  std::vector<std::string> codes;
  for (const Violation& v : violations) codes.push_back(v.code);
  return codes;
}

std::vector<std::string> CodesAt(const std::vector<Violation>& violations, std::string_view path) {
  std::vector<std::string> codes;
  for (const Violation& v : violations) {
    if (v.path == path) codes.push_back(v.code);
  }
  return codes;
}

const Violation* FindViolation(const std::vector<Violation>& violations, std::string_view code,
                               std::string_view path) {
  for (const Violation& v : violations) {
    if (v.code == code && v.path == path) return &v;
  }
  return nullptr;
}

std::vector<std::string> PatchPaths(const json& patch) {
  std::vector<std::string> paths;
  for (const json& op : patch) paths.push_back(op.value("path", ""));
  return paths;
}

}  // namespace keyward::testing
