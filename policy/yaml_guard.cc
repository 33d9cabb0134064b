#include "policy/yaml_guard.h"

namespace keyward {

bool HasDocumentStartingWithComma(std::string_view text) {
  bool at_document_start = true;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    size_t first = line.find_first_not_of(" \t\r");
    line = first == std::string_view::npos ? std::string_view() : line.substr(first);
    if (line.starts_with("---")) {
      at_document_start = true;
      line.remove_prefix(3);
      size_t rest = line.find_first_not_of(" \t\r");
      line = rest == std::string_view::npos ? std::string_view() : line.substr(rest);
    }
    if (at_document_start && !line.empty() && line.front() != '#' && line.front() != '%') {
      if (line.front() == ',') return true;
      at_document_start = false;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

}  // namespace keyward
