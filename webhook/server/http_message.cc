#include "webhook/server/http_message.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

#include "policy/base/text.h"

namespace keyward {
namespace {

// The methods HTTP/1.1 defines (and PATCH): any other is not a request
// this server can read.
constexpr std::array<std::string_view, 9> kMethods = {"GET",     "HEAD",  "POST",  "PUT",   "DELETE",
                                                     "CONNECT", "OPTIONS", "TRACE", "PATCH"};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// The end of the head (past its empty line) within `text`, searching from
// `from`. Lines end in CRLF; a bare LF is accepted too.
std::optional<size_t> HeadEnd(std::string_view text, size_t from) {
  // Back up so that an end split across two reads is found.
  for (size_t at = from >= 3 ? from - 3 : 0; (at = text.find('\n', at)) != std::string_view::npos; ++at) {
    if (at + 1 < text.size() && text[at + 1] == '\n') return at + 2;
    if (at + 2 < text.size() && text[at + 1] == '\r' && text[at + 2] == '\n') return at + 3;
  }
  return std::nullopt;
}

// The leading digits (none: 0), as cpp-httplib reads a Content-Length with
// strtoull; a negative or overflowing one is huge, so refused as too large.
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

bool IsTokenCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string PercentDecoded(std::string_view path) {
  std::string decoded;
  for (size_t i = 0; i < path.size(); ++i) {
    unsigned char value = 0;
    const char* escape_end = path.data() + std::min(i + 3, path.size());
    if (path[i] == '%' && std::from_chars(path.data() + i + 1, escape_end, value, 16).ptr == path.data() + i + 3) {
      decoded.push_back(static_cast<char>(value));
      i += 2;
    } else {
      decoded.push_back(path[i]);
    }
  }
  return decoded;
}

TextSpan SpanOf(std::string_view part, std::string_view whole) {
  return {static_cast<size_t>(part.data() - whole.data()), part.size()};
}

std::string_view Next(std::string_view* text, char separator) {
  const size_t end = text->find(separator);
  const std::string_view part = text->substr(0, end);
  text->remove_prefix(end == std::string_view::npos ? text->size() : end + 1);
  return part;
}

// "METHOD SP target SP HTTP/1.x": false when it is not.
bool ReadRequestLine(std::string_view line, std::string_view head, RequestHead* out, bool* http10) {
  const std::string_view method = Next(&line, ' ');
  const std::string_view target = Next(&line, ' ');
  const std::string_view version = line;
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end() || target.empty() ||
      (version != "HTTP/1.1" && version != "HTTP/1.0") ||
      !std::all_of(target.begin(), target.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
    return false;
  }
  *http10 = version == "HTTP/1.0";
  out->method = SpanOf(method, head);
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  out->path = SpanOf(path, head);
  if (path.find('%') != std::string_view::npos) out->decoded_path = PercentDecoded(path);
  return true;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

}  // namespace

HeadScan ParseRequestHead(std::string_view received, size_t scanned, size_t max_head_bytes,
                          size_t max_body_bytes, RequestHead* out) {
  const std::optional<size_t> head_end = HeadEnd(received.substr(0, max_head_bytes), scanned);
  if (!head_end) return received.size() >= max_head_bytes ? HeadScan::kTooLarge : HeadScan::kIncomplete;
  *out = RequestHead{};
  out->length = *head_end;
  const std::string_view head = received.substr(0, *head_end);
  std::string_view rest = head;
  bool http10 = false;
  bool keep_alive = false;
  bool chunked = false;
  std::optional<size_t> content_length;
  bool well_formed = ReadRequestLine(Trim(Next(&rest, '\n')), head, out, &http10);
  bool has_content_type = false;
  while (well_formed) {
    const std::string_view line = Next(&rest, '\n');
    if (line.empty() || line == "\r") break;  // the empty line: end of the head
    const size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || name.empty() || !std::all_of(name.begin(), name.end(), IsTokenCharacter)) {
      well_formed = false;
      break;
    }
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoringAsciiCase(name, "Content-Length")) {
      if (!content_length) content_length = ContentLength(value);
    } else if (EqualsIgnoringAsciiCase(name, "Content-Type")) {
      if (!has_content_type) out->content_type = SpanOf(value, head);
      has_content_type = true;
    } else if (EqualsIgnoringAsciiCase(name, "Transfer-Encoding")) {
      chunked = true;
    } else if (EqualsIgnoringAsciiCase(name, "Expect")) {
      out->expect_continue = EqualsIgnoringAsciiCase(value, "100-continue");
    } else if (EqualsIgnoringAsciiCase(name, "Connection")) {
      // As cpp-httplib: exactly "close" closes.
      out->close = out->close || value == "close";
      keep_alive = keep_alive || EqualsIgnoringAsciiCase(value, "keep-alive");
    }
  }
  if (http10 && !keep_alive) out->close = true;
  if (!well_formed) {
    out->problem = HttpProblem::kMalformed;
  } else if (chunked) {
    out->problem = HttpProblem::kChunked;
  } else if (content_length.value_or(0) > max_body_bytes) {
    out->problem = HttpProblem::kTooLarge;
  } else {
    out->body_length = content_length.value_or(0);
  }
  if (out->problem != HttpProblem::kNone) out->expect_continue = false;
  return HeadScan::kComplete;
}

HttpRequest ViewRequest(const RequestHead& head, std::string_view received) {
  auto view = [received](TextSpan span) { return received.substr(span.offset, span.size); };
  HttpRequest request;
  request.method = view(head.method);
  request.path = head.decoded_path.empty() ? view(head.path) : std::string_view(head.decoded_path);
  request.content_type = view(head.content_type);
  request.body = received.substr(head.length, head.body_length);
  request.problem = head.problem;
  return request;
}

void AppendHttpAnswer(const HttpAnswer& answer, const AnswerFraming& framing, std::string* out) {
  out->append("HTTP/1.1 ").append(std::to_string(answer.status)).append(" ").append(ReasonPhrase(answer.status));
  if (!answer.allow.empty()) out->append("\r\nAllow: ").append(answer.allow);
  if (framing.close) out->append("\r\nConnection: close");
  out->append("\r\nContent-Length: ").append(std::to_string(answer.body.size()));
  if (!answer.content_type.empty()) out->append("\r\nContent-Type: ").append(answer.content_type);
  if (!framing.close) {
    out->append("\r\nKeep-Alive: timeout=")
        .append(std::to_string(framing.keep_alive_timeout.count()))
        .append(", max=")
        .append(std::to_string(framing.keep_alive_max_requests));
  }
  out->append("\r\n\r\n");
  if (!framing.head_request) out->append(answer.body);
}

}  // namespace keyward
