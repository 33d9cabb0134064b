// Reading whole files with a size bound and an error a user can act on.
#pragma once

#include <cstddef>
#include <string>

namespace keyward {

// Reads `path` into *out. Fails, with *error naming the path and the reason,
// when the file cannot be read or is larger than max_bytes.
bool ReadTextFile(const std::string& path, size_t max_bytes, std::string* out, std::string* error);

inline constexpr size_t kMaxPolicyBytes = 16 * 1024 * 1024;
inline constexpr size_t kMaxManifestBytes = 64 * 1024 * 1024;

}  // namespace keyward
