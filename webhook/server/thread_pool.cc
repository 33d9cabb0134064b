#include "webhook/server/thread_pool.h"

namespace keyward {

ElasticThreadPool::ElasticThreadPool(size_t max_threads, std::chrono::milliseconds idle_timeout)
    : max_threads_(max_threads == 0 ? 1 : max_threads), idle_timeout_(idle_timeout) {}

ElasticThreadPool::~ElasticThreadPool() { shutdown(); }

void ElasticThreadPool::enqueue(std::function<void()> task) {
  std::unique_lock lock(mutex_);
  tasks_.push_back(std::move(task));
  JoinFinished();
  // Idle threads already waiting will take the queued tasks; grow only for
  // the tasks they cannot cover.
  if (!shutting_down_ && tasks_.size() > idle_ && threads_.size() < max_threads_) {
    threads_.emplace_front();
    auto self = threads_.begin();
    *self = std::thread([this, self] { Work(self); });
  }
  lock.unlock();
  task_ready_.notify_one();
}

void ElasticThreadPool::shutdown() {
  std::list<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  task_ready_.notify_all();
  // Threads remove nothing from threads_ once shutting down, so the list is
  // stable while joined.
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  std::lock_guard lock(mutex_);
  JoinFinished();
  threads_.clear();
}

size_t ElasticThreadPool::threads() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

void ElasticThreadPool::Work(std::list<std::thread>::iterator self) {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    const bool woken = task_ready_.wait_for(lock, idle_timeout_, [this] { return !tasks_.empty() || shutting_down_; });
    --idle_;
    if (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // release captures before taking the lock again
      lock.lock();
      continue;
    }
    if (shutting_down_) return;
    if (!woken) {
      // Idle too long: hand our handle to whoever joins next, and leave.
      finished_.push_back(std::move(*self));
      threads_.erase(self);
      return;
    }
  }
}

void ElasticThreadPool::JoinFinished() {
  for (auto& thread : finished_) thread.join();
  finished_.clear();
}

}  // namespace keyward
