// TLS settings of the admission server: TLS 1.2 and 1.3 only, forward-secret
// AEAD cipher suites, and a certificate callback that hands each handshake
// the credential store's current pair (hot rotation without a restart).
#pragma once

#include <openssl/ssl.h>

#include "webhook/server/tls_credentials.h"

namespace keyward {

// TLS 1.2 suites: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 only
// (the TLS 1.3 suites are all of that kind already).
inline constexpr const char* kTls12CipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Configures `context`; `store` must outlive it. False if OpenSSL refused a
// setting.
bool ConfigureServerTls(SSL_CTX* context, const CredentialStore* store);

}  // namespace keyward
