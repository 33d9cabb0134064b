// The admission server's TLS connections, served by one event loop that
// several threads run at once.
//
// One thread per connection cost, per request, a wake-up and a context
// switch into that thread, with its own cold stack and malloc arena: about
// half of the server's CPU time under load. The loop instead waits on all
// connections at once (one epoll set), reads and writes without blocking,
// parses each head once (http_message.h), and hands a request to its
// responder only once the whole request is in memory, so deciding and
// answering never wait on the network. Under load one wake-up serves many
// connections.
//
// Any thread serves any ready connection. When a loop owned its
// connections, a thread preempted (by a process starting, say) held its
// share of them until it ran again, while the other threads idled. Here each
// connection is armed with EPOLLONESHOT and owned by at most one thread at a
// time: the thread its event reached, which drives it as far as it goes
// without blocking and re-arms it. An event that reaches a connection owned
// elsewhere is not lost: it is left as a mark that the owner finds when it
// lets go, and the owner looks again. Deadlines are enforced by whichever
// thread's wait runs out, only on connections no thread owns (an owned one
// is checked when let go). A closed connection is freed only once every
// thread has gone back to waiting, since another may still hold it from an
// event of the same batch.
//
// The path of a request goes down only: the loop calls its responder, the
// responder calls nothing back in the loop, and the answer is written here
// (http_message.h).
//
// Every defence of the blocking design holds here without a thread to
// spare for it:
// - a whole-request deadline (TLS handshake, head and body; for the first
//   request from the accept, for later ones from their first byte), after
//   which the connection closes unanswered; a read timeout between bytes;
//   a keep-alive timeout between requests; a write timeout per answer;
// - bounded buffering: the head to `max_head_bytes`, a body to its
//   Content-Length and never past `max_body_bytes` (a larger one is refused
//   unread, and the rest is discarded, bounded, while the connection closes);
// - at most `max_connections` connections are read at once; more wait
//   unread, their deadline running from the accept;
// - stopping closes the connections waiting for a request, gives one
//   accepted just before a short grace to send it, and finishes the others.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include <openssl/ssl.h>

#include "webhook/server/http_message.h"

namespace keyward {

using LoopClock = std::chrono::steady_clock;

// Answers one whole request. Called on the loop's thread, by every loop at
// once; it must not throw. The answer's `close` closes the connection after
// it; so does any request with a problem (its body was not read, or what
// follows its head cannot be framed), whatever the answer says.
using Responder = std::function<HttpAnswer(const HttpRequest&)>;

struct ConnectionLimits {
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds keep_alive_timeout{90'000};
  size_t keep_alive_max_requests = 1000;
  size_t max_head_bytes = 64 * 1024;
  size_t max_body_bytes = 8u << 20;
  size_t max_connections = 512;  // read at once
};

class Connection;

class ConnectionLoop {
 public:
  // `context` and `draining` must outlive the loop. While *draining is
  // true, every answer closes its connection. `threads` run the loop.
  ConnectionLoop(SSL_CTX* context, Responder responder, const std::atomic<bool>* draining, ConnectionLimits limits,
                 size_t threads);
  ~ConnectionLoop();  // Stop(), then Join()

  // Takes ownership of an accepted, non-blocking socket, whose first
  // deadline runs from `accepted_at`. Any thread.
  void Adopt(int sock, LoopClock::time_point accepted_at);
  // Begins stopping (see above). Any thread.
  void Stop();
  // Returns once stopping has closed every connection.
  void Join();

 private:
  struct Waiting {
    int sock;
    LoopClock::time_point accepted_at;
  };
  // What one thread of the loop holds: connections it owns that have more
  // to do after the others have had a turn.
  struct Worker {
    std::vector<Connection*> again;
  };

  void Run(size_t index);
  bool Finished();
  void TakeAdopted(Worker& w);
  void Start(int sock, LoopClock::time_point accepted_at);
  // Drives an owned connection, then lets it go (see above).
  void Serve(Worker& w, Connection* c);
  bool Drive(Connection* c);
  bool Receive(Connection* c);
  void StartRequest(Connection* c, LoopClock::time_point now);
  void Answer(Connection* c);
  bool Send(Connection* c);
  // Waits for what OpenSSL asked for; false on a real error.
  bool WaitFor(Connection* c, int ssl_error);
  void Linger(Connection* c);
  void Close(Connection* c);
  void ApplyStopping(Connection* c, LoopClock::time_point now);
  void SetDeadline(Connection* c, LoopClock::time_point deadline);
  void NoteDeadline(LoopClock::time_point deadline);
  void CheckDeadlines(Worker& w, LoopClock::time_point now);
  void BeginStopping(Worker& w);
  void FreeClosed();

  SSL_CTX* const context_;
  const Responder responder_;
  const std::atomic<bool>* const draining_;
  const ConnectionLimits limits_;
  const size_t thread_count_;
  int epoll_ = -1;
  int wake_ = -1;  // eventfd: adopted sockets, or stopping

  std::mutex adopt_mutex_;  // guards adopted_, stop_requested_ and exited_
  std::vector<Waiting> adopted_;
  bool stop_requested_ = false;
  bool exited_ = false;

  std::mutex mutex_;  // guards connections_, queued_ and closed_
  std::unordered_set<Connection*> connections_;
  std::deque<Waiting> queued_;  // beyond max_connections, unread
  // Closed, with the epoch of their closing: freed once every thread has
  // waited again since (see `waiting_since_`).
  std::vector<std::pair<Connection*, uint64_t>> closed_;
  std::atomic<size_t> unfreed_{0};  // closed_.size(), read without the lock
  std::atomic<uint64_t> epoch_{1};
  // Per thread: the epoch at which it last went back to waiting, holding no
  // connection but its own.
  std::unique_ptr<std::atomic<uint64_t>[]> waiting_since_;
  std::mutex check_mutex_;  // one thread checks deadlines at a time
  std::atomic<LoopClock::time_point> next_check_{LoopClock::time_point::max()};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;  // last: they start once the rest is constructed
};

}  // namespace keyward
