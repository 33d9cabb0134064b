#include "policy/yaml_guard.h"

namespace keyward {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The index just past a quoted scalar opened at `open`, or npos when it does
// not close on this text ('' escapes a single quote, \ escapes in double).
size_t SkipQuoted(std::string_view text, size_t open) {
  const char quote = text[open];
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return std::string_view::npos;
}

}  // namespace

bool HasStrayTopLevelComma(std::string_view text) {
  // yaml-cpp 0.7 hangs on a ',' outside any flow collection that stands
  // where a node may start: at the start of a line or document, after a
  // sequence dash, or right after a closed flow collection or quoted scalar.
  // A ',' inside a plain scalar ("a ,b") is text and is not affected.
  int flow_depth = 0;
  bool node_may_start = true;  // only white space since a line start or a closed node
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      node_may_start = true;
      continue;
    }
    if (IsSpace(c)) continue;
    const bool at_token_start = i == 0 || IsSpace(text[i - 1]) || text[i - 1] == '\n' ||
                                text[i - 1] == '[' || text[i - 1] == '{' || text[i - 1] == ',';
    if (c == '#' && at_token_start) {
      while (i < text.size() && text[i] != '\n') ++i;
      node_may_start = true;
      continue;
    }
    if ((c == '"' || c == '\'') && at_token_start) {
      const size_t end = SkipQuoted(text, i);
      if (end == std::string_view::npos) return false;  // yaml-cpp reports it
      i = end - 1;
      node_may_start = flow_depth == 0;
      continue;
    }
    if (c == ',' && flow_depth == 0 && node_may_start) return true;
    if (c == '[' || c == '{') {
      ++flow_depth;
    } else if ((c == ']' || c == '}') && flow_depth > 0) {
      --flow_depth;
      node_may_start = flow_depth == 0;
      continue;
    }
    // A sequence dash or document marker leaves room for a node after it.
    const bool dash = c == '-' && (i + 1 == text.size() || IsSpace(text[i + 1]) || text[i + 1] == '\n');
    const bool marker = c == '-' && text.substr(i, 3) == "---";
    if (marker) i += 2;
    node_may_start = dash || marker;
  }
  return false;
}

}  // namespace keyward
