#include "webhook/server/tls_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "webhook/server/thread_pool.h"

// The protected members used below are cpp-httplib 0.11.4's; they change
// between releases.
static_assert(std::string_view(CPPHTTPLIB_VERSION) == "0.11.4",
              "webhook/server/tls_server.cc overrides cpp-httplib 0.11.4's connection loop and reads its protected "
              "members: check them against this cpp-httplib version, then update this assertion");

namespace keyward {

using Clock = std::chrono::steady_clock;

// The deadline of the request a connection is receiving, as one atomic word:
// the connection's thread arms it when a request starts and disarms it when
// the answer starts, without a lock or a system call; RequestWatchdog fires
// it once it has passed.
class RequestDeadline {
 public:
  explicit RequestDeadline(socket_t sock) : sock_(sock) {}

  void Arm(Clock::time_point deadline) {
    deadline_.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
  }
  // False when the deadline has fired: the connection is being cut and must
  // not be answered.
  bool Disarm() {
    Clock::rep current = deadline_.load(std::memory_order_relaxed);
    while (current != kFired && !deadline_.compare_exchange_weak(current, kDisarmed)) {
    }
    return current != kFired;
  }

 private:
  friend class RequestWatchdog;
  static constexpr Clock::rep kDisarmed = std::numeric_limits<Clock::rep>::max();  // never passes
  static constexpr Clock::rep kFired = std::numeric_limits<Clock::rep>::min();

  const socket_t sock_;
  std::atomic<Clock::rep> deadline_{kDisarmed};
  // Links in the watchdog's list, guarded by its mutex.
  RequestDeadline* previous_ = nullptr;
  RequestDeadline* next_ = nullptr;
};

// Enforces request deadlines even inside one blocking SSL_accept or
// SSL_read, which a client can keep going for ever by feeding one TLS record
// a byte per read timeout. One thread sleeps until the earliest armed
// deadline, or one timeout when none is (a request armed meanwhile is due
// later than that; a new connection that may be due sooner wakes it), and
// shuts a connection whose deadline passed down for reading and writing, so
// its blocked read returns at once. With no connection it sleeps until one
// arrives.
//
// A connection is listed for its whole life (a lock and a pointer swap per
// connection); arming and disarming per request touch only its atomic word.
// Sockets are shut down only under the lock, and a connection leaves the
// list under the lock before its socket is closed, so a descriptor the
// kernel has reused is never touched. A deadline fires by compare-and-swap,
// so it is either disarmed (the answer goes out) or fired (nothing does).
class RequestWatchdog {
 public:
  explicit RequestWatchdog(Clock::duration request_timeout)
      : request_timeout_(request_timeout), thread_([this] { Run(); }) {}

  ~RequestWatchdog() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  // Watches `deadline`, armed to `first`, until Forget().
  void Watch(RequestDeadline* deadline, Clock::time_point first) {
    deadline->Arm(first);
    std::lock_guard lock(mutex_);
    deadline->next_ = head_;
    if (head_ != nullptr) head_->previous_ = deadline;
    head_ = deadline;
    // Only a connection that waited in the queue can be due before the
    // watchdog next looks.
    if (first < next_wake_) {
      next_wake_ = first;
      wake_.notify_one();
    }
  }

  void Forget(RequestDeadline* deadline) {
    std::lock_guard lock(mutex_);
    if (deadline->previous_ != nullptr) {
      deadline->previous_->next_ = deadline->next_;
    } else {
      head_ = deadline->next_;
    }
    if (deadline->next_ != nullptr) deadline->next_->previous_ = deadline->previous_;
    deadline->previous_ = deadline->next_ = nullptr;
  }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      const Clock::time_point now = Clock::now();
      Clock::time_point next = head_ == nullptr ? Clock::time_point::max() : now + request_timeout_;
      for (RequestDeadline* entry = head_; entry != nullptr; entry = entry->next_) {
        Clock::rep deadline = entry->deadline_.load(std::memory_order_relaxed);
        if (deadline == RequestDeadline::kFired) continue;
        if (deadline > now.time_since_epoch().count()) {
          next = std::min(next, Clock::time_point(Clock::duration(deadline)));
        } else if (entry->deadline_.compare_exchange_strong(deadline, RequestDeadline::kFired)) {
          ::shutdown(entry->sock_, SHUT_RDWR);
        }
      }
      next_wake_ = next;
      if (next == Clock::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, next);
      }
    }
  }

  const Clock::duration request_timeout_;
  std::mutex mutex_;
  std::condition_variable wake_;
  RequestDeadline* head_ = nullptr;
  Clock::time_point next_wake_ = Clock::time_point::max();
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is constructed
};

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

