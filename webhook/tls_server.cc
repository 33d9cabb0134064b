#include "webhook/tls_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>

namespace keyward {
namespace {

// Responses above this are sent as they are written rather than at the end.
constexpr size_t kMaxBufferedResponse = 64 * 1024;

// How long a connection accepted just before shutdown may take to send its
// first request.
constexpr int kFirstRequestGraceMs = 1000;

// Lingering close bounds (see LingeringClose).
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr time_t kLingerReadTimeoutUs = 100'000;
constexpr size_t kMaxLingerBytes = 10 * 1024 * 1024;

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
  // budgets per request bound both, after which the connection fails.
  // The head (request line and headers) and the body have budgets of their
  // own; the head ends at the first empty line.
  void StartRequest(size_t head_budget, size_t body_budget) {
    head_budget_ = head_budget;
    body_budget_ = body_budget;
    in_head_ = true;
    last_bytes_ = 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    // A client waiting for "100 Continue" sends nothing until it has it.
    if (!pending_.empty() && !Flush()) return -1;
    size_t& budget = in_head_ ? head_budget_ : body_budget_;
    if (budget == 0) return -1;
    size = std::min({size, budget, static_cast<size_t>(INT32_MAX)});
    const int n = SSL_read(ssl_, ptr, static_cast<int>(size));
    if (n <= 0) return SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
    budget -= static_cast<size_t>(n);
    for (int i = 0; in_head_ && i < n; ++i) {
      last_bytes_ = (last_bytes_ << 8) | static_cast<unsigned char>(ptr[i]);
      in_head_ = (last_bytes_ & 0xffffffff) != 0x0d0a0d0a && (last_bytes_ & 0xffff) != 0x0a0a;
    }
    return n;
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
  size_t head_budget_ = 0;
  size_t body_budget_ = 0;
  bool in_head_ = true;
  uint32_t last_bytes_ = 0;  // the last four bytes of the head read so far
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

// Closing a socket with unread input makes the kernel reset the connection,
// and a client still sending a body we refused (413) would lose the answer
// already sent. So: send FIN, discard what still arrives for a bounded time
// and amount, then close.
void LingeringClose(socket_t sock) {
  ::shutdown(sock, SHUT_WR);
  SetTimeout(sock, SO_RCVTIMEO, 0, kLingerReadTimeoutUs);
  const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  char discard[16 * 1024];
  size_t drained = 0;
  while (drained < kMaxLingerBytes && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = ::recv(sock, discard, sizeof discard, 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  ::close(sock);
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
      stream.StartRequest(kMaxRequestHeadBytes, payload_max_length_);
      ok = process_request(stream, close_connection, connection_closed, [ssl](httplib::Request& req) {
        req.ssl = ssl;
      });
      ok = stream.Flush() && ok;
      if (!ok || connection_closed || close_connection) break;
    }
    if (ok) SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  LingeringClose(sock);
  return ok;
}

}  // namespace keyward
