#include "webhook/server/acceptor.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace keyward {
namespace {

// Out of descriptors or memory: the connection waits in the backlog while
// others close, rather than the acceptor spinning on the error.
constexpr int kResourceRetryMs = 10;

bool IsTransient(int error) {
  return error == EINTR || error == ECONNABORTED || error == EPROTO || error == EPERM;
}

bool IsShortOfResources(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

}  // namespace

Acceptor::Acceptor(int listening_socket, HandOff hand_off)
    : listening_(listening_socket), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), hand_off_(std::move(hand_off)) {}

Acceptor::~Acceptor() {
  if (listening_ >= 0) ::close(listening_);
  if (wake_ >= 0) ::close(wake_);
}

bool Acceptor::Run() {
  bool served = wake_ >= 0;
  bool short_of_resources = false;
  while (served) {
    // Short of resources, only Stop() is waited for, a while: the listening
    // socket is still readable, and polling it would spin.
    pollfd watched[2] = {{wake_, POLLIN, 0}, {listening_, POLLIN, 0}};
    if (::poll(watched, short_of_resources ? 1 : 2, short_of_resources ? kResourceRetryMs : -1) < 0 &&
        errno != EINTR) {
      served = false;
      break;
    }
    if (watched[0].revents != 0) break;  // Stop()
    short_of_resources = false;
    // Every connection waiting, then back to poll.
    for (;;) {
      const int sock = ::accept4(listening_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (sock >= 0) {
        hand_off_(sock, LoopClock::now());
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (IsTransient(errno)) continue;
      if (IsShortOfResources(errno)) {
        short_of_resources = true;
        break;
      }
      served = false;
      break;
    }
  }
  ::close(listening_);
  listening_ = -1;
  return served;
}

void Acceptor::Stop() {
  const uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
}

}  // namespace keyward
