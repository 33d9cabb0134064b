#include "webhook/tls_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace keyward {
namespace {

// Responses above this are sent as they are written rather than at the end.
constexpr size_t kMaxBufferedResponse = 64 * 1024;

// How long a connection accepted just before shutdown may take to send its
// first request.
constexpr int kFirstRequestGraceMs = 1000;

// Request line and headers: an apiserver sends well under 2 KiB.
constexpr size_t kMaxRequestHeadBytes = 64 * 1024;

void AddressOf(const sockaddr_storage& address, std::string* ip, int* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    *port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    *port = ntohs(v6.sin6_port);
  }
  *ip = text;
}

// One TLS connection as an httplib::Stream: blocking reads and writes bounded
// by the socket's timeouts, a response buffered until Flush().
class TlsStream final : public httplib::Stream {
 public:
  TlsStream(SSL* ssl, socket_t sock) : ssl_(ssl), sock_(sock) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(sock, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      AddressOf(address, &remote_ip_, &remote_port_);
    }
    length = sizeof address;
    if (::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      AddressOf(address, &local_ip_, &local_port_);
    }
  }

  // Reads and writes block with SO_RCVTIMEO / SO_SNDTIMEO as their bound.
  bool is_readable() const override { return true; }
  bool is_writable() const override { return !failed_; }

  // httplib buffers a request line or header line until its newline, and
  // reads (to discard) the whole body of a request it refuses as too large:
  // a budget per request bounds both, after which the connection fails.
  void StartRequest(size_t read_budget) { read_budget_ = read_budget; }

  ssize_t read(char* ptr, size_t size) override {
    // A client waiting for "100 Continue" sends nothing until it has it.
    if (!pending_.empty() && !Flush()) return -1;
    if (read_budget_ == 0) return -1;
    size = std::min({size, read_budget_, static_cast<size_t>(INT32_MAX)});
    const int n = SSL_read(ssl_, ptr, static_cast<int>(size));
    if (n > 0) {
      read_budget_ -= static_cast<size_t>(n);
      return n;
    }
    return SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (failed_) return -1;
    pending_.append(ptr, size);
    if (pending_.size() > kMaxBufferedResponse && !Flush()) return -1;
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return sock_; }

  // Sends what was written, in as few records as TLS allows.
  bool Flush() {
    size_t sent = 0;
    while (!failed_ && sent < pending_.size()) {
      const int n = SSL_write(ssl_, pending_.data() + sent,
                              static_cast<int>(std::min<size_t>(pending_.size() - sent, INT32_MAX)));
      if (n <= 0) {
        failed_ = true;
      } else {
        sent += static_cast<size_t>(n);
      }
    }
    pending_.clear();
    return !failed_;
  }

 private:
  SSL* ssl_;
  socket_t sock_;
  std::string pending_;
  bool failed_ = false;
  size_t read_budget_ = 0;
  std::string remote_ip_;
  int remote_port_ = 0;
  std::string local_ip_;
  int local_port_ = 0;
};

void SetTimeout(socket_t sock, int option, time_t seconds, time_t microseconds) {
  timeval timeout{};
  timeout.tv_sec = seconds;
  timeout.tv_usec = static_cast<suseconds_t>(microseconds);
  ::setsockopt(sock, SOL_SOCKET, option, &timeout, sizeof timeout);
}

}  // namespace

TlsServer::TlsServer(const std::function<bool(SSL_CTX&)>& setup, const std::atomic<bool>* draining)
    : httplib::SSLServer(setup), draining_(draining), stop_event_(::eventfd(0, EFD_CLOEXEC)) {}

TlsServer::~TlsServer() {
  if (stop_event_ >= 0) ::close(stop_event_);
}

void TlsServer::StopServing() {
  stop();
  const uint64_t one = 1;
  if (stop_event_ >= 0) (void)!::write(stop_event_, &one, sizeof one);
}

bool TlsServer::WaitForRequest(SSL* ssl, socket_t sock, bool first_request) const {
  // Read-ahead may hold bytes of the next request that no record has
  // surfaced yet: SSL_has_pending sees those, SSL_pending would not.
  if (SSL_has_pending(ssl) == 1) return true;
  pollfd waits[2] = {{sock, POLLIN, 0}, {stop_event_, POLLIN, 0}};
  int timeout_ms = static_cast<int>(keep_alive_timeout_sec_ * 1000);
  for (;;) {
    const int ready = ::poll(waits, stop_event_ >= 0 ? 2 : 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    // A request already on the wire is answered even while stopping: its
    // client sent it before it could know, and would see it fail.
    if ((waits[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) return true;
    if (!first_request) return false;
    // Stopping, on a connection opened just before the listener closed: its
    // client is about to send the request it connected for.
    waits[1].fd = -1;
    timeout_ms = kFirstRequestGraceMs;
  }
}

bool TlsServer::process_and_close_socket(socket_t sock) {
  SetTimeout(sock, SO_RCVTIMEO, read_timeout_sec_, read_timeout_usec_);
  SetTimeout(sock, SO_SNDTIMEO, write_timeout_sec_, write_timeout_usec_);
  SSL* ssl = SSL_new(ssl_context());
  bool ok = ssl != nullptr && SSL_set_fd(ssl, sock) == 1;
  if (ok) {
    // Read whole requests in one read(2) instead of a header read per record.
    SSL_set_read_ahead(ssl, 1);
    ok = SSL_accept(ssl) == 1;
  }
  if (ok) {
    TlsStream stream(ssl, sock);
    for (size_t remaining = keep_alive_max_count_; remaining > 0; --remaining) {
      if (stop_event_ < 0 && svr_sock_ == INVALID_SOCKET) break;
      if (!WaitForRequest(ssl, sock, remaining == keep_alive_max_count_)) break;
      // Last request of the connection: httplib answers with Connection: close.
      const bool close_connection = remaining == 1 || draining_->load(std::memory_order_relaxed);
      bool connection_closed = false;
      stream.StartRequest(payload_max_length_ + kMaxRequestHeadBytes);
      ok = process_request(stream, close_connection, connection_closed, [ssl](httplib::Request& req) {
        req.ssl = ssl;
      });
      ok = stream.Flush() && ok;
      if (!ok || connection_closed || close_connection) break;
    }
    if (ok) SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace keyward