// An interim response ("100 Continue") goes out before the body is read.
bool IsInterimResponse(std::string_view bytes) { return bytes.starts_with("HTTP/1.1 1"); }

// One TLS connection as an httplib::Stream: blocking reads and writes bounded
// by the socket's timeouts, a response buffered until Flush().
class TlsStream final : public httplib::Stream {
 public:
  TlsStream(SSL* ssl, socket_t sock, RequestDeadline* deadline) : ssl_(ssl), sock_(sock), deadline_(deadline) {
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
    answering_ = false;
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
    // The first write of the answer means the request was received whole:
    // its deadline is over. One that fired first closes the connection
    // unanswered.
    if (!answering_ && !IsInterimResponse(std::string_view(ptr, size))) {
      answering_ = true;
      if (!deadline_->Disarm()) {
        failed_ = true;
        pending_.clear();
        return -1;
      }
    }
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
  RequestDeadline* deadline_;
  std::string pending_;
  bool failed_ = false;
  bool answering_ = false;  // the current request's answer has started
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

// Reaches the listening socket cpp-httplib keeps to itself.
class SocketAccess : public httplib::Server {
 public:
  static socket_t Of(const httplib::Server& server) {
    // A pointer to the protected member, named through this class, may be
    // applied to any Server.
    return (server.*(&SocketAccess::svr_sock_)).load();
  }
};

socket_t ListeningSocket(const httplib::Server& server) { return SocketAccess::Of(server); }

TlsServer::TlsServer(const std::function<bool(SSL_CTX&)>& setup, const std::atomic<bool>* draining,
                     std::chrono::milliseconds request_timeout)
    : httplib::SSLServer(setup),
      draining_(draining),
      request_timeout_(request_timeout),
      watchdog_(std::make_unique<RequestWatchdog>(request_timeout)),
      stop_event_(::eventfd(0, EFD_CLOEXEC)) {}

TlsServer::~TlsServer() {
  watchdog_.reset();  // joins its thread
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
  // The first request's deadline runs from the accept, which is when the
  // accept loop queued the connection. One that waited in the queue past it
  // is closed unread, at once: a client queued behind slow ones then waits
  // for its turn about one deadline at most, however many there are. (Under
  // another task queue, the deadline runs from when a thread takes it.)
  const Clock::time_point first_deadline =
      ElasticThreadPool::CurrentTaskQueuedAt().value_or(Clock::now()) + request_timeout_;
  if (Clock::now() >= first_deadline) {
    ::close(sock);
    return false;
  }
  RequestDeadline deadline(sock);
  watchdog_->Watch(&deadline, first_deadline);
  const bool ok = ServeConnection(sock, &deadline);
  watchdog_->Forget(&deadline);  // before the descriptor can be reused
  LingeringClose(sock);
  return ok;
}

bool TlsServer::ServeConnection(socket_t sock, RequestDeadline* deadline) {
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
    TlsStream stream(ssl, sock, deadline);
    for (size_t remaining = keep_alive_max_count_; remaining > 0; --remaining) {
      if (stop_event_ < 0 && svr_sock_ == INVALID_SOCKET) break;
      const bool first_request = remaining == keep_alive_max_count_;
      if (!WaitForRequest(ssl, sock, first_request)) break;
      // A later request's deadline runs from its first byte: the wait
      // before it is bounded by the keep-alive timeout instead.
      if (!first_request) deadline->Arm(Clock::now() + request_timeout_);
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
  return ok;
}

}  // namespace keyward
