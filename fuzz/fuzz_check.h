// Property checks inside fuzz targets. A failed check calls PropertyFailed,
// which the fuzzers define to abort (libFuzzer then saves the input as a
// crash artifact, which becomes a regression input in tests/hardening/) and
// the regression test defines to throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace keyward::fuzz {

// Reports `property` (what must hold) and `detail` (the values seen).
[[noreturn]] void PropertyFailed(std::string_view property, std::string_view detail);

inline void Require(bool holds, std::string_view property, std::string_view detail = {}) {
  if (!holds) PropertyFailed(property, detail);
}

// The fuzzer's bytes as text.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// True when `text` is well-formed UTF-8 (what the apiserver and JSON expect).
bool IsValidUtf8(std::string_view text);

}  // namespace keyward::fuzz
