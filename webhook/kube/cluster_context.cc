#include "webhook/kube/cluster_context.h"

#include <utility>

#include "webhook/base/bounded_json.h"
#include "webhook/base/json_member.h"
#include "webhook/kube/namespace_object.h"

namespace keyward {
namespace {

using Clock = std::chrono::steady_clock;

NamespaceLookup Unavailable(std::string_view name, std::string_view why) {
  NamespaceLookup lookup;
  lookup.source = LookupSource::kUnavailable;
  lookup.problem.append("keyward cannot decide yet: namespace \"")
      .append(name.substr(0, 100))
      .append("\" ")
      .append(why)
      .append("; keyward never decides without the namespace's labels: retry in a few seconds");
  return lookup;
}

std::string HttpProblem(int status, const std::string& body) {
  std::string problem = "could not be read from the API server (HTTP ";
  problem += std::to_string(status);
  problem += ")";
  if (status == 401 || status == 403) problem += ": grant keyward's service account get on namespaces";
  Result<nlohmann::json> parsed = ParseBoundedJson(body);
  if (parsed.ok() && parsed.value().is_object()) {
    const std::string message = StringMember(parsed.value(), "message");
    if (!message.empty()) problem.append(" (").append(message.substr(0, 200)).append(")");
  }
  return problem;
}

}  // namespace

bool IsNamespaceName(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Result<std::unique_ptr<ClusterContext>> ClusterContext::Connect(const ClusterAccess& access,
                                                                ClusterContextOptions options) {
  Result<std::unique_ptr<KubeClient>> watch_client = KubeClient::Connect(access);
  if (!watch_client.ok()) return watch_client.status();
  Result<std::unique_ptr<KubeClient>> lookup_client = KubeClient::Connect(access);
  if (!lookup_client.ok()) return lookup_client.status();
  Result<std::unique_ptr<KubeClient>> pipeline_client = KubeClient::Connect(access);
  if (!pipeline_client.ok()) return pipeline_client.status();
  std::unique_ptr<ClusterContext> context(
      new ClusterContext(std::move(lookup_client.value()), options.lookup_timeout));
  context->pipeline_watcher_ = std::make_unique<Watcher>(
      std::move(pipeline_client.value()), WatchedResource{std::string(kAckGroup), "v1alpha1", "pipelines"},
      &context->pipeline_cache_, options.watch);
  context->watcher_ = std::make_unique<Watcher>(std::move(watch_client.value()), WatchedResource{"", "v1", "namespaces"},
                                                &context->cache_, std::move(options.watch));
  return context;
}

ClusterContext::ClusterContext(std::unique_ptr<KubeClient> lookup_client, std::chrono::milliseconds lookup_timeout)
    : lookup_timeout_(lookup_timeout), lookup_client_(std::move(lookup_client)) {}

ClusterContext::~ClusterContext() { Stop(); }

void ClusterContext::Start() {
  started_ = Clock::now();
  watcher_->Start();
  pipeline_watcher_->Start();
}

void ClusterContext::Stop() {
  lookup_client_->Cancel();
  if (watcher_) watcher_->Stop();
  if (pipeline_watcher_) pipeline_watcher_->Stop();
}

double ClusterContext::StalenessSeconds() const {
  const WatchState state = watcher_->state();
  return std::chrono::duration<double>(Clock::now() - state.last_contact.value_or(started_)).count();
}

NamespaceLookup ClusterContext::Lookup(std::string_view name) const {
  if (std::shared_ptr<const NamespaceInfo> known = cache_.Current()->Find(name)) {
    return NamespaceLookup{LookupSource::kCache, std::move(known), {}};
  }
  return Fetch(name);
}

NamespaceLookup ClusterContext::Fetch(std::string_view name) const {
  if (!IsNamespaceName(name)) return Unavailable(name, "is not a valid namespace name");
  const Clock::time_point start = Clock::now();
  std::unique_lock<std::timed_mutex> turn(lookup_mutex_, std::defer_lock);
  if (!turn.try_lock_for(lookup_timeout_)) {
    return Unavailable(name, "is not in keyward's cache yet, and other lookups held the connection too long");
  }
  // The watch may have brought it while this request waited its turn.
  if (std::shared_ptr<const NamespaceInfo> known = cache_.Current()->Find(name)) {
    return NamespaceLookup{LookupSource::kCache, std::move(known), {}};
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(lookup_timeout_ - (Clock::now() - start));
  if (left.count() <= 0) return Unavailable(name, "is not in keyward's cache yet, and its lookup ran out of time");
  std::string path = "/api/v1/namespaces/";
  path.append(name);
  Result<KubeResponse> response = lookup_client_->GetOnce(path, left);
  if (!response.ok()) {
    return Unavailable(name, "could not be read from the API server (" + response.status().ToString() + ")");
  }
  if (response.value().status == 404) return Unavailable(name, "does not exist (yet)");
  if (response.value().status != 200) return Unavailable(name, HttpProblem(response.value().status, response.value().body));
  Result<nlohmann::json> object = ParseBoundedJson(response.value().body);
  auto info = std::make_shared<const NamespaceInfo>(object.ok() ? NamespaceInfoOf(object.value()) : NamespaceInfo{});
  if (!object.ok() || !IsNamespaceObject(object.value()) || info->name != name) {
    return Unavailable(name, "was answered by the API server with something that is not that Namespace");
  }
  return NamespaceLookup{LookupSource::kFetched, std::move(info), {}};
}

}  // namespace keyward
