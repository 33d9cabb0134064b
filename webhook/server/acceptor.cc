#include "webhook/server/acceptor.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace keyward {
namespace {

// Out of descriptors or memory: the connection waits in the backlog while
// others close, rather than the acceptor spinning on the error.
constexpr auto kResourceRetry = std::chrono::milliseconds(10);

}  // namespace

Acceptor::Acceptor(int listening_socket, HandOff hand_off)
    : listening_(listening_socket), hand_off_(std::move(hand_off)) {}

Acceptor::~Acceptor() { ::close(listening_); }

bool Acceptor::Run() {
  while (!stopping_.load()) {
    const int sock = ::accept4(listening_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (sock >= 0) {
      hand_off_(sock, LoopClock::now());
    } else if (stopping_.load()) {
      break;  // Stop() shut the socket down
    } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      std::this_thread::sleep_for(kResourceRetry);
    } else if (errno != EINTR && errno != ECONNABORTED && errno != EPROTO && errno != EPERM) {
      return false;
    }
  }
  return true;
}

void Acceptor::Stop() {
  stopping_ = true;
  // Wakes an accept(2) blocked in Run(), which then fails.
  ::shutdown(listening_, SHUT_RDWR);
}

}  // namespace keyward
