// The serving policy, loaded from a file and swapped whole on reload.
//
// Requests take a shared_ptr to the current policy at their start and keep
// it to the end, so a reload never changes a decision halfway. A file that
// fails to load leaves the previous policy serving (never an empty or half
// policy); the failure is logged and counted.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "policy/policy.h"
#include "webhook/server/server_metrics.h"

namespace keyward {

class PolicyStore {
 public:
  PolicyStore(std::string path, ServerMetrics* metrics);

  // Loads the file at startup. Returns an empty string on success, else
  // every problem found, one per line ("file:line:column: path: message").
  std::string LoadInitial();
  // Loads the file after it changed: logs and counts the outcome.
  void Reload();

  std::shared_ptr<const Policy> Current() const { return current_.load(std::memory_order_acquire); }

 private:
  std::string Load(size_t* tenants);

  const std::string path_;
  ServerMetrics* const metrics_;
  std::atomic<std::shared_ptr<const Policy>> current_;
};

}  // namespace keyward
