#include "webhook/server/request_framing.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "policy/base/text.h"

namespace keyward {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The end of the head (past its empty line), if it has arrived. Lines end
// in CRLF; a bare LF is accepted as cpp-httplib accepts it.
std::optional<size_t> HeadEnd(std::string_view received) {
  const size_t crlf = received.find("\r\n\r\n");
  const size_t lf = received.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::nullopt;
  if (lf == std::string_view::npos || (crlf != std::string_view::npos && crlf < lf)) return crlf + 4;
  return lf + 2;
}

struct Framing {
  std::optional<size_t> content_length;  // the first Content-Length, as cpp-httplib reads it
  bool chunked = false;                  // any Transfer-Encoding
  bool expect_continue = false;
};

// cpp-httplib reads a Content-Length with strtoull: the leading digits
// (none: 0); a negative or overflowing one is huge, so refused as too large.
size_t ContentLength(std::string_view value) {
  if (!value.empty() && value.front() == '-') return SIZE_MAX;
  if (!value.empty() && value.front() == '+') value.remove_prefix(1);
  size_t length = 0;
  for (char c : value) {
    if (c < '0' || c > '9') break;
    if (length > (SIZE_MAX - 9) / 10) return SIZE_MAX;
    length = length * 10 + static_cast<size_t>(c - '0');
  }
  return length;
}

Framing ReadFraming(std::string_view head) {
  Framing framing;
  size_t line_start = head.find('\n');  // skip the request line
  while (line_start != std::string_view::npos && line_start + 1 < head.size()) {
    const size_t next = head.find('\n', line_start + 1);
    const std::string_view line =
        head.substr(line_start + 1, next == std::string_view::npos ? std::string_view::npos : next - line_start - 1);
    line_start = next;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoringAsciiCase(name, "Content-Length")) {
      if (!framing.content_length) framing.content_length = ContentLength(value);
    } else if (EqualsIgnoringAsciiCase(name, "Transfer-Encoding")) {
      framing.chunked = true;
    } else if (EqualsIgnoringAsciiCase(name, "Expect")) {
      framing.expect_continue = EqualsIgnoringAsciiCase(value, "100-continue");
    }
  }
  return framing;
}

bool IsPlainPathCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
         c == '_';
}

bool IsTokenCharacter(char c) { return IsPlainPathCharacter(c) && c != '/'; }

}  // namespace

RequestFrame FrameRequest(std::string_view received, size_t max_head_bytes, size_t max_body_bytes) {
  RequestFrame frame;
  const std::optional<size_t> head_end = HeadEnd(received.substr(0, max_head_bytes));
  if (!head_end) {
    frame.head_too_large = received.size() >= max_head_bytes;
    return frame;
  }
  const Framing framing = ReadFraming(received.substr(0, *head_end));
  const size_t body = framing.content_length.value_or(0);
  if (framing.chunked || body > max_body_bytes) {
    frame.complete = true;
    frame.length = *head_end;
    frame.body_refused = framing.chunked || body > 0;
    return frame;
  }
  frame.complete = received.size() - *head_end >= body;
  frame.length = *head_end + body;
  frame.awaits_continue = !frame.complete && framing.expect_continue;
  return frame;
}

bool ReadPlainPost(std::string_view request, PlainPost* out) {
  constexpr std::string_view kMethod = "POST ";
  constexpr std::string_view kVersion = " HTTP/1.1\r\n";
  if (!request.starts_with(kMethod)) return false;
  request.remove_prefix(kMethod.size());
  const size_t target_end = request.find(' ');
  if (target_end == std::string_view::npos || target_end == 0 || request[0] != '/') return false;
  const std::string_view target = request.substr(0, target_end);
  // The apiserver's client adds "?timeout=10s": the query routes nothing.
  out->path = target.substr(0, target.find('?'));
  const std::string_view query = target.substr(out->path.size());
  if (!std::all_of(out->path.begin(), out->path.end(), IsPlainPathCharacter) ||
      !std::all_of(query.begin(), query.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
    return false;
  }
  request.remove_prefix(target_end);
  if (!request.starts_with(kVersion)) return false;
  request.remove_prefix(kVersion.size());

  std::optional<size_t> content_length;
  bool has_content_type = false;
  out->close = false;
  for (size_t headers = 0;; ++headers) {
    const size_t line_end = request.find("\r\n");
    if (line_end == std::string_view::npos || headers > kMaxPlainHeaders) return false;
    const std::string_view line = request.substr(0, line_end);
    request.remove_prefix(line_end + 2);
    if (line.empty()) break;  // end of the head
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenCharacter)) return false;
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoringAsciiCase(name, "Content-Length")) {
      if (content_length || value.empty() || value.size() > 19 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
      }
      content_length = ContentLength(value);
    } else if (EqualsIgnoringAsciiCase(name, "Content-Type")) {
      if (!has_content_type) out->content_type = value;
      has_content_type = true;
    } else if (EqualsIgnoringAsciiCase(name, "Connection")) {
      // cpp-httplib closes on exactly "close"; any other value keeps the
      // connection, and so does this.
      out->close = out->close || value == "close";
    } else if (EqualsIgnoringAsciiCase(name, "Transfer-Encoding") || EqualsIgnoringAsciiCase(name, "Expect")) {
      return false;
    }
  }
  if (!content_length || *content_length != request.size()) return false;
  out->body = request;
  return true;
}

}  // namespace keyward
