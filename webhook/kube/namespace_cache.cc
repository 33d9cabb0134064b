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

nlohmann::json NamespaceCache::Keep(nlohmann::json object) {
  const NamespaceInfo info = NamespaceInfoOf(object);
  nlohmann::json metadata = {{"name", info.name}};
  if (!info.labels.empty()) metadata["labels"] = info.labels;
  if (!info.annotations.empty()) metadata["annotations"] = info.annotations;
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", std::move(metadata)}};
}

void NamespaceCache::OnReplace(std::vector<nlohmann::json> items) {
  std::array<NamespaceSnapshot::Shard, NamespaceSnapshot::kShards> shards;
  auto snapshot = std::make_shared<NamespaceSnapshot>();
  for (const nlohmann::json& item : items) {
    std::shared_ptr<const NamespaceInfo> info = InfoOf(item);
    if (info == nullptr) continue;
    const std::string name = info->name;
    shards[NamespaceSnapshot::ShardOf(name)][name] = std::move(info);
  }
  for (size_t i = 0; i < shards.size(); ++i) {
    snapshot->size_ += shards[i].size();
    snapshot->shards_[i] = std::make_shared<const NamespaceSnapshot::Shard>(std::move(shards[i]));
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
