// Reading whole files with a size bound and an error a user can act on.
#pragma once

#include <cstddef>
#include <string>

#include "webhook/base/status.h"

namespace keyward {

// The contents of `path`. Fails, naming the path and the reason, when the
// file cannot be read or is larger than max_bytes.
Result<std::string> ReadTextFile(const std::string& path, size_t max_bytes);

inline constexpr size_t kMaxPolicyBytes = 16 * 1024 * 1024;
inline constexpr size_t kMaxManifestBytes = 64 * 1024 * 1024;

}  // namespace keyward
