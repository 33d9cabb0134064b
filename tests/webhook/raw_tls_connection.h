// One TLS connection driven by hand (OpenSSL, no HTTP library), for what a
// library client hides: which certificate this very connection got, keeping
// one connection across many requests, sending half a request and pausing.
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <string>
#include <string_view>

namespace keyward::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// What the client offers; zero and null mean OpenSSL's defaults.
struct TlsOffer {
  int min_version = 0;
  int max_version = 0;
  const char* tls12_ciphers = nullptr;
};

class RawTlsConnection {
 public:
  // Connects to 127.0.0.1:port and verifies the server against ca_path.
  RawTlsConnection(int port, const std::string& ca_path, TlsOffer offer = {});
  ~RawTlsConnection();
  RawTlsConnection(const RawTlsConnection&) = delete;
  RawTlsConnection& operator=(const RawTlsConnection&) = delete;

  bool connected() const { return ssl_ != nullptr; }
  // Serial of the certificate the server presented on this connection.
  long PeerCertificateSerial() const;
  const char* ProtocolVersion() const { return SSL_get_version(ssl_); }
  const char* CipherName() const { return SSL_get_cipher_name(ssl_); }

  bool Write(std::string_view bytes);
  // Reads one HTTP/1.1 response with a Content-Length body; false on EOF,
  // error or after 10 s.
  bool ReadResponse(RawResponse* out);
  // A whole request: POST `path` with a JSON body, then its response.
  bool Post(const std::string& path, const std::string& body, RawResponse* out);

  // Request bytes for POST `path` with a JSON body.
  static std::string PostRequest(const std::string& path, const std::string& body);

 private:
  int socket_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffered_;
};

}  // namespace keyward::testing
