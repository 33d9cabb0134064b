#include "webhook/cli/manifest_reader.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "webhook/base/json_member.h"
#include "webhook/base/text_file.h"

namespace keyward {
namespace {

// YAML 1.2 core schema, as Kubernetes reads manifests.
const std::regex kInteger("[-+]?(0|[1-9][0-9]*)");
const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");

nlohmann::json PlainScalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::regex_match(text, kInteger)) {
    try {
      return std::stoll(text);
    } catch (const std::out_of_range&) {
      return text;
    }
  }
  if (std::regex_match(text, kFloat)) {
    try {
      return std::stod(text);
    } catch (const std::out_of_range&) {
      return text;
    }
  }
  return text;
}

std::string Location(const std::string& source, const YamlMark& mark) {
  return source + ":" + std::to_string(mark.line + 1);
}

// "file:line:column" (1-based), or "file" when there is no position. Built by
// appending: "a" + std::to_string(...) makes GCC 12 at -O3 raise a false
// -Wrestrict.
std::string Position(const std::string& source, const YamlMark& mark) {
  std::string out = source;
  if (mark.is_null()) return out;
  out += ':';
  out += std::to_string(mark.line + 1);
  out += ':';
  out += std::to_string(mark.column + 1);
  return out;
}

struct UnsupportedKey : std::invalid_argument {
  explicit UnsupportedKey(const YamlMark& at)
      : std::invalid_argument("a mapping key must be a single value, not a list or mapping"), mark(at) {}
  YamlMark mark;
};

nlohmann::json Convert(const YamlNode& node) {
  switch (node.type()) {
    case YamlNode::Type::kNull:
      return nullptr;
    case YamlNode::Type::kScalar:
      return node.IsPlain() ? PlainScalar(node.Scalar()) : nlohmann::json(node.Scalar());
    case YamlNode::Type::kSequence: {
      nlohmann::json array = nlohmann::json::array();
      for (size_t i = 0; i < node.size(); ++i) array.push_back(Convert(node[i]));
      return array;
    }
    case YamlNode::Type::kMapping: {
      nlohmann::json object = nlohmann::json::object();
      for (size_t i = 0; i < node.size(); ++i) {
        const YamlNode key = node.Key(i);
        // Kubernetes reads a null key as "null"; a list or mapping key has
        // no JSON form at all.
        if (key.IsSequence() || key.IsMap()) throw UnsupportedKey(key.Mark());
        object[key.IsNull() ? "null" : key.Scalar()] = Convert(node.Value(i));
      }
      return object;
    }
  }
  return nullptr;
}

void AddDocument(const YamlNode& document, const std::string& source, ManifestReadResult& out) {
  if (document.IsNull()) return;  // empty document between ---
  std::string where = Location(source, document.Mark());
  if (!document.IsMap()) {
    out.errors.push_back(Status::Error("a manifest must be a mapping with apiVersion, kind and metadata",
                                       Position(source, document.Mark())));
    return;
  }
  nlohmann::json object = Convert(document);
  std::string kind = StringMember(object, "kind");
  if (kind.empty() || StringMember(object, "apiVersion").empty()) {
    out.errors.push_back(Status::Error("a manifest needs apiVersion and kind, each a non-empty string", where));
    return;
  }
  if (!kind.ends_with("List") || !object.contains("items")) {
    out.manifests.push_back({std::move(object), where});
    return;
  }
  YamlNode items;
  for (size_t i = 0; i < document.size(); ++i) {
    if (document.Key(i).Scalar() == "items") items = document.Value(i);
  }
  if (!items.IsSequence()) {
    out.errors.push_back(Status::Error("items of a " + kind + " must be a list", where));
    return;
  }
  for (size_t i = 0; i < items.size(); ++i) AddDocument(items[i], source, out);
}

}  // namespace

nlohmann::json YamlToJson(const YamlNode& node) { return Convert(node); }

ManifestReadResult ParseManifests(const std::string& text, const std::string& source_name, size_t* values_left) {
  ManifestReadResult out;
  size_t budget = kMaxManifestValues;
  if (values_left == nullptr) values_left = &budget;
  std::optional<YamlError> error = ReadYaml(text, kManifestYamlLimits, [&](const YamlNode& document) {
    if (document.ExpandedSize() > *values_left) {
      out.errors.push_back(Status::Error("the input holds more than " + std::to_string(kMaxManifestValues) +
                                             " values in all",
                                         Position(source_name, document.Mark()), "check it in several runs"));
      *values_left = 0;
      return false;
    }
    *values_left -= document.ExpandedSize();
    try {
      AddDocument(document, source_name, out);
    } catch (const UnsupportedKey& e) {
      out.errors.push_back(Status::Error(e.what(), Position(source_name, e.mark)));
    }
    return true;
  });
  if (error) {
    out.errors.push_back(Status::Error(error->message, Position(source_name, error->mark)));
  }
  return out;
}

ManifestReadResult ReadManifests(const std::vector<std::string>& inputs, std::istream& standard_input) {
  ManifestReadResult all;
  size_t values_left = kMaxManifestValues;
  auto merge = [&all](ManifestReadResult part) {
    std::move(part.manifests.begin(), part.manifests.end(), std::back_inserter(all.manifests));
    std::move(part.errors.begin(), part.errors.end(), std::back_inserter(all.errors));
  };
  for (const std::string& input : inputs) {
    if (input == "-") {
      std::ostringstream text;
      text << standard_input.rdbuf();
      merge(ParseManifests(text.str(), "<stdin>", &values_left));
      continue;
    }
    std::vector<std::string> files;
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(input, ec)) {
        std::string extension = entry.path().extension().string();
        if (entry.is_regular_file() && (extension == ".yaml" || extension == ".yml" || extension == ".json")) {
          files.push_back(entry.path().string());
        }
      }
      if (ec) all.errors.push_back(Status::IoError(ec.message(), input));
      std::sort(files.begin(), files.end());
      if (files.empty() && !ec) {
        all.errors.push_back(Status::Error("no *.yaml, *.yml or *.json files in this directory", input));
      }
    } else {
      files.push_back(input);
    }
    for (const std::string& file : files) {
      if (values_left == 0) break;  // the error is reported once
      Result<std::string> text = ReadTextFile(file, kMaxManifestBytes);
      if (!text.ok()) {
        all.errors.push_back(text.status());
        continue;
      }
      merge(ParseManifests(text.value(), file, &values_left));
    }
  }
  return all;
}

}  // namespace keyward

namespace keyward {
namespace {

void Emit(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        Emit(out, key);
        out << YAML::Value;
        Emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : value) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      // Quote what a reader would otherwise take for null, a bool or a number.
      if (!PlainScalar(text).is_string()) out << YAML::DoubleQuoted;
      out << text;
      break;
    }
    case nlohmann::json::value_t::null:
      out << YAML::Null;
      break;
    default:
      out << value.dump();
      break;
  }
}

}  // namespace

std::string JsonToYaml(const nlohmann::json& value) {
  YAML::Emitter out;
  Emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace keyward
