#include "webhook/kube/namespace_cache.h"

#include <utility>

#include "webhook/kube/namespace_object.h"

namespace keyward {
namespace {

std::shared_ptr<const NamespaceInfo> InfoOf(const nlohmann::json& object) {
  auto info = std::make_shared<NamespaceInfo>(NamespaceInfoOf(object));
  if (info->name.empty()) return nullptr;
  return info;
}

}  // namespace

NamespaceSnapshot::NamespaceSnapshot() {
  const auto empty = std::make_shared<const Shard>();
  shards_.fill(empty);
}

std::shared_ptr<const NamespaceInfo> NamespaceSnapshot::Find(std::string_view name) const {
  const Shard& shard = *shards_[ShardOf(name)];
  auto it = shard.find(name);
  return it == shard.end() ? nullptr : it->second;
}

NamespaceCache::NamespaceCache() { current_.store(std::make_shared<const NamespaceSnapshot>()); }

void NamespaceCache::OnListItem(nlohmann::json item) {
  std::shared_ptr<const NamespaceInfo> info = InfoOf(item);
  if (info == nullptr) return;
  const std::string name = info->name;
  listing_[NamespaceSnapshot::ShardOf(name)][name] = std::move(info);
}

void NamespaceCache::OnListEnd(bool complete) {
  if (!complete) {
    for (NamespaceSnapshot::Shard& shard : listing_) shard = {};
    return;
  }
  auto snapshot = std::make_shared<NamespaceSnapshot>();
  for (size_t i = 0; i < listing_.size(); ++i) {
    snapshot->size_ += listing_[i].size();
    snapshot->shards_[i] = std::make_shared<const NamespaceSnapshot::Shard>(std::move(listing_[i]));
    listing_[i] = {};
  }
  current_.store(std::move(snapshot), std::memory_order_release);
  synced_.store(true, std::memory_order_release);
}

void NamespaceCache::OnEvent(WatchEventType type, nlohmann::json object) {
  std::shared_ptr<const NamespaceInfo> info = InfoOf(object);
  if (info == nullptr) return;
  const std::shared_ptr<const NamespaceSnapshot> current = Current();
  const size_t index = NamespaceSnapshot::ShardOf(info->name);
  auto shard = std::make_shared<NamespaceSnapshot::Shard>(*current->shards_[index]);
  const size_t before = shard->size();
  if (type == WatchEventType::kDeleted) {
    shard->erase(info->name);
  } else {
    const std::string name = info->name;
    (*shard)[name] = std::move(info);
  }
  auto next = std::make_shared<NamespaceSnapshot>(*current);
  next->size_ = current->size_ - before + shard->size();
  next->shards_[index] = std::move(shard);
  current_.store(std::move(next), std::memory_order_release);
}

}  // namespace keyward
