// The serving certificate and key, loaded from PEM files and swapped whole.
//
// TLS handshakes pick the current pair up through the SSL_CTX certificate
// callback (tls_context.h), so rotating the files (cert-manager rewrites
// them in place) takes effect for new connections without a restart, while
// established connections keep the pair they were set up with. A pair that
// does not load, or whose key does not match its certificate, is refused
// and the previous pair keeps serving.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <atomic>
#include <memory>
#include <string>

#include "webhook/server/server_metrics.h"

namespace keyward {

struct Credentials {
  Credentials() = default;
  Credentials(const Credentials&) = delete;
  Credentials& operator=(const Credentials&) = delete;
  ~Credentials();

  X509* certificate = nullptr;          // the leaf
  STACK_OF(X509)* chain = nullptr;      // intermediates that followed it in the file
  EVP_PKEY* key = nullptr;
  double not_after_unix_seconds = 0;
  std::string subject;
};

struct CredentialsLoadResult {
  std::shared_ptr<const Credentials> credentials;  // null on error
  std::string error;
};

// Reads a certificate chain (leaf first) and its private key (unencrypted
// PEM: PKCS#8, PKCS#1 or SEC1). The error names the file and the problem but
// never quotes key material.
CredentialsLoadResult LoadCredentials(const std::string& certificate_path, const std::string& key_path);

class CredentialStore {
 public:
  CredentialStore(std::string certificate_path, std::string key_path, ServerMetrics* metrics);

  // Returns an empty string on success, else what is wrong.
  std::string LoadInitial();
  // After the files changed: logs and counts the outcome.
  void Reload();

  std::shared_ptr<const Credentials> Current() const { return current_.load(std::memory_order_acquire); }

 private:
  std::string Load();

  const std::string certificate_path_;
  const std::string key_path_;
  ServerMetrics* const metrics_;
  std::atomic<std::shared_ptr<const Credentials>> current_;
};

}  // namespace keyward
