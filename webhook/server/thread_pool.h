// The task queue behind the admission server.
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
#include <optional>
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

  // When the task running on the calling thread was queued; nullopt on a
  // thread that is not running a task of this class. cpp-httplib queues each
  // connection the moment it accepts it, as an opaque std::function, so the
  // queue is the one place that sees when a connection arrived: a task that
  // must account for its time in the queue (a deadline measured from the
  // accept) reads it here. A thread-local set around each task keeps the
  // TaskQueue interface and the tasks themselves unchanged, and costs no
  // allocation per task.
  static std::optional<std::chrono::steady_clock::time_point> CurrentTaskQueuedAt();

 private:
  struct QueuedTask {
    std::function<void()> run;
    std::chrono::steady_clock::time_point queued_at;
  };

  void Work(std::list<std::thread>::iterator self);
  void JoinFinished();  // with mutex_ held

  const size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable task_ready_;
  std::deque<QueuedTask> tasks_;
  std::list<std::thread> threads_;
  std::vector<std::thread> finished_;  // exited on idleness, not yet joined
  size_t idle_ = 0;
  bool shutting_down_ = false;
};

}  // namespace keyward
