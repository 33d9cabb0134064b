#include "webhook/kube/backoff.h"

#include <algorithm>
#include <random>

namespace keyward {

Backoff::Backoff(BackoffPolicy policy, std::function<double()> random)
    : policy_(policy), random_(std::move(random)) {
  if (!random_) {
    random_ = [generator = std::mt19937_64(std::random_device{}())]() mutable {
      return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
    };
  }
}

std::chrono::milliseconds Backoff::Next() {
  double delay = static_cast<double>(policy_.initial.count());
  for (int i = 0; i < failures_ && delay < static_cast<double>(policy_.max.count()); ++i) delay *= 2;
  delay = std::min(delay, static_cast<double>(policy_.max.count()));
  failures_ = std::min(failures_ + 1, 64);  // 2^64 times initial is past any max
  const double spread = std::clamp(random_(), 0.0, 1.0) * 2 - 1;  // in [-1, 1]
  return std::chrono::milliseconds(static_cast<long>(delay * (1 + policy_.jitter * spread)));
}

}  // namespace keyward
