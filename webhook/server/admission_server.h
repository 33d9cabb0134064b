// The HTTPS server the kube-apiserver calls: POST /mutate and POST
// /validate, nothing else.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "webhook/base/status.h"
#include "webhook/server/admission_handler.h"
#include "webhook/server/connection_loop.h"
#include "webhook/server/listen_address.h"
#include "webhook/server/tls_credentials.h"

namespace keyward {

class TlsServer;

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
  void Stop();

 private:
  void Route();

  AdmissionServerOptions options_;
  const CredentialStore* credentials_;
  const AdmissionHandler* handler_;
  const std::atomic<bool>* draining_;
  std::unique_ptr<TlsServer> server_;
  int port_ = -1;
};

}  // namespace keyward
