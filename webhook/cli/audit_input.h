// What `keyward audit` reads: `kubectl get ... -o json|yaml` output, Lists,
// manifests, from files, directories and "-". JSON is read item by item: a
// List of 100,000 objects is never one document in memory, each item has a
// budget of its own (kMaxAuditItemBytes, the bounded depth of
// base/bounded_json.h). YAML goes through the manifest reader and its
// bounds (manifest_reader.h).
#pragma once

#include <functional>
#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/base/status.h"

namespace keyward {

// One stored object larger than this is refused (the apiserver stores at
// most about 1.5 MiB per object in etcd).
inline constexpr size_t kMaxAuditItemBytes = 8u << 20;

// Calls `on_object` with each object and where it starts (file:line), in
// input order; returns every input error (file:line, what, fix).
std::vector<Status> ReadAuditInputs(const std::vector<std::string>& inputs, std::istream& standard_input,
                                    const std::function<void(nlohmann::json object, const std::string& where)>& on_object);

// The same for one JSON text (a List, an array or one object).
std::vector<Status> ReadJsonItems(std::string_view text, const std::string& name,
                                  const std::function<void(nlohmann::json object, const std::string& where)>& on_object);

}  // namespace keyward
