#include "webhook/admission/ignored_metadata.h"

#include <array>
#include <cstring>
#include <vector>

#include "webhook/base/bounded_json.h"

namespace keyward {
namespace {

// Keys are tracked down to the annotation level:
// review(1) > request(2) > object(3) > metadata(4) > annotations(5).
constexpr size_t kTrackedDepth = 5;
constexpr size_t kNone = std::string_view::npos;

struct Removal {
  size_t begin;
  size_t end;
};

bool IsIgnoredMember(const std::array<std::string_view, kTrackedDepth + 1>& keys, size_t depth) {
  if (depth < 4 || keys[1] != "request" || (keys[2] != "object" && keys[2] != "oldObject") ||
      keys[3] != "metadata") {
    return false;
  }
  if (depth == 4) return keys[4] == "managedFields";
  return keys[4] == "annotations" && keys[5] == "kubectl.kubernetes.io/last-applied-configuration";
}

bool IsWhitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The index of the quote closing a string whose text starts at `from`, or
// kNone. memchr finds quotes fast; a quote after an odd run of backslashes
// is escaped.
size_t ClosingQuote(std::string_view text, size_t from) {
  for (size_t i = from;;) {
    const void* quote = std::memchr(text.data() + i, '"', text.size() - i);
    if (quote == nullptr) return kNone;
    const size_t at = static_cast<size_t>(static_cast<const char*>(quote) - text.data());
    size_t backslashes = 0;
    while (at - backslashes > from && text[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at;
    i = at + 1;
  }
}

// Finds the members to remove; false if the text is not well-formed enough
// to remove anything safely.
bool FindRemovals(std::string_view text, std::vector<Removal>* removals) {
  std::array<std::string_view, kTrackedDepth + 1> keys{};
  std::array<bool, kTrackedDepth + 1> is_object{};
  std::array<size_t, kTrackedDepth + 1> member_start{};
  std::array<size_t, kTrackedDepth + 1> comma_before{};
  size_t depth = 0;
  bool expect_key = false;
  bool pending = false;  // inside the value of a member to remove
  size_t pending_depth = 0;

  // Called when a value has ended at `end` with the scan back at `depth`.
  auto value_done = [&](size_t end) {
    if (!pending || depth != pending_depth) return true;
    pending = false;
    Removal removal{comma_before[depth], end};
    if (removal.begin == kNone) {  // the first member: take the comma after it
      removal.begin = member_start[depth];
      size_t next = end;
      while (next < text.size() && IsWhitespace(text[next])) ++next;
      if (next < text.size() && text[next] == ',') removal.end = next + 1;
    }
    if (!removals->empty() && removal.begin < removals->back().end) return false;  // duplicate keys
    removals->push_back(removal);
    return true;
  };

  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (IsWhitespace(c)) {
      ++i;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return false;
      if (depth <= kTrackedDepth) {
        is_object[depth] = c == '{';
        comma_before[depth] = kNone;
      }
      expect_key = c == '{';
      ++i;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return false;
      --depth;
      ++i;
      expect_key = false;
      if (!value_done(i)) return false;
    } else if (c == ',') {
      if (depth <= kTrackedDepth && is_object[depth]) {
        comma_before[depth] = i;
        expect_key = true;
      }
      ++i;
    } else if (c == ':') {
      ++i;
      if (depth <= kTrackedDepth && is_object[depth] && IsIgnoredMember(keys, depth)) {
        pending = true;
        pending_depth = depth;
      }
    } else if (c == '"') {
      const size_t start = i;
      const size_t close = ClosingQuote(text, start + 1);
      if (close == kNone) return false;
      i = close + 1;
      if (expect_key) {
        expect_key = false;
        if (depth <= kTrackedDepth && is_object[depth]) {
          keys[depth] = text.substr(start + 1, i - start - 2);
          member_start[depth] = start;
        }
      } else if (!value_done(i)) {
        return false;
      }
    } else {  // a number or a literal
      while (i < text.size() && !IsWhitespace(text[i]) && text[i] != ',' && text[i] != ']' && text[i] != '}') ++i;
      if (!value_done(i)) return false;
    }
  }
  return depth == 0 && !pending;
}

}  // namespace

bool RemoveIgnoredMetadata(std::string_view review, std::string* out) {
  std::vector<Removal> removals;
  if (!FindRemovals(review, &removals) || removals.empty()) return false;
  out->clear();
  out->reserve(review.size());
  size_t kept_from = 0;
  for (const Removal& removal : removals) {
    out->append(review.substr(kept_from, removal.begin - kept_from));
    kept_from = removal.end;
  }
  out->append(review.substr(kept_from));
  return true;
}

}  // namespace keyward
