// The cluster's namespaces as the server last heard of them: a WatchSink
// fed by a Watcher (watcher.h), read by every admission request.
//
// Readers take the current snapshot, as they take the policy: one atomic
// load, then reads of immutable maps. A change publishes a new snapshot.
// The names are spread over kShards immutable shards; a change copies
// one shard (about 1/64 of the names) and the shard pointers, so a
// cluster of 10,000 namespaces changing often stays cheap to follow.
//
// Thread safety: Current() and synced() from any thread at once; the
// WatchSink calls from the watcher's thread only (one writer).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/model/namespace_info.h"
#include "webhook/kube/watcher.h"

namespace keyward {

class NamespaceSnapshot {
 public:
  NamespaceSnapshot();

  // Null when the namespace is not (or no longer) known.
  std::shared_ptr<const NamespaceInfo> Find(std::string_view name) const;
  size_t size() const { return size_; }

 private:
  friend class NamespaceCache;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  using Shard = std::unordered_map<std::string, std::shared_ptr<const NamespaceInfo>, NameHash, std::equal_to<>>;
  static constexpr size_t kShards = 64;
  static size_t ShardOf(std::string_view name) { return NameHash{}(name) % kShards; }

  std::array<std::shared_ptr<const Shard>, kShards> shards_;
  size_t size_ = 0;
};

class NamespaceCache final : public WatchSink {
 public:
  NamespaceCache();

  std::shared_ptr<const NamespaceSnapshot> Current() const { return current_.load(std::memory_order_acquire); }
  // A whole list has arrived (and stays true while later watches fail).
  bool synced() const { return synced_.load(std::memory_order_acquire); }

  // Each listed object becomes what a decision reads of it (namespace_object.h)
  // as it arrives; the list's objects are never held.
  void OnListItem(nlohmann::json item) override;
  void OnListEnd(bool complete) override;
  void OnEvent(WatchEventType type, nlohmann::json object) override;

 private:
  std::atomic<std::shared_ptr<const NamespaceSnapshot>> current_;
  // The list being read (the watcher's thread only).
  std::array<NamespaceSnapshot::Shard, NamespaceSnapshot::kShards> listing_;
  std::atomic<bool> synced_{false};
};

}  // namespace keyward
