// Structured logging on top of spdlog: one line per event, as a JSON object
// (the default, for log pipelines) or as logfmt-style text (for people).
//
//   LogLine("policy reloaded").Add("path", path).Add("tenants", 3).Info();
//   {"time":"2024-05-01T10:00:00.123Z","level":"info","msg":"policy reloaded","path":"/p.yaml","tenants":3}
//   2024-05-01T10:00:00.123Z info policy reloaded path=/p.yaml tenants=3
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/common.h>

#include "webhook/observe/json_text.h"

namespace keyward {

enum class LogFormat { kJson, kText };

// Parses "json" or "text"; false for anything else.
bool ParseLogFormat(std::string_view text, LogFormat* out);

// Sends logs to standard error in `format` at `level` and above. Call once,
// before other threads log. Lines below warn are written in batches, at
// most 100 ms late; FlushLogs() writes what is pending (call it at exit).
void ConfigureLogging(LogFormat format, spdlog::level::level_enum level);
void FlushLogs();
bool LogEnabled(spdlog::level::level_enum level);

class LogLine {
 public:
  explicit LogLine(std::string_view message);

  LogLine& Add(std::string_view key, std::string_view value);
  LogLine& Add(std::string_view key, const char* value) { return Add(key, std::string_view(value)); }
  LogLine& Add(std::string_view key, const std::string& value) { return Add(key, std::string_view(value)); }
  LogLine& Add(std::string_view key, int64_t value);
  LogLine& Add(std::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  LogLine& Add(std::string_view key, uint64_t value);
  LogLine& Add(std::string_view key, bool value);
  LogLine& Add(std::string_view key, const std::vector<std::string>& values);

  void Debug() { Emit(spdlog::level::debug); }
  void Info() { Emit(spdlog::level::info); }
  void Warn() { Emit(spdlog::level::warn); }
  void Error() { Emit(spdlog::level::err); }

 private:
  void TextKey(std::string_view key);
  void Emit(spdlog::level::level_enum level);

  const bool json_;  // the format when the line was started
  std::string text_;
  JsonObjectWriter members_{&text_, JsonObjectWriter::MembersOnly{}};  // used in the JSON format
};

}  // namespace keyward
