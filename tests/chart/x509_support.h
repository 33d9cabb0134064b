// Certificate checks for the chart's TLS material, with OpenSSL.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace keyward::testing {

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

// Standard base64; whitespace (as in line-wrapped YAML) is ignored. A test
// failure and "" on invalid input.
std::string Base64Decode(std::string_view text);
std::string Base64Encode(std::string_view bytes);

// A null pointer and a test failure when the PEM does not parse.
X509Ptr ParseCertificate(std::string_view pem);
KeyPtr ParsePrivateKey(std::string_view pem);

std::vector<std::string> DnsNames(X509* certificate);
bool IsCertificateAuthority(X509* certificate);
// "" when `leaf` chains to `ca` for TLS server use, else OpenSSL's reason.
std::string VerifyServerCertificate(X509* leaf, X509* ca);

// Connects to 127.0.0.1:port and completes a TLS handshake as the
// kube-apiserver would: trusting only `ca_pem`, for the name `host`.
// "" on success, else why the handshake failed.
std::string TlsHandshake(int port, const std::string& ca_pem, const std::string& host);

}  // namespace keyward::testing
