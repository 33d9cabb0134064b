// The backoff between failed watch attempts: doubling, capped, jittered.
#include "webhook/kube/backoff.h"

#include <gtest/gtest.h>

namespace keyward {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesFromTheInitialDelayUpToTheMaximum) {
  Backoff backoff(BackoffPolicy{}, [] { return 0.5; });  // 0.5: no jitter
  EXPECT_EQ(backoff.Next(), milliseconds(200));
  EXPECT_EQ(backoff.Next(), milliseconds(400));
  EXPECT_EQ(backoff.Next(), milliseconds(800));
  for (int i = 0; i < 100; ++i) backoff.Next();
  EXPECT_EQ(backoff.Next(), milliseconds(30'000));
}

TEST(BackoffTest, ResetStartsAgainFromTheInitialDelay) {
  Backoff backoff(BackoffPolicy{}, [] { return 0.5; });
  backoff.Next();
  backoff.Next();
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), milliseconds(200));
}

TEST(BackoffTest, JitterMovesTheDelayByAtMostItsFraction) {
  double random = 0.0;
  Backoff low(BackoffPolicy{}, [&] { return random; });
  EXPECT_EQ(low.Next(), milliseconds(160));  // 200 - 20 %
  random = 0.999999;
  Backoff high(BackoffPolicy{}, [&] { return random; });
  EXPECT_EQ(high.Next(), milliseconds(239));  // just under 200 + 20 %
}

TEST(BackoffTest, TheDefaultRandomSourceStaysInTheJitterBand) {
  Backoff backoff(BackoffPolicy{});
  for (int i = 0; i < 50; ++i) {
    backoff.Reset();
    const milliseconds delay = backoff.Next();
    EXPECT_GE(delay, milliseconds(160));
    EXPECT_LE(delay, milliseconds(240));
  }
}

}  // namespace
}  // namespace keyward
