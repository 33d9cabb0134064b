// Just enough of a kube-apiserver, in plain HTTP on 127.0.0.1, for
// `helm template --dry-run=server` and its `lookup` of a Secret: version,
// discovery of the kinds the chart renders, the Secrets it is given, and 404
// for everything else. It lets tests render an upgrade without a cluster.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
}

namespace keyward::testing {

class FakeApiServer {
 public:
  FakeApiServer();
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  // Serves this Secret (a JSON object with metadata.namespace and .name).
  void AddSecret(const nlohmann::json& secret);
  // A kubeconfig file pointing at this server, written into `directory`.
  std::string WriteKubeconfig(const std::string& directory) const;
  int secret_reads() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, nlohmann::json> secrets_;  // "namespace/name"
  int secret_reads_ = 0;
};

}  // namespace keyward::testing
