// A Namespace object (as the API server, `kubectl get ns -o yaml|json` or a
// manifest has it) as a decision reads it: the same conversion for the
// server's watched namespaces, `keyward check` and `keyward audit`, so the
// three decide alike.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policy/model/namespace_info.h"
#include "webhook/admission/namespace_source.h"

namespace keyward {

// apiVersion v1, kind Namespace.
bool IsNamespaceObject(const nlohmann::json& object);

// The name, every label, and the annotations a decision reads
// (IsNamespaceAnnotationRead); values that are not strings are left out
// (the API server never stores one). An object without metadata.name gives
// an empty name.
NamespaceInfo NamespaceInfoOf(const nlohmann::json& object);

// The namespaces known by name, for the commands that read them from files
// or one list (check, audit). An object whose namespace is not among them
// is decided by names alone. The pointers Find returns stay valid while the
// context lives (a later Add of the same name updates in place).
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

// A NamespaceContext answering Admit as the server's watched cache does
// (`keyward check` and `keyward test`); a namespace it does not hold is
// decided from its name alone, never "unavailable". Borrows the context,
// which must outlive it and every decision made with it.
class NamespaceContextSource final : public NamespaceSource {
 public:
  explicit NamespaceContextSource(const NamespaceContext& namespaces) : namespaces_(namespaces) {}
  NamespaceLookup Lookup(std::string_view name) const override;

 private:
  const NamespaceContext& namespaces_;
};

}  // namespace keyward
