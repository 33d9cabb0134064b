#include "tests/chart/fake_apiserver.h"

#include <httplib.h>

#include <chrono>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

json NotFound(const std::string& what) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
          {"message", what + " not found"}, {"reason", "NotFound"}, {"code", 404}};
}

}  // namespace

FakeApiServer::FakeApiServer() : server_(std::make_unique<httplib::Server>()) {
  server_->Get("/api/v1", [](const httplib::Request&, httplib::Response& response) {
    json resources = {{"kind", "APIResourceList"},
                      {"groupVersion", "v1"},
                      {"resources",
                       {{{"name", "secrets"},
                         {"singularName", "secret"},
                         {"namespaced", true},
                         {"kind", "Secret"},
                         {"verbs", {"get", "list"}}}}}};
    response.set_content(resources.dump(), "application/json");
  });
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
