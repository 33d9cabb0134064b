// Where Admit learns the namespace of a request: its labels and the
// annotations ACK reads. The server's source is its watched cache (with one
// bounded GET for a namespace the cache has not seen yet); with cluster
// context off there is none, and requests are decided from names alone.
//
// Thread safety: Lookup() is called from every event loop at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "policy/model/namespace_info.h"

namespace keyward {

// How a lookup was answered: the `result` label of
// keyward_namespace_lookups_total.
enum class LookupSource { kCache, kFetched, kUnavailable };
std::string_view LookupSourceName(LookupSource source);  // cache, fetched, unavailable

struct NamespaceLookup {
  LookupSource source = LookupSource::kCache;
  std::shared_ptr<const NamespaceInfo> info;  // set unless kUnavailable
  // kUnavailable: why, and that the request may be retried. The request is
  // denied: it is never judged without its namespace's labels.
  std::string problem;
};

class NamespaceSource {
 public:
  virtual ~NamespaceSource() = default;
  // May block, within a bound of the source's own, well under the API
  // server's webhook timeout.
  virtual NamespaceLookup Lookup(std::string_view name) const = 0;
};

}  // namespace keyward
