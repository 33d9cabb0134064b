// One connection of the admission server's loop (connection_loop.h): what
// the loop's two halves share, the threads' sharing of connections
// (connection_loop.cc) and the driving of one connection through TLS and
// HTTP (connection_drive.cc). Not for use elsewhere.
#pragma once

#include <openssl/ssl.h>
#include <sys/epoll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "webhook/server/connection_loop.h"
#include "webhook/server/http_message.h"

namespace keyward {

enum class Phase {
  kHandshake,  // TLS handshake
  kReading,    // waiting for a request, or receiving one
  kWriting,    // sending an answer (or an interim 100 Continue)
  kLingering,  // closing: FIN sent, discarding what still arrives
};

// Who holds a connection (see the header).
enum Ownership : uint8_t {
  kIdle,     // armed in the epoll set: the next event's thread takes it
  kOwned,    // a thread drives it
  kPending,  // a thread drives it, and an event came meanwhile
  kClosed,   // closed: events still in flight for it are dropped
};

class Connection {
 public:
  std::atomic<uint8_t> ownership{kOwned};
  // Only its owner closes it, so only its owner needs to ask.
  bool closed() const { return ownership.load() == kClosed; }
  // The next thing must happen by then; read by the deadline checker
  // without owning the connection.
  std::atomic<LoopClock::time_point> deadline{LoopClock::time_point::max()};

  // Everything below belongs to the owning thread.
  int sock = -1;
  SSL* ssl = nullptr;
  Phase phase = Phase::kHandshake;
  uint32_t wanted = EPOLLIN;  // epoll events to arm for

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
  LoopClock::time_point idle_until;  // the keep-alive timeout, while idle
  size_t answered = 0;
  size_t lingered = 0;
  LoopClock::time_point request_deadline;  // the whole current request
};

}  // namespace keyward
