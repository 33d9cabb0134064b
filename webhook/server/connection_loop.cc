#include "webhook/server/connection_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/err.h>
#include <openssl/ssl.h>


namespace keyward {

using Clock = LoopClock;

namespace {

// How long a connection accepted just before stopping may take to send its
// first request.
constexpr auto kFirstRequestGrace = std::chrono::seconds(1);
// Closing with unread input makes the kernel reset the connection, and a
// client still sending a body that was refused would lose the answer already
// sent. So a closing connection sends its FIN, then discards what still
// arrives for this long, up to this much.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kMaxLingerBytes = 10 * 1024 * 1024;
constexpr size_t kReadChunk = 16 * 1024;
constexpr int kMaxEvents = 64;
// A client pipelining requests gets this many answers per turn, then the
// loop's other connections have theirs.
constexpr size_t kAnswersPerTurn = 16;
// A connection idle this long gives its TLS buffers (about 34 KiB) back.
// OpenSSL's SSL_MODE_RELEASE_BUFFERS would do so after every record, and
// allocating them again made two 17 KiB mallocs (and a heap consolidation)
// per request.
constexpr auto kIdleBufferRelease = std::chrono::seconds(1);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

enum class Phase {
  kHandshake,  // TLS handshake
  kReading,    // waiting for a request, or receiving one
  kWriting,    // sending an answer (or an interim 100 Continue)
  kLingering,  // closing: FIN sent, discarding what still arrives
};

class Connection {
 public:
  int sock = -1;
  SSL* ssl = nullptr;
  Phase phase = Phase::kHandshake;
  bool closed = false;  // freed once the current batch of events is done

  std::string in;        // received, not yet answered
  std::optional<RequestHead> head;  // the current request's, once it has arrived
  size_t scanned = 0;    // of `in`, searched for the end of a head
  std::string out;       // to send
  size_t out_sent = 0;
  bool interim = false;  // `out` is a 100 Continue: reading resumes after it

  bool in_request = true;  // receiving a request, not waiting for one
  bool first_request = true;
  bool continue_sent = false;
  bool close_after_write = false;
  bool holds_buffers = true;  // idle, with its TLS buffers not yet released
  Clock::time_point idle_until;  // the keep-alive timeout, while idle
  size_t answered = 0;
  size_t lingered = 0;
  Clock::time_point request_deadline;  // the whole current request
  Clock::time_point deadline;          // the next thing must happen by then
  uint32_t watched = 0;                // epoll events asked for
};

ConnectionLoop::ConnectionLoop(SSL_CTX* context, Responder responder, const std::atomic<bool>* draining,
                               ConnectionLimits limits)
    : context_(context),
      responder_(std::move(responder)),
      draining_(draining),
      limits_(limits),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = nullptr;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event);
  thread_ = std::thread([this] { Run(); });
}

ConnectionLoop::~ConnectionLoop() {
  Stop();
  Join();
  ::close(wake_);
  ::close(epoll_);
}

void ConnectionLoop::Adopt(int sock, Clock::time_point accepted_at) {
  {
    std::lock_guard lock(mutex_);
    if (!exited_) {
      adopted_.push_back({sock, accepted_at});
      const uint64_t one = 1;
      (void)!::write(wake_, &one, sizeof one);
      return;
    }
  }
  ::close(sock);  // the loop has stopped for good
}

void ConnectionLoop::Stop() {
  std::lock_guard lock(mutex_);
  stop_requested_ = true;
  const uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
}

void ConnectionLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

