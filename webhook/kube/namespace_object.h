// A Namespace object (as the API server, `kubectl get ns -o yaml` or a
// manifest has it) as a decision reads it: the same conversion for the
// server's watched namespaces, `keyward check` and `keyward audit`, so the
// three decide alike.
#pragma once

#include <nlohmann/json.hpp>

#include "policy/model/namespace_info.h"

namespace keyward {

// apiVersion v1, kind Namespace.
bool IsNamespaceObject(const nlohmann::json& object);

// The name, every label, and the annotations a decision reads
// (IsNamespaceAnnotationRead); values that are not strings are left out
// (the API server never stores one). An object without metadata.name gives
// an empty name.
NamespaceInfo NamespaceInfoOf(const nlohmann::json& object);

}  // namespace keyward
