// Clients that misbehave on purpose, over real sockets to 127.0.0.1: a TLS
// connection (OpenSSL) that can write any bytes at any pace, read one HTTP
// response with a deadline, or vanish with a TCP reset; and a plain TCP
// connection that never speaks TLS.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace keyward::hardening {

using std::chrono::milliseconds;

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  bool WantsClose() const;  // "Connection: close"
};

struct TlsVersions {
  int min = TLS1_2_VERSION;
  int max = TLS1_3_VERSION;
};

class TlsConnection {
 public:
  // Connects to 127.0.0.1:port and completes a handshake within `timeout`.
  // The client offers exactly `versions`, with OpenSSL's security level
  // lowered so that it really offers TLS 1.0/1.1 when asked (the system
  // configuration forbids them). On failure returns null and sets *error,
  // including OpenSSL's reason (e.g. "tlsv1 alert protocol version").
  static std::unique_ptr<TlsConnection> Open(int port, TlsVersions versions, milliseconds timeout,
                                             std::string* error);
  static std::unique_ptr<TlsConnection> Open(int port, std::string* error) {
    return Open(port, TlsVersions{}, milliseconds(10'000), error);
  }
  ~TlsConnection();

  // Writes all of `bytes` (within `timeout`); false when the peer is gone.
  bool Write(std::string_view bytes, milliseconds timeout = milliseconds(10'000));
  // Reads one response with a Content-Length body; nullopt on timeout, EOF,
  // reset or a malformed response (then last_error() says which).
  std::optional<HttpResponse> ReadResponse(milliseconds timeout);
  // True when the peer closes (EOF or reset) within `timeout`, reading and
  // discarding anything it sends first.
  bool WaitForClose(milliseconds timeout);
  // Closes with SO_LINGER 0: the peer gets a TCP reset, no close_notify.
  void Reset();

  std::string PeerCommonName() const;
  int version() const;
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

}  // namespace keyward::hardening
