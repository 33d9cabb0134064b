#include "webhook/server/connection_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <limits>

#include <openssl/ssl.h>

#include "webhook/server/connection.h"

namespace keyward {

using Clock = LoopClock;

namespace {

// How long a connection accepted just before stopping may take to send its
// first request.
constexpr auto kFirstRequestGrace = std::chrono::seconds(1);
// Events taken per wait. Each is a connection this thread then owns until it
// is done with it, so a thread preempted holds at most this many: few.
constexpr int kEventsPerWait = 4;
// An owned connection past its deadline is checked again this much later.
constexpr auto kOwnedRecheck = std::chrono::milliseconds(10);

// Takes an idle connection for this thread. An owned one is marked instead,
// so that its owner looks again before letting it go.
bool Claim(Connection* c) {
  uint8_t seen = c->ownership.load();
  for (;;) {
    if (seen == kIdle && c->ownership.compare_exchange_weak(seen, kOwned)) return true;
    if (seen == kOwned && c->ownership.compare_exchange_weak(seen, kPending)) return false;
    if (seen == kPending || seen == kClosed) return false;
  }
}

// Takes an idle connection for this thread; leaves an owned one alone.
bool ClaimIfIdle(Connection* c) {
  uint8_t idle = kIdle;
  return c->ownership.compare_exchange_strong(idle, kOwned);
}

void Arm(int epoll, int operation, int fd, uint32_t events, void* data) {
  epoll_event event{};
  event.events = events | EPOLLONESHOT;
  event.data.ptr = data;
  ::epoll_ctl(epoll, operation, fd, &event);
}

}  // namespace

ConnectionLoop::ConnectionLoop(SSL_CTX* context, Responder responder, const std::atomic<bool>* draining,
                               ConnectionLimits limits, size_t threads)
    : context_(context),
      responder_(std::move(responder)),
      draining_(draining),
      limits_(limits),
      thread_count_(std::max<size_t>(threads, 1)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      waiting_since_(new std::atomic<uint64_t>[thread_count_]) {
  Arm(epoll_, EPOLL_CTL_ADD, wake_, EPOLLIN, nullptr);
  for (size_t i = 0; i < thread_count_; ++i) waiting_since_[i].store(0);
  for (size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this, i] { Run(i); });
}

ConnectionLoop::~ConnectionLoop() {
  Stop();
  Join();
  for (const auto& [connection, epoch] : closed_) delete connection;
  ::close(wake_);
  ::close(epoll_);
}

void ConnectionLoop::Adopt(int sock, Clock::time_point accepted_at) {
  {
    std::lock_guard lock(adopt_mutex_);
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
  std::lock_guard lock(adopt_mutex_);
  stop_requested_ = true;
  const uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
}

void ConnectionLoop::Join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void ConnectionLoop::Run(size_t index) {
  Worker w;
  epoll_event events[kEventsPerWait];
  for (;;) {
    // Back to waiting: this thread holds no connection but its own.
    waiting_since_[index].store(epoch_.load());
    if (stopping_.load() && w.again.empty() && Finished()) {
      waiting_since_[index].store(std::numeric_limits<uint64_t>::max());
      // Passes the news on: the next waiting thread wakes and sees it too.
      const uint64_t one = 1;
      (void)!::write(wake_, &one, sizeof one);
      Arm(epoll_, EPOLL_CTL_MOD, wake_, EPOLLIN, nullptr);
      return;
    }
    int timeout_ms = -1;
    if (!w.again.empty()) {
      timeout_ms = 0;
    } else if (const Clock::time_point next = next_check_.load(); next != Clock::time_point::max()) {
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now()).count();
      timeout_ms = static_cast<int>(std::clamp<int64_t>(wait, 0, INT_MAX));
    }
    const int ready = ::epoll_wait(epoll_, events, kEventsPerWait, timeout_ms);
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.ptr == nullptr) {
        TakeAdopted(w);
        Arm(epoll_, EPOLL_CTL_MOD, wake_, EPOLLIN, nullptr);
        continue;
      }
      auto* connection = static_cast<Connection*>(events[i].data.ptr);
      if (Claim(connection)) Serve(w, connection);
    }
    std::vector<Connection*> again;
    again.swap(w.again);
    for (Connection* connection : again) Serve(w, connection);
    const Clock::time_point now = Clock::now();
    if (now >= next_check_.load()) CheckDeadlines(w, now);
    FreeClosed();
  }
}

bool ConnectionLoop::Finished() {
  {
    std::lock_guard lock(mutex_);
    if (!connections_.empty() || !queued_.empty()) return false;
  }
  std::lock_guard lock(adopt_mutex_);
  if (!adopted_.empty()) return false;
  exited_ = true;
  return true;
}

void ConnectionLoop::TakeAdopted(Worker& w) {
  uint64_t count = 0;
  (void)!::read(wake_, &count, sizeof count);
  std::vector<Waiting> adopted;
  bool stop = false;
  {
    std::lock_guard lock(adopt_mutex_);
    adopted.swap(adopted_);
    stop = stop_requested_;
  }
  if (stop && !stopping_.exchange(true)) BeginStopping(w);
  std::lock_guard lock(mutex_);
  for (const Waiting& waiting : adopted) {
    if (connections_.size() < limits_.max_connections) {
      Start(waiting.sock, waiting.accepted_at);
    } else {
      queued_.push_back(waiting);
      NoteDeadline(waiting.accepted_at + limits_.request_timeout);
    }
  }
}

