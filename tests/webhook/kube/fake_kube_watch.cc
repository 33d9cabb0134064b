// FakeKubeApi's watches: the history of pushed events, bookmarks,
// compaction (410 Gone), and the faults a client has to survive.
#include <charconv>
#include <chrono>
#include <stdexcept>

#include <httplib.h>

#include "tests/webhook/kube/fake_kube_api.h"

namespace keyward::testing {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

constexpr int64_t kDefaultWatchSeconds = 1800;
constexpr size_t kWritePiece = 64u << 10;  // long lines are written in pieces, to see a client leave midway

bool ParseInt(const std::string& text, int64_t* out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

std::shared_ptr<const std::string> EventLine(const std::string& type, const json& object) {
  return std::make_shared<const std::string>(json{{"type", type}, {"object", object}}.dump());
}

json GoneStatus(int64_t asked, int64_t oldest) {
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Failure"},
          {"message", "too old resource version: " + std::to_string(asked) + " (" + std::to_string(oldest) + ")"},
          {"reason", "Expired"},
          {"code", 410}};
}

bool WriteAll(httplib::DataSink& sink, const std::string& text, size_t length) {
  for (size_t offset = 0; offset < length; offset += kWritePiece) {
    if (!sink.write(text.data() + offset, std::min(kWritePiece, length - offset))) return false;
  }
  return true;
}

std::string ObjectKey(const json& object) {
  const json& metadata = object["metadata"];
  return metadata.value("namespace", "") + "/" + metadata.value("name", "");
}

}  // namespace

struct FakeKubeApi::WatchCursor {
  std::string api_version, resource_name;
  size_t next = 0;       // the next feed entry to consider
  size_t opened_at = 0;  // entries from here on were pushed while this watch was open
  int64_t from = 0;      // the resourceVersion asked for: earlier entries are sent if newer than it
  bool bookmarks = false;
  uint64_t bookmarks_seen = 0;
  steady_clock::time_point deadline;
  bool gone = false;  // one ERROR event (410), then the end
  bool gone_sent = false;
};

void FakeKubeApi::StartWatch(const httplib::Request& req, httplib::Response& res, const std::string& api_version,
                             const std::string& resource_name) {
  auto cursor = std::make_shared<WatchCursor>();
  cursor->api_version = api_version;
  cursor->resource_name = resource_name;
  cursor->opened_at = groups_[api_version][resource_name].feed.size();
  cursor->from = resource_version_;
  const std::string asked = req.get_param_value("resourceVersion");
  if (!asked.empty() && !ParseInt(asked, &cursor->from)) {
    res.status = 400;
    res.set_content(json{{"kind", "Status"}, {"code", 400}, {"message", "invalid resourceVersion " + asked}}.dump(),
                    "application/json");
    return;
  }
  watch_resource_versions_.push_back(asked);
  int64_t seconds = kDefaultWatchSeconds;
  if (req.has_param("timeoutSeconds") && !ParseInt(req.get_param_value("timeoutSeconds"), &seconds)) {
    seconds = kDefaultWatchSeconds;
  }
  cursor->deadline = steady_clock::now() + std::chrono::seconds(seconds);
  cursor->bookmarks = req.get_param_value("allowWatchBookmarks") == "true";
  cursor->bookmarks_seen = bookmarks_;
  cursor->gone = cursor->from < compacted_before_;
  if (cursor->gone && options_.gone_as_http_status) {
    res.status = 410;
    res.set_content(GoneStatus(cursor->from, compacted_before_).dump(), "application/json");
    return;
  }
  ++open_watches_;
  res.status = 200;
  res.set_chunked_content_provider(
      "application/json",
      [this, cursor](size_t, httplib::DataSink& sink) {
        std::vector<std::shared_ptr<const std::string>> lines;
        bool cut_last = false;
        {
          std::unique_lock<std::mutex> lock(mutex_);
          if (!NextLines(*cursor, lock, &lines, &cut_last)) {
            lock.unlock();
            sink.done();
            return true;
          }
        }
        for (size_t i = 0; i < lines.size(); ++i) {
          const std::string& line = *lines[i];
          if (cut_last && i + 1 == lines.size()) {
            WriteAll(sink, line, line.size() / 2);
            return false;  // httplib closes the connection in the middle of the chunked answer
          }
          if (!WriteAll(sink, line, line.size()) || !sink.write("\n", 1)) {
            std::lock_guard<std::mutex> lock(mutex_);
            ++watches_left_by_client_;
            return false;
          }
        }
        return true;
      },
      [this](bool) {
        std::lock_guard<std::mutex> lock(mutex_);
        --open_watches_;
      });
}

