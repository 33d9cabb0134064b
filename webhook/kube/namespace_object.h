// Namespace objects as the core's NamespaceInfo: the cluster context that
// `keyward check` and `keyward audit` decide with, read from Namespace
// objects among their inputs (`kubectl get ns -o yaml|json`, Lists
// included) or listed from the API server.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policy/model/namespace_info.h"

namespace keyward {

// apiVersion v1, kind Namespace.
bool IsNamespaceObject(const nlohmann::json& object);

// A Namespace object as the server's cache holds it: name, labels and
// annotations (string values only; anything else is not a label). The
// name is "" when the object has none.
NamespaceInfo NamespaceInfoOf(const nlohmann::json& object);

// The namespaces known by name. An object whose namespace is not among
// them is decided by names alone. The pointers Find returns stay valid
// while the context lives (a later Add of the same name updates in place).
class NamespaceContext {
 public:
  // Keeps `object` when it is a Namespace with a name (a later one of the
  // same name replaces it); true when it is a Namespace object at all.
  bool Add(const nlohmann::json& object);
  const NamespaceInfo* Find(std::string_view name) const;
  // The namespace of `object` (its metadata.namespace), if known.
  const NamespaceInfo* Of(const nlohmann::json& object) const;
  size_t size() const { return by_name_.size(); }
  void Clear() { by_name_.clear(); }

 private:
  std::map<std::string, NamespaceInfo, std::less<>> by_name_;
};

}  // namespace keyward