// With mutex_ held.
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
  if (stopping_.load()) deadline = std::min(deadline, now + kFirstRequestGrace);
  SetDeadline(connection, deadline);
  connections_.insert(connection);
  // Armed idle: the ClientHello's arrival hands it to a thread.
  connection->ownership.store(kIdle);
  Arm(epoll_, EPOLL_CTL_ADD, sock, EPOLLIN, connection);
}

void ConnectionLoop::Serve(Worker& w, Connection* c) {
  for (;;) {
    if (stopping_.load()) ApplyStopping(c, Clock::now());
    if (Drive(c)) {
      w.again.push_back(c);  // its next request may sit in OpenSSL's buffer, unseen by epoll
      return;
    }
    if (c->closed()) return;
    // Re-armed before it is let go: an event in between finds it owned and
    // marks it, and then it is driven again here.
    Arm(epoll_, EPOLL_CTL_MOD, c->sock, c->wanted, c);
    uint8_t owned = kOwned;
    if (c->ownership.compare_exchange_strong(owned, kIdle)) return;
    c->ownership.store(kOwned);
  }
}

void ConnectionLoop::Close(Connection* c) {
  if (c->closed()) return;
  c->ownership.store(kClosed);  // events still in flight for it are dropped
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c->sock, nullptr);
  SSL_free(c->ssl);
  ::close(c->sock);
  std::lock_guard lock(mutex_);
  connections_.erase(c);
  // Another thread may hold it from an event: freed later (FreeClosed).
  closed_.emplace_back(c, epoch_.fetch_add(1) + 1);
  unfreed_.store(closed_.size());
  while (!queued_.empty() && connections_.size() < limits_.max_connections) {
    const Waiting next = queued_.front();
    queued_.pop_front();
    Start(next.sock, next.accepted_at);
  }
}

void ConnectionLoop::FreeClosed() {
  if (unfreed_.load() == 0) return;  // the common case, without the lock
  std::vector<Connection*> freed;
  {
    std::lock_guard lock(mutex_);
    uint64_t all_waited = std::numeric_limits<uint64_t>::max();
    for (size_t i = 0; i < thread_count_; ++i) all_waited = std::min(all_waited, waiting_since_[i].load());
    std::erase_if(closed_, [&](const std::pair<Connection*, uint64_t>& closed) {
      if (closed.second > all_waited) return false;
      freed.push_back(closed.first);
      return true;
    });
    unfreed_.store(closed_.size());
  }
  for (Connection* connection : freed) delete connection;
}

void ConnectionLoop::SetDeadline(Connection* c, Clock::time_point deadline) {
  c->deadline.store(deadline);
  NoteDeadline(deadline);
}

void ConnectionLoop::NoteDeadline(Clock::time_point deadline) {
  Clock::time_point next = next_check_.load();
  while (deadline < next && !next_check_.compare_exchange_weak(next, deadline)) {
  }
}

void ConnectionLoop::CheckDeadlines(Worker& w, Clock::time_point now) {
  std::unique_lock checking(check_mutex_, std::try_to_lock);
  if (!checking.owns_lock()) return;  // another thread is at it
  next_check_.store(Clock::time_point::max());
  std::vector<Connection*> due;
  {
    std::lock_guard lock(mutex_);
    for (Connection* c : connections_) {
      const Clock::time_point deadline = c->deadline.load();
      if (deadline <= now) {
        due.push_back(c);
      } else {
        NoteDeadline(deadline);
      }
    }
    while (!queued_.empty() && queued_.front().accepted_at + limits_.request_timeout <= now) {
      ::close(queued_.front().sock);
      queued_.pop_front();
    }
    if (!queued_.empty()) NoteDeadline(queued_.front().accepted_at + limits_.request_timeout);
  }
  for (Connection* c : due) {
    if (!ClaimIfIdle(c)) {
      NoteDeadline(now + kOwnedRecheck);  // its owner is at it; look again soon
      continue;
    }
    const bool idle = c->phase == Phase::kReading && !c->in_request;
    if (c->deadline.load() > now) {
      // Moved on since it was seen.
    } else if (idle && c->holds_buffers && c->deadline.load() < c->idle_until) {
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
    if (!c->closed()) Serve(w, c);
  }
}

void ConnectionLoop::BeginStopping(Worker& w) {
  std::vector<Connection*> all;
  {
    std::lock_guard lock(mutex_);
    all.assign(connections_.begin(), connections_.end());
  }
  // An owned one is stopped by its owner when it lets go (Serve).
  for (Connection* c : all) {
    if (ClaimIfIdle(c)) Serve(w, c);
  }
}

// The connections waiting for a request close; one accepted just before,
// still to send its first, gets a short grace.
void ConnectionLoop::ApplyStopping(Connection* c, Clock::time_point now) {
  if (c->phase == Phase::kReading && !c->in_request && c->in.empty()) {
    Linger(c);
  } else if (c->first_request && c->in.empty() && c->phase != Phase::kWriting && c->phase != Phase::kLingering &&
             c->deadline.load() > now + kFirstRequestGrace) {
    SetDeadline(c, now + kFirstRequestGrace);
  }
}

}  // namespace keyward
