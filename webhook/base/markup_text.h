// Text for HTML and XML reports (the audit's HTML page, keyward test's JUnit
// XML): anything a resource or a policy holds, written where markup is read.
#pragma once

#include <string>
#include <string_view>

namespace keyward {

// `text` with & < > " ' escaped (the form both HTML and XML 1.0 read, in
// element text and in attribute values), and the control characters XML 1.0
// cannot hold (all below 0x20 but tab, newline and carriage return) left out.
std::string EscapeMarkup(std::string_view text);

}  // namespace keyward
