// What `keyward audit` reads: `kubectl get ... -o json|yaml` output, Lists,
// manifests, from files, directories and "-". JSON is read item by item: a
// List of 100,000 objects is never one document in memory, each item has a
// budget of its own (kMaxAuditItemBytes, the bounded depth of
// base/bounded_json.h). YAML goes through the manifest reader and its
// bounds (manifest_reader.h).
#pragma once

#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/base/status.h"

namespace keyward {

// One stored object larger than this is refused (the apiserver stores at
// most about 1.5 MiB per object in etcd).
inline constexpr size_t kMaxAuditItemBytes = 8u << 20;

// Standard input's text, read whole the first time it is asked for and
// kept (a file is read whole too), so that "-" can be read again: the
// audit reads its inputs twice, first for the Namespace objects among them.
class StandardInput {
 public:
  explicit StandardInput(std::istream& in) : in_(in) {}
  const std::string& Text();

 private:
  std::istream& in_;
  std::optional<std::string> text_;
};

using OnAuditObject = std::function<void(nlohmann::json object, const std::string& where)>;

// Calls `on_object` with each object and where it starts (file:line), in
// input order; returns every input error (file:line, what, fix). With
// `only_if_contains`, JSON items whose text does not contain it are passed
// over unparsed (a quick first pass for one kind).
std::vector<Status> ReadAuditInputs(const std::vector<std::string>& inputs, StandardInput& standard_input,
                                    const OnAuditObject& on_object, std::string_view only_if_contains = {});

// The same for one JSON text (a List, an array or one object).
std::vector<Status> ReadJsonItems(std::string_view text, const std::string& name, const OnAuditObject& on_object,
                                  std::string_view only_if_contains = {});

}  // namespace keyward
