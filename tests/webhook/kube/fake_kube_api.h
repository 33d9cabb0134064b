// A Kubernetes API server in the test, over HTTPS on 127.0.0.1, speaking the
// protocol as its documentation describes: discovery (/apis/GROUP/VERSION:
// an APIResourceList, 404 for a group that is not installed), lists with
// limit/continue pagination (the server may return fewer items than asked,
// and does: at most 3 per page), resourceVersion in the list metadata,
// Status objects for 401, 403 and 404, and authentication by bearer token or
// client certificate.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/certificates.h"

namespace httplib {
class Server;
}

namespace keyward::testing {

class FakeKubeApi {
 public:
  struct Options {
    std::string token = {};           // required bearer token ("" = none required)
    std::string client_ca_file = {};  // require client certificates signed by this CA ("" = none)
    std::string discovery_body = {};  // served as every discovery answer instead of the real one ("" = real)
  };
  FakeKubeApi(TestCertificateAuthority& ca, const std::string& directory, Options options);
  ~FakeKubeApi();

  // Serves `resource` (kind `kind`) in group/version with these objects.
  void Serve(const std::string& group, const std::string& version, const std::string& resource, const std::string& kind,
             std::vector<nlohmann::json> items);
  // Lists of this resource answer 403.
  void Forbid(const std::string& resource);

  std::string server() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::vector<std::string> requests() const;
  std::set<std::string> tokens_seen() const;

 private:
  struct Resource {
    std::string kind;
    std::vector<nlohmann::json> items;
  };
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  Options options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Resource>> groups_;  // "group/version" -> resource -> items
  std::set<std::string> forbidden_;
  std::vector<std::string> requests_;
  std::set<std::string> tokens_;
};

}  // namespace keyward::testing
