// Inputs that yaml-cpp 0.7 (Debian 12) cannot be trusted with.
#pragma once

#include <string_view>

namespace keyward {

// True when `text` has a ',' outside any flow collection where a node may
// start (line or document start, after a sequence dash, a closed flow
// collection or a quoted scalar): yaml-cpp 0.7 loops forever on that (fixed
// upstream after 0.7), so such text must be refused before parsing.
bool HasStrayTopLevelComma(std::string_view text);

}  // namespace keyward
