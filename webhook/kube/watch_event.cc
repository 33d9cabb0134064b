#include "webhook/kube/watch_event.h"

#include <array>
#include <utility>

#include "webhook/base/bounded_json.h"
#include "webhook/base/json_member.h"

namespace keyward {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<const char*, WatchEventType>, 5> kTypes = {{
    {"ADDED", WatchEventType::kAdded},
    {"MODIFIED", WatchEventType::kModified},
    {"DELETED", WatchEventType::kDeleted},
    {"BOOKMARK", WatchEventType::kBookmark},
    {"ERROR", WatchEventType::kError},
}};

}  // namespace

const char* WatchEventTypeName(WatchEventType type) {
  for (const auto& [name, value] : kTypes) {
    if (value == type) return name;
  }
  return "UNKNOWN";
}

Result<WatchEvent> ParseWatchEvent(std::string_view line) {
  Result<json> parsed = ParseBoundedJson(line);
  if (!parsed.ok()) return Status::Error("a watch event is not JSON: " + parsed.status().what());
  json& document = parsed.value();
  if (!document.is_object()) return Status::Error("a watch event is not a JSON object");
  auto type = document.find("type");
  if (type == document.end() || !type->is_string()) return Status::Error("a watch event has no type");
  WatchEvent event;
  bool known = false;
  for (const auto& [name, value] : kTypes) {
    if (type->get<std::string>() == name) {
      event.type = value;
      known = true;
    }
  }
  if (!known) return Status::Error("a watch event has the unknown type " + type->get<std::string>());
  auto object = document.find("object");
  if (object == document.end() || !object->is_object()) {
    return Status::Error(std::string("a watch event of type ") + WatchEventTypeName(event.type) + " has no object");
  }
  event.object = std::move(*object);
  if (event.type == WatchEventType::kError) {
    auto code = event.object.find("code");
    if (code != event.object.end() && code->is_number_integer()) event.error_code = code->get<int>();
    event.error_message = StringMember(event.object, "message");
    return event;
  }
  auto metadata = event.object.find("metadata");
  if (metadata != event.object.end()) event.resource_version = StringMember(*metadata, "resourceVersion");
  if (event.resource_version.empty()) {
    return Status::Error(std::string("a watch event of type ") + WatchEventTypeName(event.type) +
                         " has no object.metadata.resourceVersion");
  }
  return event;
}

bool LineSplitter::Feed(std::string_view piece, const std::function<bool(std::string_view)>& on_line) {
  if (too_long_) return false;
  while (!piece.empty()) {
    const size_t newline = piece.find('\n');
    const std::string_view part = piece.substr(0, newline);
    if (pending_.size() + part.size() > max_line_bytes_) {
      too_long_ = true;
      pending_.clear();
      return false;
    }
    if (newline == std::string_view::npos) {
      pending_.append(part);
      return true;
    }
    piece.remove_prefix(newline + 1);
    std::string_view line = part;
    if (!pending_.empty()) {
      pending_.append(part);
      line = pending_;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool go_on = line.empty() || on_line(line);
    pending_.clear();
    if (!go_on) return false;
  }
  return true;
}

}  // namespace keyward
