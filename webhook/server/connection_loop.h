// The admission server's TLS connections, served by an event loop.
//
// One thread per connection cost, per request, a wake-up and a context
// switch into that thread, with its own cold stack and malloc arena: about
// half of the server's CPU time under load. A loop instead waits on all of
// its connections at once (epoll), reads and writes without blocking, and
// runs a request through cpp-httplib only once the whole request is in
// memory, so parsing, deciding and answering never wait on the network.
// Under load one wake-up serves many connections.
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
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include <openssl/ssl.h>

namespace keyward {

using LoopClock = std::chrono::steady_clock;

// The ends of a connection, for the HTTP layer.
struct ConnectionInfo {
  int sock = -1;
  SSL* ssl = nullptr;
  std::string remote_ip;
  int remote_port = 0;
  std::string local_ip;
  int local_port = 0;
};

// What the loop needs from the HTTP layer: answer one request, whole in
// `request` (head and body), appending the answer to *answer. Returns false
// when the connection must close after the answer; `close_connection` asks
// the answer to say so.
class RequestProcessor {
 public:
  virtual ~RequestProcessor() = default;
  virtual bool Answer(std::string_view request, bool close_connection, const ConnectionInfo& connection,
                      std::string* answer) = 0;
};

struct ConnectionLimits {
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds keep_alive_timeout{90'000};
  size_t keep_alive_max_requests = 1000;
  size_t max_head_bytes = 64 * 1024;
  size_t max_body_bytes = 8u << 20;
  size_t max_connections = 512;  // read at once (TlsServer shares them out among its loops)
};

class Connection;
struct RequestFrame;

class ConnectionLoop {
 public:
  // `context`, `processor` and `draining` must outlive the loop. While
  // *draining is true, every answer closes its connection.
  ConnectionLoop(SSL_CTX* context, RequestProcessor* processor, const std::atomic<bool>* draining,
                 ConnectionLimits limits);
  ~ConnectionLoop();  // Stop(), then Join()

  // Takes ownership of an accepted socket, whose first deadline runs from
  // `accepted_at`. Any thread.
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
  void Answer(Connection* c, const RequestFrame& frame);
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
  RequestProcessor* const processor_;
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