void ConnectionLoop::Run() {
  epoll_event events[kMaxEvents];
  for (;;) {
    if (stopping_ && connections_.empty() && queued_.empty()) {
      std::lock_guard lock(mutex_);
      if (adopted_.empty()) {
        exited_ = true;
        return;
      }
    }
    int timeout_ms = -1;
    if (!ready_.empty()) {
      timeout_ms = 0;
    } else if (next_check_ != Clock::time_point::max()) {
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_check_ - Clock::now()).count();
      timeout_ms = static_cast<int>(std::clamp<int64_t>(wait, 0, INT_MAX));
    }
    const int ready = ::epoll_wait(epoll_, events, kMaxEvents, timeout_ms);
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.ptr == nullptr) {
        TakeAdopted();
        continue;
      }
      auto* connection = static_cast<Connection*>(events[i].data.ptr);
      if (!connection->closed) Drive(connection);
    }
    std::vector<Connection*> again;
    again.swap(ready_);
    for (Connection* connection : again) {
      if (!connection->closed) Drive(connection);
    }
    const Clock::time_point now = Clock::now();
    if (now >= next_check_) CheckDeadlines(now);
    for (Connection* connection : closed_) delete connection;
    closed_.clear();
  }
}

void ConnectionLoop::TakeAdopted() {
  uint64_t count = 0;
  (void)!::read(wake_, &count, sizeof count);
  std::vector<Waiting> adopted;
  bool stop = false;
  {
    std::lock_guard lock(mutex_);
    adopted.swap(adopted_);
    stop = stop_requested_;
  }
  if (stop && !stopping_) BeginStopping(Clock::now());
  for (const Waiting& waiting : adopted) {
    if (connections_.size() < limits_.max_connections) {
      Start(waiting.sock, waiting.accepted_at);
    } else {
      queued_.push_back(waiting);
      NoteDeadline(waiting.accepted_at + limits_.request_timeout);
    }
  }
}

void ConnectionLoop::Start(int sock, Clock::time_point accepted_at) {
  const Clock::time_point now = Clock::now();
  const Clock::time_point request_deadline = accepted_at + limits_.request_timeout;
  // Waited unread past its deadline: closed at once, so that a client
  // queued behind slow ones waits about one deadline at most.
  if (now >= request_deadline) {
    ::close(sock);
    return;
  }
  const int one = 1;
  // An answer is one write, but Nagle would still hold back an answer that
  // follows another until the client's delayed ACK (40 ms).
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  SSL* ssl = SSL_new(context_);
  if (ssl == nullptr || SSL_set_fd(ssl, sock) != 1) {
    SSL_free(ssl);
    ::close(sock);
    return;
  }
  // Whole requests in one read(2), not a header read per record.
  SSL_set_read_ahead(ssl, 1);
  SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);  // released when idle instead
  auto* connection = new Connection;
  connection->sock = sock;
  connection->ssl = ssl;
  connection->request_deadline = request_deadline;
  Clock::time_point deadline = std::min(request_deadline, now + limits_.read_timeout);
  if (stopping_) deadline = std::min(deadline, now + kFirstRequestGrace);
  SetDeadline(connection, deadline);
  connections_.insert(connection);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = connection;
  connection->watched = EPOLLIN;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, sock, &event);
  Drive(connection);  // the ClientHello may be here already
}

void ConnectionLoop::Drive(Connection* c) {
  for (size_t answers = 0;;) {
    switch (c->phase) {
      case Phase::kHandshake: {
        ERR_clear_error();
        const int accepted = SSL_accept(c->ssl);
        if (accepted == 1) {
          c->phase = Phase::kReading;
          continue;
        }
        if (!WaitFor(c, SSL_get_error(c->ssl, accepted))) Close(c);
        return;
      }
      case Phase::kReading: {
        if (answers == kAnswersPerTurn) {
          ready_.push_back(c);  // its next request may sit in OpenSSL's buffer, unseen by epoll
          return;
        }
        if (!Receive(c)) return;
        if (c->phase == Phase::kWriting && !c->interim) ++answers;
        continue;
      }
      case Phase::kWriting: {
        if (!Send(c)) return;
        continue;
      }
      case Phase::kLingering: {
        char discard[kReadChunk];
        for (;;) {
          const ssize_t n = ::recv(c->sock, discard, sizeof discard, 0);
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Watch(c, EPOLLIN);
          if (n <= 0) return Close(c);
          c->lingered += static_cast<size_t>(n);
          if (c->lingered >= kMaxLingerBytes) return Close(c);
        }
      }
    }
  }
}

