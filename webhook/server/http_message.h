// One HTTP/1.1 request (its head parsed once, then viewed whole) and its
// answer (as written on the wire).
//
// The connection loop reads without blocking. Once the end of a head has
// arrived it parses it here, once, into a RequestHead: how long the body
// is, whether the client waits for a 100 Continue, and what is wrong with
// the request (a malformed head, a body that is refused unread). When the
// body is there too, the loop hands the request, whole in memory, to its
// responder as an HttpRequest of views.
//
// The parse is strict where the apiserver never strays (one request line of
// method, target and version; "Name: value" headers) and forgiving where
// clients commonly are (bare LF line ends, a Content-Length with trailing
// junk read up to its digits, as cpp-httplib reads it).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace keyward {

// What makes a request unanswerable by the routes: each gets its own
// answer, and the connection closes after it (what follows such a head
// cannot be framed, or is a body that was not read).
enum class HttpProblem {
  kNone,
  kMalformed,  // not an HTTP/1.x request line with "Name: value" headers
  kChunked,    // Transfer-Encoding: the body's length is not announced
  kTooLarge,   // Content-Length above the body limit
};

// Where a parsed head's text sits in the received bytes. Offsets rather
// than views: the buffer may grow (and move) while the body arrives.
struct TextSpan {
  size_t offset = 0;
  size_t size = 0;
};

struct RequestHead {
  size_t length = 0;       // the head's bytes, its empty line included
  size_t body_length = 0;  // the body to read: 0 when refused
  HttpProblem problem = HttpProblem::kNone;
  bool expect_continue = false;  // "Expect: 100-continue"
  bool close = false;            // "Connection: close", or HTTP/1.0 without keep-alive
  TextSpan method;
  TextSpan path;  // the target without its query or fragment
  TextSpan content_type;
  // The path percent-decoded, when it had a '%' (rare: the apiserver sends
  // the configured path as it is); else empty.
  std::string decoded_path;
};

enum class HeadScan {
  kIncomplete,  // the end of the head has not arrived
  kTooLarge,    // no end of head within the head limit: not worth answering
  kComplete,    // *out holds the head
};

// Looks for the end of a head at the start of `received`, skipping the first
// `scanned` bytes already searched (so a head trickling in is searched once),
// and parses it once it is there.
HeadScan ParseRequestHead(std::string_view received, size_t scanned, size_t max_head_bytes,
                          size_t max_body_bytes, RequestHead* out);

// One whole request, as views into the received bytes.
struct HttpRequest {
  std::string_view method;
  std::string_view path;
  std::string_view content_type;  // the first Content-Type, trimmed
  std::string_view body;
  HttpProblem problem = HttpProblem::kNone;
};

// `received` holds at least head.length + head.body_length bytes.
HttpRequest ViewRequest(const RequestHead& head, std::string_view received);

// The answer to one request.
struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string_view content_type;
  std::string_view allow;  // an Allow header (a 405's), when not empty
  bool close = false;      // the connection closes after this answer
};

// How the connection goes on after an answer: stated in its headers.
struct AnswerFraming {
  bool close = false;        // "Connection: close"; else the keep-alive bounds
  bool head_request = false;  // a HEAD request: the headers alone
  std::chrono::seconds keep_alive_timeout{0};
  size_t keep_alive_max_requests = 0;
};

// Appends the status line, the headers (in name order) and the body.
void AppendHttpAnswer(const HttpAnswer& answer, const AnswerFraming& framing, std::string* out);

}  // namespace keyward
