// Where one HTTP/1.1 request ends in the bytes received so far.
//
// The connection loop reads without blocking and hands cpp-httplib a
// request only once it is whole in memory, so that parsing, routing and
// answering never wait on the network. Framing needs only the end of the
// head and three headers; everything else about the request is cpp-httplib's
// to judge (and to refuse with its own answers).
#pragma once

#include <cstddef>
#include <string_view>

namespace keyward {

struct RequestFrame {
  // False while more bytes are needed.
  bool complete = false;
  // The bytes cpp-httplib gets: the head, plus the body when it is to be
  // read. A head that announces a body the server refuses unread (chunked,
  // or larger than the limit) is handed over alone: cpp-httplib answers it
  // (411, 413) and the connection closes.
  size_t length = 0;
  // The head announces a body that is refused unread: the connection closes
  // after the answer.
  bool body_refused = false;
  // The head has `Expect: 100-continue` and its body is still to come: the
  // client waits for an interim answer before it sends it.
  bool awaits_continue = false;
  // No end of head within the head limit: the connection is not HTTP worth
  // answering, and is closed.
  bool head_too_large = false;
};

RequestFrame FrameRequest(std::string_view received, size_t max_head_bytes, size_t max_body_bytes);

// A whole request of the one shape the kube-apiserver sends: HTTP/1.1 POST
// to a plain path (letters, digits, '/', '-', '_'; a query of printable
// characters after it is ignored, as no route reads one), CRLF-terminated
// "Name: value" headers (at most kMaxPlainHeaders), one Content-Length that
// the body matches, and no Transfer-Encoding or Expect. Such a request can
// be answered without a general HTTP parser; any other is not plain, and
// goes to one.
struct PlainPost {
  std::string_view path;          // without the query
  std::string_view content_type;  // the first Content-Type, trimmed
  std::string_view body;
  bool close = false;  // "Connection: close"
};
inline constexpr size_t kMaxPlainHeaders = 64;

// True, with *out filled (views into `request`), when `request` is plain.
bool ReadPlainPost(std::string_view request, PlainPost* out);

}  // namespace keyward
