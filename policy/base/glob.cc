#include "policy/base/glob.h"

#include <algorithm>
#include <vector>

namespace keyward {

bool IsGlob(std::string_view pattern) {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

std::string_view GlobLiteralPrefix(std::string_view pattern) {
  return pattern.substr(0, std::min(pattern.find_first_of("*?"), pattern.size()));
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single-star backtracking: linear in practice and
  // never recursive, so hostile patterns cannot blow the stack.
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool GlobsOverlap(std::string_view a, std::string_view b) {
  // Reachability over states (i, j) = "a[i:] and b[j:] still to match the
  // same rest of some string". A '*' may match nothing (advance past it) or
  // swallow one character the other side produces.
  const size_t width = b.size() + 1;
  std::vector<char> seen((a.size() + 1) * width, 0);
  std::vector<std::pair<size_t, size_t>> stack = {{0, 0}};
  auto push = [&](size_t i, size_t j) {
    if (!seen[i * width + j]) stack.emplace_back(i, j);
  };
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    if (seen[i * width + j]) continue;
    seen[i * width + j] = 1;
    if (i == a.size() && j == b.size()) return true;
    bool a_star = i < a.size() && a[i] == '*';
    bool b_star = j < b.size() && b[j] == '*';
    if (a_star) push(i + 1, j);
    if (b_star) push(i, j + 1);
    if (i < a.size() && j < b.size()) {
      if (a_star && b_star) {
        push(i, j + 1);
        push(i + 1, j);
      } else if (a_star) {
        push(i, j + 1);  // a's star swallows b's character
      } else if (b_star) {
        push(i + 1, j);
      } else if (a[i] == '?' || b[j] == '?' || a[i] == b[j]) {
        push(i + 1, j + 1);
      }
    }
  }
  return false;
}

}  // namespace keyward
