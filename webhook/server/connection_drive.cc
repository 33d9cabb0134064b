// Driving one connection through TLS and HTTP, without blocking: the
// handshake, reading a request (its head parsed once), answering it, writing
// the answer, and the lingering close. Always on the thread that owns the
// connection (connection_loop.h).
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string_view>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "webhook/server/connection.h"
#include "webhook/server/connection_loop.h"

namespace keyward {

using Clock = LoopClock;

namespace {

// Closing with unread input makes the kernel reset the connection, and a
// client still sending a body that was refused would lose the answer already
// sent. So a closing connection sends its FIN, then discards what still
// arrives for this long, up to this much.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kMaxLingerBytes = 10 * 1024 * 1024;
constexpr size_t kReadChunk = 16 * 1024;
// A client pipelining requests gets this many answers per turn, then the
// other connections have theirs.
constexpr size_t kAnswersPerTurn = 16;
// A connection idle this long gives its TLS buffers (about 34 KiB) back.
// OpenSSL's SSL_MODE_RELEASE_BUFFERS would do so after every record, and
// allocating them again made two 17 KiB mallocs (and a heap consolidation)
// per request.
constexpr auto kIdleBufferRelease = std::chrono::seconds(1);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// SSL_get_error reads the thread's error queue, which must be empty before
// each TLS call. Clearing it resets every slot of the queue, twice a request
// (about 1% of a request's instructions); looking at it is one lookup, and
// it holds something only after a call failed.
void EmptyErrorQueue() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

}  // namespace

// Moves the connection on as far as it goes without blocking; true when it
// has had its turn but has more to do at once.
bool ConnectionLoop::Drive(Connection* c) {
  for (size_t answers = 0;;) {
    switch (c->phase) {
      case Phase::kHandshake: {
        EmptyErrorQueue();
        const int accepted = SSL_accept(c->ssl);
        if (accepted == 1) {
          c->phase = Phase::kReading;
          continue;
        }
        if (!WaitFor(c, SSL_get_error(c->ssl, accepted))) Close(c);
        return false;
      }
      case Phase::kReading: {
        if (answers == kAnswersPerTurn) return true;
        if (!Receive(c)) return false;
        if (c->phase == Phase::kWriting && !c->interim) ++answers;
        continue;
      }
      case Phase::kWriting: {
        if (!Send(c)) return false;
        continue;
      }
      case Phase::kLingering: {
        char discard[kReadChunk];
        for (;;) {
          const ssize_t n = ::recv(c->sock, discard, sizeof discard, 0);
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            c->wanted = EPOLLIN;
            return false;
          }
          if (n <= 0 || (c->lingered += static_cast<size_t>(n)) >= kMaxLingerBytes) {
            Close(c);
            return false;
          }
        }
      }
    }
  }
}

bool ConnectionLoop::WaitFor(Connection* c, int ssl_error) {
  if (ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_WANT_WRITE) {
    c->wanted = ssl_error == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
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
    EmptyErrorQueue();
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
    EmptyErrorQueue();
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
    return true;
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
  c->wanted = EPOLLIN;
  return false;
}

// Sends close_notify and the FIN; Drive then discards what still arrives.
void ConnectionLoop::Linger(Connection* c) {
  EmptyErrorQueue();
  SSL_shutdown(c->ssl);  // close_notify, best effort
  ::shutdown(c->sock, SHUT_WR);
  c->phase = Phase::kLingering;
  SetDeadline(c, Clock::now() + kLingerTime);
}

}  // namespace keyward
