// The watch protocol's wire format: a watch answer is a stream of JSON
// objects, one a line, each {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR,
// "object": {...}}. An ERROR event's object is a Status (code 410: the
// resourceVersion asked for is too old; list again). Every other event's
// object carries metadata.resourceVersion, where the next watch resumes.
//
// Everything here comes from the API server and is checked as outside
// input: nothing throws.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/base/status.h"

namespace keyward {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

// "ADDED", "MODIFIED", ...
const char* WatchEventTypeName(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  nlohmann::json object;
  std::string resource_version;  // object.metadata.resourceVersion; "" for ERROR
  int error_code = 0;            // ERROR: the Status's code (0 when it has none)
  std::string error_message;     // ERROR: the Status's message
};

// One line of a watch answer, or what is wrong with it.
Result<WatchEvent> ParseWatchEvent(std::string_view line);

// Cuts a stream into lines of at most `max_line_bytes` (counting a "\r"
// before the "\n", which is dropped; empty lines are skipped), holding at
// most that many bytes of an unfinished line.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Hands each finished line to `on_line`. False when a line is longer than
  // the bound (see too_long()) or `on_line` returned false; the splitter is
  // then spent.
  bool Feed(std::string_view piece, const std::function<bool(std::string_view line)>& on_line);

  bool too_long() const { return too_long_; }
  // Bytes of a line not finished yet (a stream cut there lost them).
  size_t pending() const { return pending_.size(); }

 private:
  size_t max_line_bytes_;
  std::string pending_;
  bool too_long_ = false;
};

}  // namespace keyward