bool ConnectionLoop::WaitFor(Connection* c, int ssl_error) {
  if (ssl_error == SSL_ERROR_WANT_READ) {
    Watch(c, EPOLLIN);
    return true;
  }
  if (ssl_error == SSL_ERROR_WANT_WRITE) {
    Watch(c, EPOLLOUT);
    return true;
  }
  return false;
}

// Reads until a request is whole (then answers it: true, to go on) or the
// socket has nothing more for now (false).
bool ConnectionLoop::Receive(Connection* c) {
  for (;;) {
    if (!c->head) {
      RequestHead head;
      switch (ParseRequestHead(c->in, c->scanned, limits_.max_head_bytes, limits_.max_body_bytes, &head)) {
        case HeadScan::kComplete:
          c->head = std::move(head);
          break;
        case HeadScan::kTooLarge:
          Close(c);
          return false;
        case HeadScan::kIncomplete:
          c->scanned = c->in.size();
          break;
      }
    }
    if (c->head && c->in.size() >= c->head->length + c->head->body_length) {
      Answer(c);
      return true;
    }
    if (c->head && c->head->expect_continue && !c->continue_sent) {
      c->continue_sent = true;
      c->interim = true;
      c->out.assign(kContinue);
      c->phase = Phase::kWriting;
      return true;
    }
    char buffer[kReadChunk];
    ERR_clear_error();
    const int n = SSL_read(c->ssl, buffer, sizeof buffer);
    if (n <= 0) {
      const int error = SSL_get_error(c->ssl, n);
      if (error == SSL_ERROR_ZERO_RETURN || !WaitFor(c, error)) Close(c);
      return false;
    }
    const Clock::time_point now = Clock::now();
    if (!c->in_request) StartRequest(c, now);
    c->in.append(buffer, static_cast<size_t>(n));
    SetDeadline(c, std::min(c->request_deadline, now + limits_.read_timeout));
  }
}

void ConnectionLoop::StartRequest(Connection* c, Clock::time_point now) {
  c->in_request = true;
  c->request_deadline = now + limits_.request_timeout;
}

void ConnectionLoop::Answer(Connection* c) {
  const RequestHead& head = *c->head;
  const HttpRequest request = ViewRequest(head, c->in);
  const HttpAnswer answer = responder_(request);
  ++c->answered;
  // A request with a problem closes: its body was not read (what still
  // arrives is discarded by the lingering close), or what follows its head
  // cannot be framed.
  const bool close = answer.close || head.close || head.problem != HttpProblem::kNone ||
                     c->answered >= limits_.keep_alive_max_requests || stopping_ ||
                     draining_->load(std::memory_order_relaxed);
  c->out.clear();
  AppendHttpAnswer(answer,
                   AnswerFraming{close, request.method == "HEAD",
                                 std::chrono::duration_cast<std::chrono::seconds>(limits_.keep_alive_timeout),
                                 limits_.keep_alive_max_requests},
                   &c->out);
  c->in.erase(0, head.length + head.body_length);
  c->head.reset();
  c->scanned = 0;
  c->close_after_write = close;
  c->in_request = false;
  c->first_request = false;
  c->continue_sent = false;
  c->phase = Phase::kWriting;
  SetDeadline(c, Clock::now() + limits_.write_timeout);
}

