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

std::string PolicyStore::Load(size_t* tenants) {
  PolicyFileResult loaded = LoadPolicyFile(path_);
  if (loaded.policy == nullptr) {
    std::string error = std::move(loaded.error);
    while (!error.empty() && error.back() == '\n') error.pop_back();
    return error.empty() ? path_ + ": the policy did not load" : error;
  }
  *tenants = loaded.policy->tenants.size();
  current_.store(std::move(loaded.policy), std::memory_order_release);
  metrics_->SetPolicyLoadTime(UnixNow());
  return "";
}

std::string PolicyStore::LoadInitial() {
  size_t tenants = 0;
  std::string error = Load(&tenants);
  if (error.empty()) LogLine("policy loaded").Add("path", path_).Add("tenants", uint64_t{tenants}).Info();
  return error;
}

void PolicyStore::Reload() {
  size_t tenants = 0;
  std::string error = Load(&tenants);
  metrics_->CountPolicyReload(error.empty());
  if (error.empty()) {
    LogLine("policy reloaded").Add("path", path_).Add("tenants", uint64_t{tenants}).Info();
  } else {
    LogLine("policy reload failed; the previous policy keeps serving")
        .Add("path", path_)
        .Add("error", error)
        .Error();
  }
}

}  // namespace keyward