bool FakeKubeApi::NextLines(WatchCursor& cursor, std::unique_lock<std::mutex>& lock,
                            std::vector<std::shared_ptr<const std::string>>* lines, bool* cut_last) {
  if (cursor.gone) {
    if (cursor.gone_sent) return false;
    lines->push_back(EventLine("ERROR", GoneStatus(cursor.from, compacted_before_)));
    cursor.gone_sent = true;
    return true;
  }
  while (!stopping_ && steady_clock::now() < cursor.deadline) {
    auto group = groups_.find(cursor.api_version);
    if (group == groups_.end() || !group->second.count(cursor.resource_name)) return false;
    Resource& resource = group->second[cursor.resource_name];
    for (; cursor.next < resource.feed.size(); ++cursor.next) {
      const FeedEntry& entry = resource.feed[cursor.next];
      const bool send = cursor.next >= cursor.opened_at || (entry.replayable && entry.resource_version > cursor.from);
      if (!send) continue;
      lines->push_back(entry.line);
      if (entry.replayable && drop_mid_event_) {
        drop_mid_event_ = false;
        *cut_last = true;
        ++cursor.next;
        return true;
      }
    }
    if (cursor.bookmarks && cursor.bookmarks_seen != bookmarks_) {
      cursor.bookmarks_seen = bookmarks_;
      lines->push_back(EventLine("BOOKMARK", {{"kind", resource.kind},
                                              {"apiVersion", cursor.api_version},
                                              {"metadata", {{"resourceVersion", std::to_string(resource_version_)}}}}));
    }
    if (!lines->empty()) return true;
    changed_.wait_until(lock, cursor.deadline);
  }
  return false;
}

std::string FakeKubeApi::Push(const std::string& type, json object) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string api_version = object.value("apiVersion", ""), kind = object.value("kind", "");
  Resource* resource = nullptr;
  if (auto group = groups_.find(api_version); group != groups_.end()) {
    for (auto& [name, served] : group->second) {
      if (served.kind == kind) resource = &served;
    }
  }
  if (resource == nullptr) throw std::invalid_argument("Push: no served resource of kind " + kind + " in " + api_version);
  const std::string version = Stamp(object);
  const std::string key = ObjectKey(object);
  std::erase_if(resource->items, [&](const json& item) { return ObjectKey(item) == key; });
  if (type != "DELETED") resource->items.push_back(object);
  resource->feed.push_back({resource_version_, EventLine(type, object), true});
  changed_.notify_all();
  return version;
}

void FakeKubeApi::Bookmark() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++bookmarks_;
  changed_.notify_all();
}

void FakeKubeApi::AdvanceResourceVersion(int count) {
  std::lock_guard<std::mutex> lock(mutex_);
  resource_version_ += count;
}

void FakeKubeApi::Compact() {
  std::lock_guard<std::mutex> lock(mutex_);
  compacted_before_ = resource_version_;
}

void FakeKubeApi::DropMidEvent() {
  std::lock_guard<std::mutex> lock(mutex_);
  drop_mid_event_ = true;
}

void FakeKubeApi::PushRaw(std::string line) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto shared = std::make_shared<const std::string>(std::move(line));
  for (auto& [api_version, resources] : groups_) {
    for (auto& [name, resource] : resources) resource.feed.push_back({0, shared, false});
  }
  changed_.notify_all();
}

std::string FakeKubeApi::resource_version() const { return std::to_string(Locked(resource_version_)); }

}  // namespace keyward::testing
