// How long to wait before the next attempt after failed ones: a delay that
// doubles from `initial` up to `max`, spread by ±`jitter` so that many
// clients that failed together do not come back together.
#pragma once

#include <chrono>
#include <functional>

namespace keyward {

struct BackoffPolicy {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{30'000};
  double jitter = 0.2;  // the fraction of the delay it may move either way
};

class Backoff {
 public:
  // `random` returns numbers uniform in [0, 1); the default is a seeded
  // generator. Tests pass their own to know the delays.
  explicit Backoff(BackoffPolicy policy, std::function<double()> random = {});

  // The delay before the next attempt; each call after a failure doubles it.
  std::chrono::milliseconds Next();
  // After a success: the next failure waits `initial` again.
  void Reset() { failures_ = 0; }

 private:
  BackoffPolicy policy_;
  std::function<double()> random_;
  int failures_ = 0;
};

}  // namespace keyward
