#include "tests/chart/fake_apiserver.h"

#include <httplib.h>

#include <chrono>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

json NotFound(const std::string& what) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
          {"message", what + " not found"}, {"reason", "NotFound"}, {"code", 404}};
}

struct Resource {
  const char* name;
  const char* kind;
  bool namespaced;
};

const std::map<std::string, std::vector<Resource>> kDiscovery = {
    {"v1",
     {{"secrets", "Secret", true},
      {"configmaps", "ConfigMap", true},
      {"services", "Service", true},
      {"serviceaccounts", "ServiceAccount", true}}},
    {"apps/v1", {{"deployments", "Deployment", true}}},
    {"policy/v1", {{"poddisruptionbudgets", "PodDisruptionBudget", true}}},
    {"rbac.authorization.k8s.io/v1",
     {{"clusterroles", "ClusterRole", false}, {"clusterrolebindings", "ClusterRoleBinding", false}}},
    {"admissionregistration.k8s.io/v1",
     {{"mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false},
      {"validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false}}},
};

}  // namespace

FakeApiServer::FakeApiServer() : server_(std::make_unique<httplib::Server>()) {
  server_->Get("/version", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"major":"1","minor":"30","gitVersion":"v1.30.0"})", "application/json");
  });
  // Discovery of the kinds the chart renders: helm maps each object to its
  // resource before it renders against a cluster.
  server_->Get("/api", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]})",
                         "application/json");
  });
  server_->Get("/apis", [](const httplib::Request&, httplib::Response& response) {
    json groups = json::array();
    for (const auto& [group_version, resources] : kDiscovery) {
      size_t slash = group_version.find('/');
      if (slash == std::string::npos) continue;
      json version = {{"groupVersion", group_version}, {"version", group_version.substr(slash + 1)}};
      groups.push_back({{"name", group_version.substr(0, slash)}, {"versions", {version}}, {"preferredVersion", version}});
    }
    response.set_content(json({{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}}).dump(),
                         "application/json");
  });
  for (const auto& [group_version, resources] : kDiscovery) {
    std::string path = group_version == "v1" ? "/api/v1" : "/apis/" + group_version;
    json list = {{"kind", "APIResourceList"}, {"groupVersion", group_version}, {"resources", json::array()}};
    for (const auto& [name, kind, namespaced] : resources) {
      list["resources"].push_back(
          {{"name", name}, {"kind", kind}, {"namespaced", namespaced}, {"verbs", {"get", "list", "create"}}});
    }
    server_->Get(path, [body = list.dump()](const httplib::Request&, httplib::Response& response) {
      response.set_content(body, "application/json");
    });
  }
  server_->Get(R"(/api/v1/namespaces/([^/]+)/secrets/([^/]+))",
               [this](const httplib::Request& request, httplib::Response& response) {
                 std::string key = request.matches[1].str() + "/" + request.matches[2].str();
                 std::lock_guard lock(mutex_);
                 ++secret_reads_;
                 auto found = secrets_.find(key);
                 if (found == secrets_.end()) {
                   response.status = 404;
                   response.set_content(NotFound("secret " + key).dump(), "application/json");
                   return;
                 }
                 response.set_content(found->second.dump(), "application/json");
               });
  // Every other object does not exist yet.
  server_->Get(R"(/.*)", [](const httplib::Request& request, httplib::Response& response) {
    response.status = 404;
    response.set_content(NotFound(request.path).dump(), "application/json");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) ADD_FAILURE() << "the fake apiserver cannot bind 127.0.0.1";
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // The socket already listens; waiting for the accept loop keeps stop()
  // from racing its start.
  for (int i = 0; i < 500 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

FakeApiServer::~FakeApiServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void FakeApiServer::AddSecret(const json& secret) {
  std::lock_guard lock(mutex_);
  const json& metadata = secret.at("metadata");
  secrets_[metadata.at("namespace").get<std::string>() + "/" + metadata.at("name").get<std::string>()] = secret;
}

std::string FakeApiServer::WriteKubeconfig(const std::string& directory) const {
  std::string path = directory + "/fake-apiserver.kubeconfig";
  WriteFile(path, "apiVersion: v1\nkind: Config\n"
                  "clusters: [{name: fake, cluster: {server: \"http://127.0.0.1:" +
                      std::to_string(port_) +
                      "\"}}]\n"
                      "users: [{name: fake, user: {}}]\n"
                      "contexts: [{name: fake, context: {cluster: fake, user: fake}}]\n"
                      "current-context: fake\n");
  return path;
}

int FakeApiServer::secret_reads() const {
  std::lock_guard lock(mutex_);
  return secret_reads_;
}

}  // namespace keyward::testing
