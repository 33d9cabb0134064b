// Accepts connections on a listening socket and hands each one on.
//
// Thread safety: Run() on one thread; Stop() from any other.
#pragma once

#include <atomic>
#include <functional>

#include "webhook/server/connection_loop.h"

namespace keyward {

class Acceptor {
 public:
  // Takes the accepted socket (non-blocking, close-on-exec) and the time it
  // was accepted, from which its first request's deadline runs.
  using HandOff = std::function<void(int sock, LoopClock::time_point accepted_at)>;

  // Owns `listening_socket` (blocking), closed with the acceptor.
  Acceptor(int listening_socket, HandOff hand_off);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Accepts until Stop(); false when the socket failed for good.
  bool Run();
  // Stops accepting; connections not yet accepted are refused.
  void Stop();

 private:
  const int listening_;
  const HandOff hand_off_;
  std::atomic<bool> stopping_{false};
};

}  // namespace keyward
