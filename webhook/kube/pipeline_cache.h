// The cluster's ACK Pipelines as the server last heard of them, for the
// PipelineExecutions that name them (policy/rules/decision.h,
// PipelineDirectory): a WatchSink fed by a Watcher of
// pipelines.sagemaker.services.k8s.aws in every namespace.
//
// Readers take the current snapshot (one atomic load), as they take the
// policy; a change publishes a new one. A cluster has tens to hundreds of
// Pipelines, so a change rebuilds the snapshot whole. Of each Pipeline only
// what the rules read is kept: its namespace, spec.pipelineName and
// spec.pipelineDefinition. A Pipeline's namespace is looked up in the
// namespace cache at each Find, so a label change counts at once.
//
// Thread safety: Find() and synced() from any thread at once; the WatchSink
// calls from the watcher's thread only.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "policy/rules/decision.h"
#include "webhook/kube/namespace_cache.h"
#include "webhook/kube/watcher.h"

namespace keyward {

class PipelineCache final : public WatchSink, public PipelineDirectory {
 public:
  // `namespaces` (may be null) must outlive the cache.
  explicit PipelineCache(const NamespaceCache* namespaces);

  bool synced() const { return synced_.load(std::memory_order_acquire); }
  size_t size() const { return current_.load(std::memory_order_acquire)->size(); }

  std::optional<KnownPipeline> Find(std::string_view pipeline_name) const override;

  void OnListItem(nlohmann::json item) override;
  void OnListEnd(bool complete) override;
  void OnEvent(WatchEventType type, nlohmann::json object) override;

 private:
  struct Entry {
    std::string id;  // namespace/name: what events name
    std::string namespace_name;
    nlohmann::json object;  // reduced to what the rules read
  };
  // By spec.pipelineName in lower case.
  using Snapshot = std::unordered_map<std::string, std::shared_ptr<const Entry>>;

  static std::shared_ptr<const Entry> EntryOf(const nlohmann::json& object);
  static std::string KeyOf(const Entry& entry);

  const NamespaceCache* const namespaces_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::atomic<bool> synced_{false};
  Snapshot listing_;  // the list being read (the watcher's thread only)
};

}  // namespace keyward
