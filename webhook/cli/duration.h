// Durations on the command line: "500ms", "5s", "2m", "1h", or a plain
// number of seconds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace keyward {

// Returns an empty string on success, else what is wrong with `text`.
std::string ParseDuration(std::string_view text, std::chrono::milliseconds* out);

}  // namespace keyward
