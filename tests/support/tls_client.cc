#include "tests/support/tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace keyward::testing {
namespace {

using Clock = std::chrono::steady_clock;

int ConnectTcp(int port, milliseconds timeout, std::string* error) {
  // Writing to a connection the server has closed must be an error to
  // report, not a signal that kills the test.
  static const bool ignoring_sigpipe = ::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
  (void)ignoring_sigpipe;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    *error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

// 1: a whole response is at the front of `buffer` (moved into *out and
// removed); 0: not yet; -1: not HTTP.
int TakeResponse(std::string* buffer, HttpResponse* out) {
  const size_t header_end = buffer->find("\r\n\r\n");
  if (header_end == std::string::npos) return buffer->size() > 65536 ? -1 : 0;
  HttpResponse response;
  const std::string head = buffer->substr(0, header_end);
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return -1;
  response.status = std::atoi(head.c_str() + 9);
  size_t line_start = head.find("\r\n");
  while (line_start != std::string::npos && line_start < head.size()) {
    const size_t next = head.find("\r\n", line_start + 2);
    const std::string line = head.substr(line_start + 2, next == std::string::npos ? std::string::npos
                                                                                    : next - line_start - 2);
    if (const size_t colon = line.find(':'); colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      response.headers[name] = value;
    }
    line_start = next;
  }
  size_t length = 0;
  if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
    length = std::stoul(it->second);
  }
  if (buffer->size() < header_end + 4 + length) return 0;
  response.body = buffer->substr(header_end + 4, length);
  buffer->erase(0, header_end + 4 + length);
  *out = std::move(response);
  return 1;
}

}  // namespace

bool HttpResponse::WantsClose() const {
  auto it = headers.find("connection");
  if (it == headers.end()) return false;
  std::string value = it->second;
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  return value == "close";
}

std::unique_ptr<TlsConnection> TlsConnection::Open(int port, const TlsOptions& options, milliseconds timeout,
                                                   std::string* error) {
  std::unique_ptr<TlsConnection> connection(new TlsConnection());
  connection->fd_ = ConnectTcp(port, timeout, error);
  if (connection->fd_ < 0) return nullptr;
  connection->context_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX* context = connection->context_;
  // Level 0: the client must really offer what is asked, so that a failed
  // handshake is the server's refusal.
  SSL_CTX_set_security_level(context, 0);
  SSL_CTX_set_cipher_list(context, options.tls12_ciphers.c_str());
  SSL_CTX_set_min_proto_version(context, options.min_version);
  SSL_CTX_set_max_proto_version(context, options.max_version);
  if (options.ca_path.empty()) {
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);  // self-signed test certificates
  } else {
    SSL_CTX_load_verify_locations(context, options.ca_path.c_str(), nullptr);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  }
  connection->ssl_ = SSL_new(context);
  SSL_set_fd(connection->ssl_, connection->fd_);
  SSL_set_tlsext_host_name(connection->ssl_, "localhost");
  if (!options.ca_path.empty()) SSL_set1_host(connection->ssl_, "127.0.0.1");
  connection->SetTimeout(timeout);
  ERR_clear_error();
  if (SSL_connect(connection->ssl_) != 1) {
    *error = "TLS handshake failed: " + OpenSslErrors();
    if (error->size() < 24) *error += std::strerror(errno);
    return nullptr;
  }
  return connection;
}

TlsConnection::~TlsConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (context_ != nullptr) SSL_CTX_free(context_);
  if (fd_ >= 0) ::close(fd_);
}

bool TlsConnection::SetTimeout(milliseconds timeout) {
  timeout = std::max(timeout, milliseconds(1));
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  return setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
         setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0;
}

