// One immutable snapshot of something loaded from files (the policy, the
// serving certificate), swapped whole: validate, then swap.
//
// Readers take a shared_ptr to the current snapshot and keep it for as long
// as they use it (a request, a handshake), so a reload never changes
// anything halfway. A load that fails leaves the previous snapshot serving,
// never an empty or half one. What a load means to the operator (log lines,
// metrics) is said by the subclass.
//
// Thread safety: Current() may be called from any thread at once, also
// while a reload runs. LoadInitial() and Reload() are meant for one thread
// at a time (startup, then the file watcher's thread): two at once are safe
// but may report their loads (OnLoaded) in another order than they became
// current.
#pragma once

#include <atomic>
#include <memory>

#include "webhook/base/status.h"

namespace keyward {

template <typename T>
class ReloadableStore {
 public:
  virtual ~ReloadableStore() = default;

  std::shared_ptr<const T> Current() const { return current_.load(std::memory_order_acquire); }

  // At startup.
  Status LoadInitial() {
    Result<std::shared_ptr<const T>> loaded = Load();
    if (!loaded.ok()) return loaded.status();
    Publish(std::move(loaded.value()), /*initial=*/true);
    return Status::Ok();
  }

  // After the files changed.
  void Reload() {
    Result<std::shared_ptr<const T>> loaded = Load();
    if (!loaded.ok()) {
      OnReloadFailed(loaded.status());
      return;
    }
    Publish(std::move(loaded.value()), /*initial=*/false);
  }

 protected:
  // Reads and validates the files; touches nothing else.
  virtual Result<std::shared_ptr<const T>> Load() const = 0;
  // After `value` became current.
  virtual void OnLoaded(const T& value, bool initial) = 0;
  // After a reload failed; the previous snapshot still serves.
  virtual void OnReloadFailed(const Status& error) = 0;

 private:
  void Publish(std::shared_ptr<const T> value, bool initial) {
    std::shared_ptr<const T> published = value;
    current_.store(std::move(value), std::memory_order_release);
    OnLoaded(*published, initial);
  }

  std::atomic<std::shared_ptr<const T>> current_;
};

}  // namespace keyward
