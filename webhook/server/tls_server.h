// cpp-httplib's SSLServer with its connection loop replaced.
//
// This file and its .cc are the only place that reaches into cpp-httplib's
// protected members (the connection loop, the timeouts, the listening
// socket); the .cc fails to build on a cpp-httplib version it was not
// checked against.
//
// The library waits for the next request on a keep-alive connection by
// polling in 10 ms slices with 1 ms sleeps: about 90 wakeups a second for
// every idle connection, so a few hundred idle connections (each kube-apiserver
// keeps some) starve the busy ones of CPU. It also polls before every read
// and write and asks the kernel for both socket addresses on every request.
// This loop instead blocks in one poll for the whole keep-alive timeout
// (woken at once by Stop()), reads and writes with socket timeouts, and
// sends each response in one TLS record. Requests are still parsed, routed
// and answered by httplib::Server::process_request.
//
// Per-read timeouts do not bound a request: a client sending a byte every
// few seconds never trips them, and as many such clients as threads would
// leave every other client waiting in the queue. So each request also has a
// whole-request deadline (see RequestWatchdog in the .cc file), after which
// its connection is closed without an answer.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <httplib.h>

namespace keyward {

class RequestWatchdog;
class RequestDeadline;

// The listening socket cpp-httplib keeps to itself (for listen(2)'s backlog).
socket_t ListeningSocket(const httplib::Server& server);

class TlsServer final : public httplib::SSLServer {
 public:
  // `draining`, while true, makes every response close its connection.
  // `request_timeout` bounds the time to receive a request: for the first
  // one on a connection from the accept (queueing included) through the TLS
  // handshake, the head and the body; for later ones from their first byte.
  TlsServer(const std::function<bool(SSL_CTX&)>& setup, const std::atomic<bool>* draining,
            std::chrono::milliseconds request_timeout);
  ~TlsServer() override;

  // Stops accepting, and wakes connections waiting for their next request
  // so they close; requests in flight finish.
  void StopServing();

 private:
  bool process_and_close_socket(socket_t sock) override;
  // The TLS session and its requests; the caller closes the socket.
  bool ServeConnection(socket_t sock, RequestDeadline* deadline);
  // True when a request starts arriving before the keep-alive timeout, or
  // is already there when the server stops.
  bool WaitForRequest(SSL* ssl, socket_t sock, bool first_request) const;

  const std::atomic<bool>* draining_;
  const std::chrono::milliseconds request_timeout_;
  std::unique_ptr<RequestWatchdog> watchdog_;
  int stop_event_ = -1;  // eventfd, readable once stopping
};

}  // namespace keyward
