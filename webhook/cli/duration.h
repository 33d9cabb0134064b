// Durations on the command line: "500ms", "5s", "2m", "1h", or a plain
// number of seconds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "webhook/base/status.h"

namespace keyward {

Status ParseDuration(std::string_view text, std::chrono::milliseconds* out);

}  // namespace keyward
