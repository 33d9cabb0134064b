// The OpenAPI v3 subset of the PolicyReport and OpenReports CRDs, checked
// with GoogleTest assertions (see report_crd_schema.h).
#include "tests/webhook/cli/report_crd_schema.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace keyward::testing {

// A small validator for the parts of OpenAPI v3 the report CRDs use: type,
// required, enum, properties, items, additionalProperties.
void ValidateAgainstSchema(const YAML::Node& value, const YAML::Node& schema, const std::string& path) {
  if (!schema || !schema.IsMap()) return;
  const std::string type = schema["type"] ? schema["type"].as<std::string>() : "";
  if (type == "object") {
    ASSERT_TRUE(value.IsMap()) << path << " must be an object";
    if (schema["required"]) {
      for (const YAML::Node& name : schema["required"]) {
        EXPECT_TRUE(value[name.as<std::string>()]) << path << " lacks required " << name.as<std::string>();
      }
    }
    for (const auto& member : value) {
      const std::string name = member.first.as<std::string>();
      if (schema["properties"] && schema["properties"][name]) {
        ValidateAgainstSchema(member.second, schema["properties"][name], path + "." + name);
      } else if (schema["additionalProperties"] && schema["additionalProperties"].IsMap()) {
        ValidateAgainstSchema(member.second, schema["additionalProperties"], path + "." + name);
      } else if (schema["properties"] && !schema["x-kubernetes-preserve-unknown-fields"] && path != "") {
        ADD_FAILURE() << path << "." << name << " is not in the schema";
      }
    }
  } else if (type == "array") {
    ASSERT_TRUE(value.IsSequence()) << path << " must be an array";
    for (size_t i = 0; i < value.size(); ++i) ValidateAgainstSchema(value[i], schema["items"], path + "[" + std::to_string(i) + "]");
  } else if (type == "string") {
    EXPECT_TRUE(value.IsScalar()) << path;
    if (schema["enum"]) {
      bool listed = false;
      for (const YAML::Node& choice : schema["enum"]) listed = listed || choice.as<std::string>() == value.as<std::string>();
      EXPECT_TRUE(listed) << path << ": " << value.as<std::string>() << " is not in the enum";
    }
  } else if (type == "integer") {
    EXPECT_NO_THROW(value.as<long long>()) << path;
  } else if (type == "boolean") {
    EXPECT_NO_THROW(value.as<bool>()) << path;
  }
}

YAML::Node ReportCrdSchema(const std::string& crd_file, const std::string& version) {
  const YAML::Node crd = YAML::LoadFile((std::filesystem::path(KEYWARD_SOURCE_DIR) / "tests" / "fixtures" / "policy-reports" / crd_file).string());
  for (const YAML::Node& v : crd["spec"]["versions"]) {
    if (v["name"].as<std::string>() == version) return v["schema"]["openAPIV3Schema"];
  }
  return {};
}

}  // namespace keyward::testing
