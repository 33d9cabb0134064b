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

#include "webhook/server/reloadable_store.h"
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

// Reads a certificate chain (leaf first) and its private key (unencrypted
// PEM: PKCS#8, PKCS#1 or SEC1). The error names the file and the problem but
// never quotes key material.
Result<std::shared_ptr<const Credentials>> LoadCredentials(const std::string& certificate_path,
                                                           const std::string& key_path);

// The serving certificate and key, swapped whole on reload
// (reloadable_store.h); each load is logged with the certificate's subject
// and expiry, and a failed reload is counted and leaves the previous pair.
//
// Thread safety: as ReloadableStore's; the TLS handshakes of every event
// loop call Current() at once, and the file watcher's thread calls Reload().
class CredentialStore final : public ReloadableStore<Credentials> {
 public:
  CredentialStore(std::string certificate_path, std::string key_path, ServerMetrics* metrics);

 private:
  Result<std::shared_ptr<const Credentials>> Load() const override;
  void OnLoaded(const Credentials& credentials, bool initial) override;
  void OnReloadFailed(const Status& error) override;

  const std::string certificate_path_;
  const std::string key_path_;
  ServerMetrics* const metrics_;
};

}  // namespace keyward
