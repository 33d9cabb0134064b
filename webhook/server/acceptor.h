// Accepts connections on a listening socket and hands each one on.
//
// Thread safety: Run() on one thread; Stop() from any other.
#pragma once

#include <functional>

#include "webhook/server/connection_loop.h"

namespace keyward {

class Acceptor {
 public:
  // Takes the accepted socket (non-blocking, close-on-exec) and the time it
  // was accepted, from which its first request's deadline runs.
  using HandOff = std::function<void(int sock, LoopClock::time_point accepted_at)>;

  // Owns `listening_socket` (non-blocking), which closes when Run() returns.
  Acceptor(int listening_socket, HandOff hand_off);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Accepts until Stop(); false when the socket failed for good.
  bool Run();
  // Stops accepting; connections not yet accepted are refused.
  void Stop();

 private:
  int listening_;
  int wake_;  // eventfd: stop
  HandOff hand_off_;
};

}  // namespace keyward
