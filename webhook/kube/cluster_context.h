// The server's cluster context: the namespaces it watches (a Watcher
// feeding a NamespaceCache), and the answer to "what is this request's
// namespace?" for Admit (admission/namespace_source.h); and the ACK
// Pipelines it watches, which the PipelineExecutions name.
//
// A namespace the cache has not seen (created a moment before, in the same
// apply, or asked for before the first list arrived) is read with one GET,
// bounded by lookup_timeout; lookups wait their turn on one connection
// within that same bound. When the GET fails, the request is denied with a
// message to retry: it is never judged without its namespace's labels.
// When the API server cannot be reached, the last namespaces listed or
// watched keep deciding; StalenessSeconds() says how old they may be.
//
// Thread safety: Lookup(), synced(), StalenessSeconds() and namespaces()
// from any thread at once; Start() and Stop() from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string_view>

#include "webhook/admission/namespace_source.h"
#include "webhook/base/status.h"
#include "webhook/kube/kube_config.h"
#include "webhook/kube/namespace_cache.h"
#include "webhook/kube/pipeline_cache.h"
#include "webhook/kube/watcher.h"

namespace keyward {

struct ClusterContextOptions {
  // The longest one request waits for a namespace the cache does not hold
  // (the API server's webhook timeout is 10 s by default; keyward's chart
  // asks for less).
  std::chrono::milliseconds lookup_timeout{2000};
  WatchOptions watch;
};

class ClusterContext final : public NamespaceSource {
 public:
  // Opens three clients, one for each watch and one for lookups (running an
  // exec credential plugin, if any, now).
  static Result<std::unique_ptr<ClusterContext>> Connect(const ClusterAccess& access,
                                                         ClusterContextOptions options = {});
  ~ClusterContext() override;  // Stop()s

  void Start();
  void Stop();  // idempotent

  bool synced() const { return cache_.synced(); }
  // Seconds since the watch last heard from the API server (an answer, an
  // event or a bookmark); before it ever has, since Start().
  double StalenessSeconds() const;
  size_t namespaces() const { return cache_.Current()->size(); }
  WatchState watch_state() const { return watcher_->state(); }
  // The watched Pipelines once listed; null before (executions are then
  // judged by their values alone). Readiness does not wait for them: a
  // cluster may not have ACK's Pipeline CRD at all.
  const PipelineDirectory* pipelines() const { return pipeline_cache_.synced() ? &pipeline_cache_ : nullptr; }

  NamespaceLookup Lookup(std::string_view name) const override;

 private:
  ClusterContext(std::unique_ptr<KubeClient> lookup_client, std::chrono::milliseconds lookup_timeout);
  NamespaceLookup Fetch(std::string_view name) const;

  NamespaceCache cache_;
  std::unique_ptr<Watcher> watcher_;
  PipelineCache pipeline_cache_{&cache_};
  std::unique_ptr<Watcher> pipeline_watcher_;
  const std::chrono::milliseconds lookup_timeout_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  mutable std::timed_mutex lookup_mutex_;  // guards lookup_client_: one request at a time
  const std::unique_ptr<KubeClient> lookup_client_;
};

// True for a namespace name as Kubernetes allows it (an RFC 1123 label:
// at most 63 lowercase letters, digits and '-', starting and ending with a
// letter or digit). Anything else is never put in a request path.
bool IsNamespaceName(std::string_view name);

}  // namespace keyward
