#include "policy/model/policy_reader.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "policy/base/key_reference.h"
#include "policy/base/text.h"

namespace keyward {

// The one caller of Policy::Index(): only a policy that loaded cleanly is
// indexed.
struct PolicyIndexer {
  static void Run(Policy& policy) { policy.Index(); }
};


void PolicyReader::Report(const YamlMark& mark, std::string path, std::string message) {
  Diagnostic d;
  d.file = file_;
  if (!mark.is_null()) {
    d.line = mark.line + 1;
    d.column = mark.column + 1;
  }
  d.path = std::move(path);
  d.message = std::move(message);
  diagnostics_.push_back(std::move(d));
}

PolicyLoadResult PolicyReader::Finish(std::shared_ptr<Policy> policy) {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  if (!diagnostics_.empty() || policy == nullptr) return {nullptr, std::move(diagnostics_)};
  PolicyIndexer::Run(*policy);
  return {std::move(policy), {}};
}

std::string PolicyReader::Join(const std::string& path, std::string_view field) {
  return path.empty() ? std::string(field) : path + "." + std::string(field);
}

Fields PolicyReader::Expect(const YamlNode& node, const std::string& path,
                            std::initializer_list<std::string_view> known) {
  Fields fields;
  for (size_t i = 0; i < node.size(); ++i) {
    const YamlNode key = node.Key(i);
    std::string name = key.IsScalar() ? key.Scalar() : "";
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string hint;
      size_t best = 3;
      for (std::string_view candidate : known) {
        size_t distance = EditDistance(name, candidate);
        if (distance < best) {
          best = distance;
          hint = "; did you mean \"" + std::string(candidate) + "\"?";
        }
      }
      std::string all;
      for (std::string_view candidate : known) all += (all.empty() ? "" : ", ") + std::string(candidate);
      Report(key.Mark(), Join(path, name), "unknown field" + (hint.empty() ? "; known fields: " + all : hint));
      continue;
    }
    if (fields.count(name)) {
      Report(key.Mark(), Join(path, name), "is given twice in this mapping; keep one");
      continue;
    }
    fields[name] = node.Value(i);
  }
  return fields;
}

std::optional<std::string> PolicyReader::Scalar(const YamlNode& node, const std::string& path) {
  if (!node.IsScalar()) {
    Report(node.Mark(), path, "must be a single value, not a list or mapping");
    return std::nullopt;
  }
  return node.Scalar();
}

void PolicyReader::CheckConstant(Fields& fields, const char* name, std::string_view expected,
                                 const YamlNode& parent) {
  if (!fields.count(name)) {
    Report(parent.Mark(), name, "missing; write " + std::string(name) + ": " + std::string(expected));
    return;
  }
  auto value = Scalar(fields[name], name);
  if (value && *value != expected) {
    Report(fields[name].Mark(), name, "is \"" + *value + "\"; it must be " + std::string(expected));
  }
}

void PolicyReader::ReportNotAWord(const YamlMark& mark, const std::string& path, const std::string& value,
                                  const std::string& allowed) {
  static const std::set<std::string> kYamlBooleans = {"on", "off", "yes", "no", "y", "n", "true", "false",
                                                      "On", "Off", "Yes", "No", "True", "False", "ON", "OFF"};
  std::string hint = kYamlBooleans.count(value)
                         ? " (\"" + value + "\" reads as a boolean in YAML 1.1 tools; write one of the words above)"
                         : "";
  Report(mark, path, "is \"" + value + "\"; it must be one of: " + allowed + hint);
}

void PolicyReader::Bool(Fields& fields, const char* name, const std::string& path, bool* out) {
  if (!fields.count(name)) return;
  std::string field_path = Join(path, name);
  auto value = Scalar(fields[name], field_path);
  if (!value) return;
  if (*value == "true" || *value == "false") {
    *out = *value == "true";
    return;
  }
  Report(fields[name].Mark(), field_path, "is \"" + *value + "\"; it must be true or false");
}

ListItems PolicyReader::StringList(Fields& fields, const char* name, const std::string& path,
                                   const std::function<std::string(const std::string&)>& check) {
  ListItems out;
  if (!fields.count(name)) return out;
  std::string field_path = Join(path, name);
  const YamlNode& node = fields[name];
  if (node.IsNull()) return out;
  if (!node.IsSequence()) {
    Report(node.Mark(), field_path, "must be a list, e.g. [a, b]");
    return out;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    std::string item_path = field_path + "[" + std::to_string(i) + "]";
    auto value = Scalar(node[i], item_path);
    if (!value) continue;
    if (std::string error = check(*value); !error.empty()) {
      Report(node[i].Mark(), item_path, error);
      continue;
    }
    out.emplace_back(*value, node[i].Mark());
  }
  return out;
}

std::optional<std::string> PolicyReader::Region(Fields& fields, const char* name, const std::string& path) {
  if (!fields.count(name)) return std::nullopt;
  std::string field_path = Join(path, name);
  auto region = Scalar(fields[name], field_path);
  if (!region) return std::nullopt;
  if (IsValidRegionName(*region)) return region;
  Report(fields[name].Mark(), field_path, "\"" + *region + "\" is not an AWS region name such as us-east-1");
  return std::nullopt;
}

std::vector<std::string> PolicyReader::Values(const ListItems& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(item.first);
  return out;
}

}  // namespace keyward
