#include "webhook/manifest_reader.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "policy/yaml_guard.h"
#include "webhook/text_file.h"

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

std::string Location(const std::string& source, const YAML::Mark& mark) {
  return source + ":" + std::to_string(mark.line + 1);
}

// YAML aliases let a few hundred bytes stand for billions of values; no real
// manifest comes near this many once expanded.
constexpr size_t kMaxValuesPerText = 200'000;

struct ExpansionLimitExceeded : std::length_error {
  ExpansionLimitExceeded() : std::length_error("the YAML expands to too many values") {}
};

nlohmann::json Convert(const YAML::Node& node, size_t* budget);

void AddDocument(const YAML::Node& document, const std::string& source, size_t* budget, ManifestReadResult& out) {
  if (document.IsNull()) return;  // empty document between ---
  std::string where = Location(source, document.Mark());
  if (!document.IsMap()) {
    out.errors.push_back(where + ":" + std::to_string(document.Mark().column + 1) +
                         ": a manifest must be a mapping with apiVersion, kind and metadata");
    return;
  }
  nlohmann::json object = Convert(document, budget);
  std::string kind = StringField(object, "kind");
  if (kind.empty() || StringField(object, "apiVersion").empty()) {
    out.errors.push_back(where + ": a manifest needs apiVersion and kind, each a non-empty string");
    return;
  }
  if (!kind.ends_with("List") || !object.contains("items")) {
    out.manifests.push_back({std::move(object), where});
    return;
  }
  const YAML::Node items = document["items"];
  if (!items.IsSequence()) {
    out.errors.push_back(where + ": items of a " + kind + " must be a list");
    return;
  }
  for (const YAML::Node& item : items) AddDocument(item, source, budget, out);
}

}  // namespace

namespace {

nlohmann::json Convert(const YAML::Node& node, size_t* budget) {
  if (*budget == 0) throw ExpansionLimitExceeded{};
  --*budget;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      // A quoted scalar (tag "!") is always a string.
      return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : PlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const YAML::Node& item : node) array.push_back(Convert(item, budget));
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) {
        // Keys are scalars in manifests; a complex key is kept as its text.
        std::string key = entry.first.IsScalar() ? entry.first.Scalar() : YAML::Dump(entry.first);
        object[key] = Convert(entry.second, budget);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

nlohmann::json YamlToJson(const YAML::Node& node) {
  size_t budget = kMaxValuesPerText;
  return Convert(node, &budget);
}

std::string StringField(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

ManifestReadResult ParseManifests(const std::string& text, const std::string& source_name) {
  ManifestReadResult out;
  size_t budget = kMaxValuesPerText;
  if (HasStrayTopLevelComma(text)) {
    out.errors.push_back(source_name + ": not valid YAML or JSON: a ',' stands where a value must start");
    return out;
  }
  try {
    for (const YAML::Node& document : YAML::LoadAll(text)) AddDocument(document, source_name, &budget, out);
  } catch (const ExpansionLimitExceeded&) {
    out.errors.push_back(source_name + ": expands to more than " + std::to_string(kMaxValuesPerText) +
                         " values (YAML aliases?); split it or remove the aliases");
  } catch (const YAML::Exception& e) {
    out.errors.push_back(source_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                         std::to_string(e.mark.column + 1) + ": not valid YAML or JSON: " + e.msg);
  }
  return out;
}

ManifestReadResult ReadManifests(const std::vector<std::string>& inputs, std::istream& standard_input) {
  ManifestReadResult all;
  auto merge = [&all](ManifestReadResult part) {
    std::move(part.manifests.begin(), part.manifests.end(), std::back_inserter(all.manifests));
    std::move(part.errors.begin(), part.errors.end(), std::back_inserter(all.errors));
  };
  for (const std::string& input : inputs) {
    if (input == "-") {
      std::ostringstream text;
      text << standard_input.rdbuf();
      merge(ParseManifests(text.str(), "<stdin>"));
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
      if (ec) all.errors.push_back(input + ": " + ec.message());
      std::sort(files.begin(), files.end());
      if (files.empty() && !ec) all.errors.push_back(input + ": no *.yaml, *.yml or *.json files in this directory");
    } else {
      files.push_back(input);
    }
    for (const std::string& file : files) {
      std::string text, error;
      if (!ReadTextFile(file, kMaxManifestBytes, &text, &error)) {
        all.errors.push_back(error);
        continue;
      }
      merge(ParseManifests(text, file));
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
