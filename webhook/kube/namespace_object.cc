#include "webhook/kube/namespace_object.h"

#include "webhook/base/json_member.h"

namespace keyward {

bool IsNamespaceObject(const nlohmann::json& object) {
  return StringMember(object, "apiVersion") == "v1" && StringMember(object, "kind") == "Namespace";
}

NamespaceInfo NamespaceInfoOf(const nlohmann::json& object) {
  NamespaceInfo info;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return info;
  info.name = StringMember(*metadata, "name");
  for (auto [member, out] : {std::pair{"labels", &info.labels}, std::pair{"annotations", &info.annotations}}) {
    auto map = metadata->find(member);
    if (map == metadata->end() || !map->is_object()) continue;
    for (auto it = map->begin(); it != map->end(); ++it) {
      if (it.value().is_string()) (*out)[it.key()] = it.value().get<std::string>();
    }
  }
  return info;
}

bool NamespaceContext::Add(const nlohmann::json& object) {
  if (!IsNamespaceObject(object)) return false;
  NamespaceInfo info = NamespaceInfoOf(object);
  if (info.name.empty()) return true;
  const std::string name = info.name;
  by_name_[name] = std::move(info);
  return true;
}

const NamespaceInfo* NamespaceContext::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

const NamespaceInfo* NamespaceContext::Of(const nlohmann::json& object) const {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  return Find(StringMember(*metadata, "namespace"));
}

}  // namespace keyward
