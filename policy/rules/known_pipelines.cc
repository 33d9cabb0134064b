#include "policy/rules/known_pipelines.h"

#include "policy/base/text.h"
#include "policy/catalog/catalog.h"

namespace keyward {
namespace {

std::string_view StringAt(const nlohmann::json& object, const char* first, const char* second) {
  if (!object.is_object()) return {};
  auto outer = object.find(first);
  if (outer == object.end() || !outer->is_object()) return {};
  auto inner = outer->find(second);
  return inner != outer->end() && inner->is_string() ? std::string_view(inner->get_ref<const std::string&>())
                                                     : std::string_view();
}

}  // namespace

bool IsPipelineObject(const nlohmann::json& object) {
  if (!object.is_object()) return false;
  auto api_version = object.find("apiVersion");
  auto kind = object.find("kind");
  if (api_version == object.end() || !api_version->is_string() || kind == object.end() || !kind->is_string()) {
    return false;
  }
  const std::string& version = api_version->get_ref<const std::string&>();
  return kind->get_ref<const std::string&>() == "Pipeline" && version.starts_with(std::string(kAckGroup) + "/");
}

bool KnownPipelines::Add(const nlohmann::json* object, std::string namespace_name,
                         const NamespaceInfo* namespace_info) {
  if (object == nullptr || !IsPipelineObject(*object)) return false;
  if (StringAt(*object, "spec", "pipelineName").empty()) return true;
  pipelines_.push_back({object, std::move(namespace_name), namespace_info});
  return true;
}

std::optional<KnownPipeline> KnownPipelines::Find(std::string_view pipeline_name) const {
  for (auto it = pipelines_.rbegin(); it != pipelines_.rend(); ++it) {
    if (EqualsIgnoringAsciiCase(StringAt(*it->object, "spec", "pipelineName"), pipeline_name)) return *it;
  }
  return std::nullopt;
}

}  // namespace keyward
