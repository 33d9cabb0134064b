#include "webhook/cli/duration.h"

#include <charconv>
#include <cstdint>

namespace keyward {

Status ParseDuration(std::string_view text, std::chrono::milliseconds* out) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  const std::string where = "duration \"" + std::string(text) + "\"";
  if (ec != std::errc() || value < 0) return Status::Error("must start with a non-negative whole number", where, "e.g. 5s");
  int64_t scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    return Status::Error("has an unknown unit", where, "use ms, s, m or h");
  }
  if (value > INT64_MAX / scale / 1000) return Status::Error("is too long", where);
  *out = std::chrono::milliseconds(value * scale);
  return Status::Ok();
}

}  // namespace keyward
