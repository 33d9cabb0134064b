// Writing small JSON objects straight into a string.
//
// Answers and log lines are flat and built once per request; writing them
// directly costs a fraction of building an nlohmann::json and dumping it,
// which profiles showed as a tenth of a request's CPU. Values must be valid
// UTF-8 (every string here comes from a parsed request or from the core).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace keyward {

// Appends `value` as a quoted JSON string.
void AppendJsonString(std::string_view value, std::string* out);

// Appends `value` as compact JSON text: what value.dump() writes, but for
// the control characters \b and \f, written \u0008 and \u000c (the same
// string to any reader). Several times faster than dump() for the patches
// the core returns. Recursive: for documents within kMaxJsonDepth.
void AppendJsonValue(const nlohmann::json& value, std::string* out);

// The one JSON writer of the shell: answers, error bodies and JSON log lines.
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  // Members only, no braces: for text that another layer wraps in an object
  // (the log's pattern writes the braces, time and level).
  struct MembersOnly {};
  JsonObjectWriter(std::string* out, MembersOnly) : out_(out) {}

  JsonObjectWriter& String(std::string_view key, std::string_view value);
  JsonObjectWriter& Bool(std::string_view key, bool value);
  JsonObjectWriter& Int(std::string_view key, int64_t value);
  JsonObjectWriter& Unsigned(std::string_view key, uint64_t value);
  JsonObjectWriter& Strings(std::string_view key, const std::vector<std::string>& values);
  // A value that is already JSON text.
  JsonObjectWriter& Raw(std::string_view key, std::string_view json);
  // A value that `write` appends as JSON text to the string being written
  // (e.g. through a JsonObjectWriter of its own): no copy of the value.
  template <typename Write>
  JsonObjectWriter& Value(std::string_view key, Write&& write) {
    Key(key);
    write(out_);
    return *this;
  }
  void Close() { out_->push_back('}'); }

 private:
  void Key(std::string_view key);

  std::string* out_;
  bool first_ = true;
};

}  // namespace keyward
