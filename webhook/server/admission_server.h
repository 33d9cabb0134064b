// The HTTPS server the kube-apiserver calls: POST /mutate and POST
// /validate, nothing else.
//
// A request's path goes down only: an Acceptor (acceptor.h) hands each
// connection to the ConnectionLoop (connection_loop.h), whose threads (one
// per core) do the TLS, parse the head once, enforce every bound, and call
// Respond() with the whole request; Respond() answers every request, through the handler
// for the two routes and from one table for the rest; the loop writes the
// answer. cpp-httplib serves only the operations port (ops_server.h).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include <openssl/ssl.h>

#include "webhook/base/status.h"
#include "webhook/server/acceptor.h"
#include "webhook/server/admission_handler.h"
#include "webhook/server/connection_loop.h"
#include "webhook/server/listen_address.h"
#include "webhook/server/tls_credentials.h"

namespace keyward {

// Bodies above this get 413 before they are read. The apiserver caps
// objects at 3 MiB (etcd's request limit); an UPDATE review carries two.
inline constexpr size_t kMaxReviewBytes = 8u << 20;

struct AdmissionServerOptions {
  ListenAddress address;
  // Timeouts, deadline, keep-alive and connection bounds (see
  // ConnectionLoop); the body bound is always kMaxReviewBytes.
  ConnectionLimits connections;
};

class AdmissionServer {
 public:
  // The pointers must outlive the server. While *draining is true, every
  // response closes its connection, moving clients to other replicas.
  AdmissionServer(AdmissionServerOptions options, const CredentialStore* credentials,
                  const AdmissionHandler* handler, const std::atomic<bool>* draining);
  ~AdmissionServer();

  // Sets up TLS and binds the address: OK, or why the server cannot start.
  Status Bind();
  int port() const { return port_; }
  // Serves until Stop(); returns after in-flight requests have finished.
  bool Serve();
  // Stops accepting, and closes connections waiting for their next request;
  // requests in flight finish. Any thread.
  void Stop();

  // Answers one whole request. Any thread, many at once; never throws.
  HttpAnswer Respond(const HttpRequest& request) const;

 private:
  AdmissionServerOptions options_;
  const CredentialStore* credentials_;
  const AdmissionHandler* handler_;
  const std::atomic<bool>* draining_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context_{nullptr, SSL_CTX_free};
  std::unique_ptr<ConnectionLoop> loop_;
  std::unique_ptr<Acceptor> acceptor_;
  int port_ = -1;
};

}  // namespace keyward