bool TlsConnection::Write(std::string_view bytes, milliseconds timeout) {
  SetTimeout(timeout);
  while (!bytes.empty()) {
    ERR_clear_error();
    const int written = SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), 1 << 20)));
    if (written <= 0) {
      last_error_ = "write failed: " + OpenSslErrors() + " " + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

std::optional<HttpResponse> TlsConnection::ReadResponse(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  HttpResponse response;
  for (;;) {
    switch (TakeResponse(&buffer_, &response)) {
      case 1: return response;
      case -1: last_error_ = "not an HTTP response: " + buffer_.substr(0, 200); return std::nullopt;
      default: break;
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left <= milliseconds(0)) {
      last_error_ = "no whole response in time";
      return std::nullopt;
    }
    SetTimeout(left);
    char chunk[16384];
    ERR_clear_error();
    const int got = SSL_read(ssl_, chunk, sizeof chunk);
    if (got <= 0) {
      const int reason = SSL_get_error(ssl_, got);
      last_error_ = reason == SSL_ERROR_ZERO_RETURN ? "the server closed the connection"
                                                    : "read failed: " + OpenSslErrors() + " " + std::strerror(errno);
      return std::nullopt;
    }
    buffer_.append(chunk, static_cast<size_t>(got));
  }
}

std::optional<HttpResponse> TlsConnection::Post(std::string_view path, std::string_view body, milliseconds timeout) {
  if (!Write(PostRequest(path, body), timeout)) return std::nullopt;
  return ReadResponse(timeout);
}

bool TlsConnection::WaitForClose(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // Wait on the socket, not in SSL_read: a receive timeout there looks
    // like any other failed read.
    if (SSL_pending(ssl_) == 0) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left <= milliseconds(0)) return false;
      pollfd wait{fd_, POLLIN, 0};
      if (::poll(&wait, 1, static_cast<int>(left.count())) <= 0) continue;
    }
    SetTimeout(milliseconds(100));  // readable, but maybe only part of a record
    char chunk[16384];
    ERR_clear_error();
    const int got = SSL_read(ssl_, chunk, sizeof chunk);
    if (got > 0) {
      buffer_.append(chunk, static_cast<size_t>(got));
      continue;
    }
    if (SSL_get_error(ssl_, got) == SSL_ERROR_WANT_READ) continue;  // a TLS 1.3 ticket, or a partial record
    return true;  // close_notify, EOF without it, or a reset
  }
}

void TlsConnection::Reset() {
  const linger abort_on_close{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  ::close(fd_);
  fd_ = -1;
}

std::string TlsConnection::PeerCommonName() const {
  X509* peer = SSL_get1_peer_certificate(ssl_);
  if (peer == nullptr) return "";
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof name);
  X509_free(peer);
  return name;
}

long TlsConnection::PeerCertificateSerial() const {
  X509* peer = SSL_get1_peer_certificate(ssl_);
  if (peer == nullptr) return -1;
  const long serial = ASN1_INTEGER_get(X509_get0_serialNumber(peer));
  X509_free(peer);
  return serial;
}

int TlsConnection::version() const { return SSL_version(ssl_); }
std::string TlsConnection::ProtocolVersion() const { return SSL_get_version(ssl_); }
std::string TlsConnection::CipherName() const { return SSL_get_cipher_name(ssl_); }

std::unique_ptr<TcpConnection> TcpConnection::Open(int port, std::string* error) {
  const int fd = ConnectTcp(port, milliseconds(10'000), error);
  if (fd < 0) return nullptr;
  std::unique_ptr<TcpConnection> connection(new TcpConnection());
  connection->fd_ = fd;
  return connection;
}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool TcpConnection::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

bool TcpConnection::WaitForClose(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left <= milliseconds(0)) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    if (::recv(fd_, chunk, sizeof chunk, 0) <= 0) return true;
  }
}

std::string PostRequest(std::string_view path, std::string_view body, std::string_view content_type) {
  std::string request = "POST " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " +
                        std::string(content_type) + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  request += body;
  return request;
}

std::optional<HttpResponse> PlainGet(int port, std::string_view path, milliseconds timeout) {
  std::string error;
  const int fd = ConnectTcp(port, timeout, &error);
  if (fd < 0) return std::nullopt;
  const std::string request =
      "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string buffer;
  HttpResponse response;
  int state = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()) ? 0 : -1;
  const auto deadline = Clock::now() + timeout;
  while (state == 0 && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    char chunk[16384];
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) break;
    buffer.append(chunk, static_cast<size_t>(got));
    state = TakeResponse(&buffer, &response);
  }
  ::close(fd);
  if (state != 1) return std::nullopt;
  return response;
}

std::optional<HttpResponse> PostOnce(int port, std::string_view path, std::string_view body, milliseconds timeout,
                                     std::string* error) {
  std::string ignored;
  std::string& why = error != nullptr ? *error : ignored;
  auto connection = TlsConnection::Open(port, TlsOptions{}, timeout, &why);
  if (connection == nullptr) return std::nullopt;
  auto response = connection->Post(path, body, timeout);
  if (!response) why = connection->last_error();
  return response;
}

}  // namespace keyward::testing
