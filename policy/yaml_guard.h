// Inputs that yaml-cpp 0.7 (Debian 12) cannot be trusted with.
#pragma once

#include <string_view>

namespace keyward {

// True when some YAML document in `text` starts with a bare ',' (after blank
// lines, comments and directives): yaml-cpp 0.7 loops forever on that
// (fixed upstream after 0.7), so such text must be refused before parsing.
bool HasDocumentStartingWithComma(std::string_view text);

}  // namespace keyward
