#include "policy/base/text.h"

#include <algorithm>

namespace keyward {
namespace {

constexpr std::string_view kEllipsis = "...";

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The smallest n >= start such that text[n, end) starts on a character.
size_t Utf8SuffixStart(std::string_view text, size_t start) {
  while (start < text.size() && IsContinuationByte(text[start])) ++start;
  return start;
}

}  // namespace

std::string Quote(std::string_view text) {
  // Built by appending: GCC 12 misreports "\"" + std::string as overlapping
  // (-Wrestrict) once inlined at -O2/-O3.
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  out.append(text);
  out.push_back('"');
  return out;
}

size_t Utf8Prefix(std::string_view text, size_t limit) {
  if (limit >= text.size()) return text.size();
  // text[limit] starts the first character left out; back up to the start
  // of the character it belongs to.
  while (limit > 0 && IsContinuationByte(text[limit])) --limit;
  return limit;
}

std::string ElideMiddle(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  if (limit < kEllipsis.size()) return std::string(text.substr(0, Utf8Prefix(text, limit)));
  const size_t keep = limit - kEllipsis.size();
  const size_t head = Utf8Prefix(text, keep / 2);
  const size_t tail = Utf8SuffixStart(text, text.size() - (keep - keep / 2));
  std::string out;
  out.reserve(limit);
  out.append(text.substr(0, head));
  out.append(kEllipsis);
  out.append(text.substr(tail));
  return out;
}

std::string ElideEnd(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  if (limit < kEllipsis.size()) return std::string(text.substr(0, Utf8Prefix(text, limit)));
  std::string out(text.substr(0, Utf8Prefix(text, limit - kEllipsis.size())));
  out.append(kEllipsis);
  return out;
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return LowerAscii(x) == LowerAscii(y); });
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string WithArticle(std::string_view noun) {
  const bool vowel = !noun.empty() && std::string_view("aeiouAEIOU").find(noun.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

}  // namespace keyward
