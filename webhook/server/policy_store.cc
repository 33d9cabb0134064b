#include "webhook/server/policy_store.h"

#include <chrono>

#include "webhook/observe/log.h"
#include "webhook/admission/policy_file.h"

namespace keyward {
namespace {

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

PolicyStore::PolicyStore(std::string path, ServerMetrics* metrics) : path_(std::move(path)), metrics_(metrics) {}

PolicyStore::Loaded PolicyStore::Load() const {
  PolicyFileResult loaded = LoadPolicyFile(path_);
  if (loaded.policy != nullptr) return {std::move(loaded.policy), ""};
  std::string error = std::move(loaded.error);
  while (!error.empty() && error.back() == '\n') error.pop_back();
  return {nullptr, error.empty() ? path_ + ": the policy did not load" : error};
}

void PolicyStore::OnLoaded(const Policy& policy, bool initial) {
  metrics_->SetPolicyLoadTime(UnixNow());
  if (!initial) metrics_->CountPolicyReload(true);
  LogLine(initial ? "policy loaded" : "policy reloaded")
      .Add("path", path_)
      .Add("tenants", uint64_t{policy.tenants.size()})
      .Info();
}

void PolicyStore::OnReloadFailed(const std::string& error) {
  metrics_->CountPolicyReload(false);
  LogLine("policy reload failed; the previous policy keeps serving").Add("path", path_).Add("error", error).Error();
}

}  // namespace keyward
