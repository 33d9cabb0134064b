#include "webhook/server/tls_context.h"

namespace keyward {
namespace {

int UseCurrentCredentials(SSL* ssl, void* arg) {
  const auto* store = static_cast<const CredentialStore*>(arg);
  std::shared_ptr<const Credentials> credentials = store->Current();
  if (credentials == nullptr) return 0;
  // The SSL takes its own references, so a later swap cannot pull the pair
  // out from under this connection.
  return SSL_use_cert_and_key(ssl, credentials->certificate, credentials->key, credentials->chain,
                              /*override=*/1) == 1
             ? 1
             : 0;
}

}  // namespace

bool ConfigureServerTls(SSL_CTX* context, const CredentialStore* store) {
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(context, kTls12CipherList) != 1 ||
      SSL_CTX_set1_groups_list(context, "X25519:P-256:P-384") != 1) {
    return false;
  }
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                   SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  // No connection holds read/write buffers it is not using. (The admission
  // loop turns this off per connection and releases a connection's buffers
  // once it has been idle a second: see connection_loop.cc.)
  SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_cert_cb(context, UseCurrentCredentials, const_cast<CredentialStore*>(store));
  return true;
}

}  // namespace keyward
