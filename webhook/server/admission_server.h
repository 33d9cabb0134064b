// The HTTPS server the kube-apiserver calls: POST /mutate and POST
// /validate, nothing else.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "webhook/server/admission_handler.h"
#include "webhook/server/listen_address.h"
#include "webhook/server/tls_credentials.h"

#include "webhook/observe/status.h"

namespace keyward {

class TlsServer;

// Bodies above this get 413 before they are read. The apiserver caps
// objects at 3 MiB (etcd's request limit); an UPDATE review carries two.
inline constexpr size_t kMaxReviewBytes = 8u << 20;

struct AdmissionServerOptions {
  ListenAddress address;
  size_t max_connections = 512;  // read at once; more wait unread (see ConnectionLoop)
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  // Whole-request bound: TLS handshake, head and body (see TlsServer).
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::seconds keep_alive_timeout{90};
  size_t keep_alive_max_requests = 1000;
};

class AdmissionServer {
 public:
  // The pointers must outlive the server. While *draining is true, every
  // response closes its connection, moving clients to other replicas.
  AdmissionServer(AdmissionServerOptions options, const CredentialStore* credentials,
                  const AdmissionHandler* handler, const std::atomic<bool>* draining);
  ~AdmissionServer();

  // Returns an empty string on success, else why the server cannot start.
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
