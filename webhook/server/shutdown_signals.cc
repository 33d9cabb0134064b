#include "webhook/server/shutdown_signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace keyward {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  ::signal(SIGPIPE, SIG_IGN);
  // A shell starts background jobs with SIGINT ignored, and an ignored
  // signal is discarded instead of waiting to be collected.
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal(std::optional<std::chrono::milliseconds> timeout) {
  sigset_t set = ShutdownSignals();
  for (;;) {
    int signal_number = 0;
    if (!timeout) {
      signal_number = sigwaitinfo(&set, nullptr);
    } else {
      const auto ms = timeout->count();
      struct timespec wait {};
      wait.tv_sec = static_cast<time_t>(ms / 1000);
      wait.tv_nsec = static_cast<long>(ms % 1000) * 1'000'000;
      signal_number = sigtimedwait(&set, nullptr, &wait);
      if (signal_number < 0 && errno == EAGAIN) return 0;
    }
    if (signal_number > 0) return signal_number;
    // EINTR: another signal interrupted the wait; wait again.
  }
}

void RequestShutdown() { ::kill(::getpid(), SIGTERM); }

}  // namespace keyward
