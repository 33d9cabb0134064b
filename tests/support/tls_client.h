// Clients over real sockets to 127.0.0.1, driven by hand (OpenSSL, no HTTP
// library) for what a library client hides: a TLS connection that can write
// any bytes at any pace, read one HTTP response with a deadline, keep one
// connection across many requests, tell which certificate, protocol and
// cipher it got, or vanish with a TCP reset; and a plain TCP connection
// that never speaks TLS. (The keep-alive load client is load_client.h.)
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace keyward::testing {

using std::chrono::milliseconds;

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  bool WantsClose() const;  // "Connection: close"
};

// What the client offers and trusts.
struct TlsOptions {
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  // TLS 1.2 ciphers offered; every one by default, so that a failed
  // handshake is the server's refusal.
  std::string tls12_ciphers = "ALL:@SECLEVEL=0";
  // Empty: trust any certificate. Else verify the server against this CA
  // file, for the name 127.0.0.1.
  std::string ca_path;

  TlsOptions& Only(int version) {
    min_version = max_version = version;
    return *this;
  }
  TlsOptions& Ciphers(std::string tls12) {
    tls12_ciphers = std::move(tls12);
    return *this;
  }
  TlsOptions& Trusting(std::string ca) {
    ca_path = std::move(ca);
    return *this;
  }
};

class TlsConnection {
 public:
  // Connects to 127.0.0.1:port and completes a handshake within `timeout`.
  // The client offers exactly `options`' versions, with OpenSSL's security
  // level lowered so that it really offers TLS 1.0/1.1 when asked (the
  // system configuration forbids them). On failure returns null and sets
  // *error, including OpenSSL's reason (e.g. "tlsv1 alert protocol version").
  static std::unique_ptr<TlsConnection> Open(int port, const TlsOptions& options, milliseconds timeout,
                                             std::string* error);
  static std::unique_ptr<TlsConnection> Open(int port, std::string* error) {
    return Open(port, TlsOptions{}, milliseconds(10'000), error);
  }
  ~TlsConnection();

  // Writes all of `bytes` (within `timeout`); false when the peer is gone.
  bool Write(std::string_view bytes, milliseconds timeout = milliseconds(10'000));
  // Reads one response with a Content-Length body; nullopt on timeout, EOF,
  // reset or a malformed response (then last_error() says which).
  std::optional<HttpResponse> ReadResponse(milliseconds timeout = milliseconds(10'000));
  // A whole request on this connection: POST `body` to `path`, then its
  // response (nullopt as for ReadResponse).
  std::optional<HttpResponse> Post(std::string_view path, std::string_view body,
                                   milliseconds timeout = milliseconds(10'000));
  // True when the peer closes (EOF or reset) within `timeout`; false when
  // it is still open then (a read timeout is not a close). Anything it
  // sends first is kept in unread().
  bool WaitForClose(milliseconds timeout);
  // Bytes received and not yet taken by ReadResponse.
  const std::string& unread() const { return buffer_; }
  // Closes with SO_LINGER 0: the peer gets a TCP reset, no close_notify.
  void Reset();

  std::string PeerCommonName() const;
  long PeerCertificateSerial() const;  // -1 without a certificate
  int version() const;
  std::string ProtocolVersion() const;  // "TLSv1.3"
  std::string CipherName() const;
  const std::string& last_error() const { return last_error_; }

 private:
  TlsConnection() = default;
  bool SetTimeout(milliseconds timeout);

  int fd_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
  std::string last_error_;
};

// A TCP connection that sends raw bytes (or nothing) and never does TLS.
class TcpConnection {
 public:
  static std::unique_ptr<TcpConnection> Open(int port, std::string* error);
  ~TcpConnection();
  bool Write(std::string_view bytes);
  // True when the peer closes within `timeout`.
  bool WaitForClose(milliseconds timeout);

 private:
  int fd_ = -1;
};

// A POST of `body` to `path` with a Content-Length.
std::string PostRequest(std::string_view path, std::string_view body,
                        std::string_view content_type = "application/json");

// GET http://127.0.0.1:port/path (the plain metrics port); nullopt when the
// server does not answer within the timeout.
std::optional<HttpResponse> PlainGet(int port, std::string_view path, milliseconds timeout = milliseconds(5000));

// One request over a fresh TLS connection: open, write, read, close.
std::optional<HttpResponse> PostOnce(int port, std::string_view path, std::string_view body,
                                     milliseconds timeout = milliseconds(10'000), std::string* error = nullptr);

}  // namespace keyward::testing
