#include "webhook/kube/namespace_object.h"

#include "webhook/base/json_member.h"

namespace keyward {

bool IsNamespaceObject(const nlohmann::json& object) {
  return object.is_object() && StringMember(object, "apiVersion") == "v1" && StringMember(object, "kind") == "Namespace";
}

NamespaceInfo NamespaceInfoOf(const nlohmann::json& object) {
  NamespaceInfo info;
  if (!object.is_object()) return info;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return info;
  info.name = StringMember(*metadata, "name");
  if (auto labels = metadata->find("labels"); labels != metadata->end() && labels->is_object()) {
    for (auto it = labels->begin(); it != labels->end(); ++it) {
      if (it.value().is_string()) info.labels[it.key()] = it.value().get<std::string>();
    }
  }
  if (auto annotations = metadata->find("annotations"); annotations != metadata->end() && annotations->is_object()) {
    for (auto it = annotations->begin(); it != annotations->end(); ++it) {
      if (it.value().is_string() && IsNamespaceAnnotationRead(it.key())) {
        info.annotations[it.key()] = it.value().get<std::string>();
      }
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
  if (!object.is_object()) return nullptr;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  return Find(StringMember(*metadata, "namespace"));
}

NamespaceLookup NamespaceContextSource::Lookup(std::string_view name) const {
  // An aliasing pointer that owns nothing: the context outlives the lookup.
  return {LookupSource::kCache, std::shared_ptr<const NamespaceInfo>(std::shared_ptr<void>(), namespaces_.Find(name)),
          ""};
}

}  // namespace keyward
