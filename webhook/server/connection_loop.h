// The admission server's TLS connections, served by an event loop.
//
// One thread per connection cost, per request, a wake-up and a context
// switch into that thread, with its own cold stack and malloc arena: about
// half of the server's CPU time under load. A loop instead waits on all of
// its connections at once (epoll), reads and writes without blocking,
// parses each head once (http_message.h), and hands a request to its
// responder only once the whole request is in memory, so deciding and
// answering never wait on the network. Under load one wake-up serves many
// connections.
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
// - at most `max_connections` connections per loop are read at once; more
//   wait unread, their deadline running from the accept;
// - stopping closes the connections waiting for a request, gives one
//   accepted just before a short grace to send it, and finishes the others.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
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
  size_t max_connections = 512;  // read at once (the admission server shares them out among its loops)
};

class Connection;

class ConnectionLoop {
 public:
  // `context` and `draining` must outlive the loop. While *draining is
  // true, every answer closes its connection.
  ConnectionLoop(SSL_CTX* context, Responder responder, const std::atomic<bool>* draining, ConnectionLimits limits);
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

  void Run();
  void TakeAdopted();
  void Start(int sock, LoopClock::time_point accepted_at);
  // Moves the connection on as far as it goes without blocking.
  void Drive(Connection* c);
  bool Receive(Connection* c);
  void StartRequest(Connection* c, LoopClock::time_point now);
  void Answer(Connection* c);
  bool Send(Connection* c);
  // Waits for what OpenSSL asked for; false on a real error.
  bool WaitFor(Connection* c, int ssl_error);
  void Watch(Connection* c, uint32_t events);
  void Linger(Connection* c);
  void Close(Connection* c);
  void SetDeadline(Connection* c, LoopClock::time_point deadline);
  void NoteDeadline(LoopClock::time_point deadline);
  void CheckDeadlines(LoopClock::time_point now);
  void BeginStopping(LoopClock::time_point now);

  SSL_CTX* const context_;
  const Responder responder_;
  const std::atomic<bool>* const draining_;
  const ConnectionLimits limits_;
  int epoll_ = -1;
  int wake_ = -1;  // eventfd: adopted sockets, or stopping

  std::mutex mutex_;  // guards adopted_, stop_requested_ and exited_
  std::vector<Waiting> adopted_;
  bool stop_requested_ = false;
  bool exited_ = false;

  // The loop thread's own.
  std::unordered_set<Connection*> connections_;
  std::deque<Waiting> queued_;  // beyond max_connections, unread
  std::vector<Connection*> closed_;  // freed after the current batch of events
  std::vector<Connection*> ready_;   // more to do, after the others have had a turn
  bool stopping_ = false;
  LoopClock::time_point next_check_ = LoopClock::time_point::max();
  std::thread thread_;  // last: starts once the rest is constructed
};

}  // namespace keyward
