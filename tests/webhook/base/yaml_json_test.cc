// YAML as JSON, for manifests (the core schema) and kubeconfigs (strings).
#include "webhook/base/yaml_json.h"

#include <gtest/gtest.h>

namespace keyward {
namespace {

using Json = nlohmann::json;

Json FirstDocument(std::string_view yaml, YamlScalars scalars) {
  Json out;
  std::optional<YamlError> error = ReadYaml(yaml, kManifestYamlLimits, [&](const YamlNode& document) {
    out = YamlToJson(document, scalars);
    return false;
  });
  EXPECT_FALSE(error) << error->message;
  return out;
}

constexpr std::string_view kScalars = "a: 12\nb: true\nc: ~\nd: \"12\"\ne: 1.5\nf: text\n";

TEST(YamlJsonTest, ManifestScalarsFollowTheCoreSchema) {
  EXPECT_EQ(FirstDocument(kScalars, YamlScalars::kCoreSchema),
            Json({{"a", 12}, {"b", true}, {"c", nullptr}, {"d", "12"}, {"e", 1.5}, {"f", "text"}}));
}

TEST(YamlJsonTest, KubeconfigScalarsStayStrings) {
  EXPECT_EQ(FirstDocument(kScalars, YamlScalars::kStrings),
            Json({{"a", "12"}, {"b", "true"}, {"c", nullptr}, {"d", "12"}, {"e", "1.5"}, {"f", "text"}}));
}

TEST(YamlJsonTest, AListAsAKeyIsRefusedWithItsPosition) {
  std::optional<YamlError> error = ReadYaml("a: 1\n[x]: 2\n", kManifestYamlLimits, [](const YamlNode& document) {
    try {
      YamlToJson(document);
      ADD_FAILURE() << "a list key converted";
    } catch (const UnsupportedYamlKey& e) {
      EXPECT_EQ(e.mark.line, 1);
    }
    return false;
  });
  EXPECT_FALSE(error);
}

TEST(YamlJsonTest, CoreSchemaScalarsAreWhatAReaderTakesThemFor) {
  EXPECT_EQ(CoreSchemaScalar("NULL"), Json(nullptr));
  EXPECT_EQ(CoreSchemaScalar("-7"), Json(-7));
  EXPECT_EQ(CoreSchemaScalar("0x1F"), Json("0x1F"));
  EXPECT_EQ(CoreSchemaScalar("99999999999999999999"), Json("99999999999999999999"));
}

}  // namespace
}  // namespace keyward
