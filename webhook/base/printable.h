// Untrusted input cut down for a message or a log line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace keyward {

// The first `limit` bytes of untrusted input, with anything but printable
// ASCII shown as '?', so a log line never carries a whole body or raw bytes.
std::string PrintablePrefix(std::string_view bytes, size_t limit);

}  // namespace keyward
