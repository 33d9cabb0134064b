#include "webhook/base/printable.h"

namespace keyward {

std::string PrintablePrefix(std::string_view bytes, size_t limit) {
  std::string out(bytes.substr(0, limit));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

}  // namespace keyward
