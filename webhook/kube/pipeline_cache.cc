#include "webhook/kube/pipeline_cache.h"

#include <utility>

#include "policy/base/text.h"
#include "policy/rules/known_pipelines.h"
#include "webhook/base/json_member.h"

namespace keyward {
namespace {

const nlohmann::json* Member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

PipelineCache::PipelineCache(const NamespaceCache* namespaces) : namespaces_(namespaces) {
  current_.store(std::make_shared<const Snapshot>());
}

std::shared_ptr<const PipelineCache::Entry> PipelineCache::EntryOf(const nlohmann::json& object) {
  if (!IsPipelineObject(object)) return nullptr;
  const nlohmann::json* metadata = Member(object, "metadata");
  const nlohmann::json* spec = Member(object, "spec");
  if (metadata == nullptr || spec == nullptr || !metadata->is_object() || !spec->is_object()) return nullptr;
  auto entry = std::make_shared<Entry>();
  entry->namespace_name = StringMember(*metadata, "namespace");
  const std::string name = StringMember(*metadata, "name");
  const std::string pipeline_name = StringMember(*spec, "pipelineName");
  if (name.empty() || pipeline_name.empty()) return nullptr;
  entry->id = entry->namespace_name + "/" + name;
  nlohmann::json kept_spec = {{"pipelineName", pipeline_name}};
  if (const nlohmann::json* definition = Member(*spec, "pipelineDefinition")) kept_spec["pipelineDefinition"] = *definition;
  entry->object = {{"apiVersion", StringMember(object, "apiVersion")},
                   {"kind", "Pipeline"},
                   {"metadata", {{"name", name}, {"namespace", entry->namespace_name}}},
                   {"spec", std::move(kept_spec)}};
  return entry;
}

std::string PipelineCache::KeyOf(const Entry& entry) {
  return AsciiLower(StringMember(entry.object.at("spec"), "pipelineName"));
}

std::optional<KnownPipeline> PipelineCache::Find(std::string_view pipeline_name) const {
  const std::shared_ptr<const Snapshot> snapshot = current_.load(std::memory_order_acquire);
  auto it = snapshot->find(AsciiLower(pipeline_name));
  if (it == snapshot->end()) return std::nullopt;
  // The entry, and its namespace's info, live as long as the decision holds them.
  struct Held {
    std::shared_ptr<const Entry> entry;
    std::shared_ptr<const NamespaceInfo> namespace_info;
  };
  auto held = std::make_shared<Held>();
  held->entry = it->second;
  if (namespaces_ != nullptr) held->namespace_info = namespaces_->Current()->Find(it->second->namespace_name);
  return KnownPipeline{&held->entry->object, held->entry->namespace_name, held->namespace_info.get(), held};
}

void PipelineCache::OnListItem(nlohmann::json item) {
  if (std::shared_ptr<const Entry> entry = EntryOf(item)) listing_[KeyOf(*entry)] = std::move(entry);
}

void PipelineCache::OnListEnd(bool complete) {
  Snapshot listed = std::move(listing_);
  listing_.clear();
  if (!complete) return;
  current_.store(std::make_shared<const Snapshot>(std::move(listed)), std::memory_order_release);
  synced_.store(true, std::memory_order_release);
}

void PipelineCache::OnEvent(WatchEventType type, nlohmann::json object) {
  std::shared_ptr<const Entry> entry = EntryOf(object);
  if (entry == nullptr) return;
  auto next = std::make_shared<Snapshot>(*current_.load(std::memory_order_acquire));
  // The same object under another spec.pipelineName before: drop that.
  for (auto it = next->begin(); it != next->end();) {
    it = it->second->id == entry->id ? next->erase(it) : std::next(it);
  }
  if (type != WatchEventType::kDeleted) (*next)[KeyOf(*entry)] = std::move(entry);
  current_.store(std::move(next), std::memory_order_release);
}

}  // namespace keyward
