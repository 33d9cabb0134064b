#include "webhook/base/yaml_json.h"

#include <regex>

namespace keyward {
namespace {

// YAML 1.2 core schema, as Kubernetes reads manifests.
const std::regex kInteger("[-+]?(0|[1-9][0-9]*)");
const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");

}  // namespace

nlohmann::json CoreSchemaScalar(const std::string& text) {
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

nlohmann::json YamlToJson(const YamlNode& node, YamlScalars scalars) {
  switch (node.type()) {
    case YamlNode::Type::kNull:
      return nullptr;
    case YamlNode::Type::kScalar:
      return node.IsPlain() && scalars == YamlScalars::kCoreSchema ? CoreSchemaScalar(node.Scalar())
                                                                    : nlohmann::json(node.Scalar());
    case YamlNode::Type::kSequence: {
      nlohmann::json array = nlohmann::json::array();
      for (size_t i = 0; i < node.size(); ++i) array.push_back(YamlToJson(node[i], scalars));
      return array;
    }
    case YamlNode::Type::kMapping: {
      nlohmann::json object = nlohmann::json::object();
      for (size_t i = 0; i < node.size(); ++i) {
        const YamlNode key = node.Key(i);
        // Kubernetes reads a null key as "null"; a list or mapping key has
        // no JSON form at all.
        if (key.IsSequence() || key.IsMap()) throw UnsupportedYamlKey(key.Mark());
        object[key.IsNull() ? "null" : key.Scalar()] = YamlToJson(node.Value(i), scalars);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace keyward