// Sends `out`; true once it is all sent and there is more to do at once
// (the request goes on, or a pipelined one is already here).
bool ConnectionLoop::Send(Connection* c) {
  while (c->out_sent < c->out.size()) {
    ERR_clear_error();
    const int n = SSL_write(c->ssl, c->out.data() + c->out_sent,
                            static_cast<int>(std::min<size_t>(c->out.size() - c->out_sent, INT_MAX)));
    if (n <= 0) {
      if (!WaitFor(c, SSL_get_error(c->ssl, n))) Close(c);
      return false;
    }
    c->out_sent += static_cast<size_t>(n);
  }
  c->out.clear();
  c->out_sent = 0;
  c->phase = Phase::kReading;
  if (c->interim) {  // the request goes on, under its own deadline
    c->interim = false;
    SetDeadline(c, std::min(c->request_deadline, Clock::now() + limits_.read_timeout));
    return true;
  }
  if (c->close_after_write) {
    Linger(c);
    return false;
  }
  const Clock::time_point now = Clock::now();
  if (!c->in.empty() || SSL_has_pending(c->ssl) == 1) {
    StartRequest(c, now);  // pipelined: already under way
    SetDeadline(c, std::min(c->request_deadline, now + limits_.read_timeout));
    return true;
  }
  c->idle_until = now + limits_.keep_alive_timeout;
  c->holds_buffers = true;
  SetDeadline(c, std::min(c->idle_until, now + kIdleBufferRelease));
  // Nothing buffered: the next request is not here yet (a client waits for
  // its answer first), so wait for the socket rather than try a read that
  // would find nothing, one system call per request saved.
  Watch(c, EPOLLIN);
  return false;
}

void ConnectionLoop::Linger(Connection* c) {
  ERR_clear_error();
  SSL_shutdown(c->ssl);  // close_notify, best effort
  ::shutdown(c->sock, SHUT_WR);
  c->phase = Phase::kLingering;
  SetDeadline(c, Clock::now() + kLingerTime);
  Drive(c);
}

void ConnectionLoop::Close(Connection* c) {
  if (c->closed) return;
  c->closed = true;
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c->sock, nullptr);
  SSL_free(c->ssl);
  ::close(c->sock);
  connections_.erase(c);
  std::erase(ready_, c);
  closed_.push_back(c);  // events of this batch may still name it
  while (!queued_.empty() && connections_.size() < limits_.max_connections) {
    const Waiting next = queued_.front();
    queued_.pop_front();
    Start(next.sock, next.accepted_at);
  }
}

void ConnectionLoop::Watch(Connection* c, uint32_t events) {
  if (c->watched == events) return;
  epoll_event event{};
  event.events = events;
  event.data.ptr = c;
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c->sock, &event);
  c->watched = events;
}

void ConnectionLoop::SetDeadline(Connection* c, Clock::time_point deadline) {
  c->deadline = deadline;
  NoteDeadline(deadline);
}

void ConnectionLoop::NoteDeadline(Clock::time_point deadline) { next_check_ = std::min(next_check_, deadline); }

void ConnectionLoop::CheckDeadlines(Clock::time_point now) {
  next_check_ = Clock::time_point::max();
  std::vector<Connection*> due;
  for (Connection* c : connections_) {
    if (c->deadline <= now) {
      due.push_back(c);
    } else {
      NoteDeadline(c->deadline);
    }
  }
  for (Connection* c : due) {
    const bool idle = c->phase == Phase::kReading && !c->in_request;
    if (idle && c->holds_buffers && c->deadline < c->idle_until) {
      SSL_free_buffers(c->ssl);  // refused (harmlessly) if a record is pending
      c->holds_buffers = false;
      SetDeadline(c, c->idle_until);
    } else if (idle) {
      Linger(c);  // idle past the keep-alive timeout: a polite close
    } else {
      // A request not whole in time, an answer not taken, a linger over:
      // cut, unanswered.
      Close(c);
    }
  }
  while (!queued_.empty() && queued_.front().accepted_at + limits_.request_timeout <= now) {
    ::close(queued_.front().sock);
    queued_.pop_front();
  }
  if (!queued_.empty()) NoteDeadline(queued_.front().accepted_at + limits_.request_timeout);
}

void ConnectionLoop::BeginStopping(Clock::time_point now) {
  stopping_ = true;
  std::vector<Connection*> idle;
  for (Connection* c : connections_) {
    if (c->phase == Phase::kReading && !c->in_request && c->in.empty()) {
      idle.push_back(c);
    } else if (c->first_request && c->in.empty() && c->phase != Phase::kWriting) {
      // Its client is about to send the request it connected for.
      SetDeadline(c, std::min(c->deadline, now + kFirstRequestGrace));
    }
  }
  for (Connection* c : idle) Linger(c);
}

}  // namespace keyward
