#include "webhook/server/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>

namespace keyward {
namespace {

TEST(ElasticThreadPoolTest, GrowsToServeBlockedTasksAtOnce) {
  // Connections block their thread: 64 of them at once need 64 threads.
  ElasticThreadPool pool(64, std::chrono::seconds(5));
  std::latch all_running(64);
  std::latch release(1);
  for (int i = 0; i < 64; ++i) {
    pool.enqueue([&] {
      all_running.count_down();
      release.wait();
    });
  }
  all_running.wait();  // would hang with fewer threads than tasks
  EXPECT_EQ(pool.threads(), 64u);
  release.count_down();
  pool.shutdown();
}

TEST(ElasticThreadPoolTest, NeverExceedsItsLimitAndRunsEverythingQueued) {
  ElasticThreadPool pool(2, std::chrono::seconds(5));
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i) {
    pool.enqueue([&] {
      const int now = ++running;
      int seen = most;
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      --running;
      ++done;
    });
  }
  pool.shutdown();
  EXPECT_EQ(done, 50);
  EXPECT_LE(most, 2);
}

TEST(ElasticThreadPoolTest, IdleThreadsExit) {
  ElasticThreadPool pool(8, std::chrono::milliseconds(20));
  std::latch ran(4);
  std::latch release(1);
  for (int i = 0; i < 4; ++i) {
    pool.enqueue([&] {
      ran.count_down();
      release.wait();
    });
  }
  ran.wait();
  EXPECT_EQ(pool.threads(), 4u);
  release.count_down();
  for (int i = 0; i < 200 && pool.threads() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(pool.threads(), 0u);
  std::atomic<bool> later{false};
  pool.enqueue([&] { later = true; });
  pool.shutdown();
  EXPECT_TRUE(later);
}

}  // namespace
}  // namespace keyward
