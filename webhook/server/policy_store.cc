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

Result<std::shared_ptr<const Policy>> PolicyStore::Load() const { return LoadPolicyFile(path_); }

void PolicyStore::OnLoaded(const Policy& policy, bool initial) {
  metrics_->SetPolicyLoadTime(UnixNow());
  if (!initial) metrics_->CountPolicyReload(true);
  LogLine(initial ? "policy loaded" : "policy reloaded")
      .Add("path", path_)
      .Add("tenants", uint64_t{policy.tenants.size()})
      .Info();
  for (const Diagnostic& notice : policy.notices) {
    LogLine("policy notice").Add("path", path_).Add("notice", notice.ToString()).Info();
  }
}

void PolicyStore::OnReloadFailed(const Status& error) {
  metrics_->CountPolicyReload(false);
  LogLine("policy reload failed; the previous policy keeps serving")
      .Add("path", path_)
      .Add("error", error.ToString())
      .Error();
}

}  // namespace keyward
