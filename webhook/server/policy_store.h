// The serving policy, loaded from a file and swapped whole on reload
// (reloadable_store.h): requests keep the policy they started with, and a
// file that fails to load leaves the previous policy serving.
//
// Thread safety: as ReloadableStore's; every event loop calls Current() at
// once, and the file watcher's thread calls Reload().
#pragma once

#include <string>

#include "policy/model/policy.h"
#include "webhook/server/reloadable_store.h"
#include "webhook/server/server_metrics.h"

namespace keyward {

// A failed load says every problem found, one per line
// ("file:line:column: path: message"); Reload() logs and counts the outcome.
class PolicyStore final : public ReloadableStore<Policy> {
 public:
  PolicyStore(std::string path, ServerMetrics* metrics);

 private:
  Result<std::shared_ptr<const Policy>> Load() const override;
  void OnLoaded(const Policy& policy, bool initial) override;
  void OnReloadFailed(const Status& error) override;

  const std::string path_;
  ServerMetrics* const metrics_;
};

}  // namespace keyward
