// cpp-httplib's SSLServer with its connections served by event loops.
//
// This file and its .cc are the only place that reaches into cpp-httplib's
// protected members (the request processor, the listening socket); the .cc
// fails to build on a cpp-httplib version it was not checked against.
//
// cpp-httplib runs each connection on a thread of its own for the
// connection's whole life, and waits for the next keep-alive request by
// polling in 10 ms slices. Here its accept loop hands each connection to one
// of a few ConnectionLoops (see connection_loop.h), which do the TLS, the
// waiting and the bounds, and call cpp-httplib only to parse, route and
// answer a request that is whole in memory.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "webhook/server/connection_loop.h"

namespace keyward {

// The listening socket cpp-httplib keeps to itself (for listen(2)'s backlog).
socket_t ListeningSocket(const httplib::Server& server);

// An answer given without cpp-httplib (see TlsServer::SetPlainPost).
struct PlainAnswer {
  int status = 200;
  std::string body;
};

class TlsServer final : public httplib::SSLServer, private RequestProcessor {
 public:
  // Answers a plain POST (see ReadPlainPost) to `path`, or returns nullopt
  // for cpp-httplib to route it.
  using PlainPostHandler = std::function<std::optional<PlainAnswer>(
      std::string_view path, std::string_view content_type, std::string_view body)>;

  // `draining`, while true, makes every response close its connection.
  // `limits.max_connections` is shared out among the loops.
  TlsServer(const std::function<bool(SSL_CTX&)>& setup, const std::atomic<bool>* draining,
            ConnectionLimits limits);
  ~TlsServer() override;

  // Accepts and serves until StopServing(); returns once every connection
  // has closed (requests in flight answered).
  bool Serve();
  // Stops accepting, and closes connections waiting for their next request;
  // requests in flight finish.
  void StopServing();

  // The admission requests, the hot path: a plain POST skips cpp-httplib's
  // general parsing and routing (a header map, regular expressions, a copy
  // of the body), about a fifth of the server's time per request. Its
  // answer is written as cpp-httplib writes one, with `content_type`. Call
  // before Serve().
  void SetPlainPost(PlainPostHandler handler, std::string content_type);

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool Answer(std::string_view request, bool close_connection, const ConnectionInfo& connection,
              std::string* answer) override;
  // True when the request was plain and is answered.
  bool AnswerPlainPost(std::string_view request, bool close_connection, std::string* answer, bool* stays_open);

  PlainPostHandler plain_post_;
  std::string plain_content_type_;

  std::vector<std::unique_ptr<ConnectionLoop>> loops_;
  std::atomic<size_t> next_loop_{0};
};

}  // namespace keyward
