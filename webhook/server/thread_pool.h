// The task queue behind the plain-HTTP ops server (probes and metrics; the
// admission server has its own connection loops, connection_loop.h).
//
// cpp-httplib runs each connection, keep-alive included, on one pool thread
// for the connection's whole life. A fixed pool of N threads therefore serves
// at most N connections and leaves every further one waiting in the queue,
// however idle the first N are. This pool grows a thread whenever a task
// arrives and none is free, up to `max_threads`, and lets threads that stay
// idle for `idle_timeout` exit, so memory follows the connection count.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace keyward {

class ElasticThreadPool final : public httplib::TaskQueue {
 public:
  ElasticThreadPool(size_t max_threads, std::chrono::milliseconds idle_timeout);
  ~ElasticThreadPool() override;

  void enqueue(std::function<void()> task) override;
  // Runs every queued task, then joins all threads.
  void shutdown() override;

  size_t threads() const;

 private:
  void Work(std::list<std::thread>::iterator self);
  void JoinFinished();  // with mutex_ held

  const size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable task_ready_;
  std::deque<std::function<void()>> tasks_;
  std::list<std::thread> threads_;
  std::vector<std::thread> finished_;  // exited on idleness, not yet joined
  size_t idle_ = 0;
  bool shutting_down_ = false;
};

}  // namespace keyward
