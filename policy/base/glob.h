// Shell-style globs for namespaces, users, key ARNs and instance types.
//
// Only `*` (any run of characters, possibly empty) and `?` (one character) are
// special; everything else matches itself. There is no escaping because none
// of the matched vocabularies (DNS labels, ARNs, instance types) contain those
// characters.
#pragma once

#include <string>
#include <string_view>

namespace keyward {

bool IsGlob(std::string_view pattern);

bool GlobMatch(std::string_view pattern, std::string_view text);

// True when some string matches both patterns. Used to reject policies where
// two tenants could claim the same namespace. O(|a| * |b|).
bool GlobsOverlap(std::string_view a, std::string_view b);

// The characters before the first wildcard; every match starts with them.
std::string_view GlobLiteralPrefix(std::string_view pattern);

}  // namespace keyward
