// A small Kubernetes API client: HTTPS (cpp-httplib, OpenSSL), JSON
// (nlohmann), the authentication modes of kubeconfigs, discovery, and lists
// paginated with limit/continue, handed over item by item as pages arrive.
// Timeouts and retries are bounded; errors say what failed and what to do.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "webhook/base/status.h"
#include "webhook/kube/kube_config.h"

namespace httplib {
class SSLClient;
}

namespace keyward {

struct KubeResponse {
  int status = 0;
  std::string body;
};

struct ListOutcome {
  bool complete = true;
  std::string problem;  // why not, for the report: what failed and the fix (e.g. the RBAC verb)
  size_t items = 0;
  size_t pages = 0;
};

class KubeClient {
 public:
  // Connects lazily; runs the exec plugin (if any) now, so a broken one is
  // reported before anything is listed.
  static Result<std::unique_ptr<KubeClient>> Connect(const ClusterAccess& access);
  ~KubeClient();

  // GET, with up to 3 attempts on network errors, 429 and 5xx.
  Result<KubeResponse> Get(const std::string& path);

  // The resources a group version serves; NotFound (404) means the group is
  // not installed: *installed is false and the set empty.
  Result<std::set<std::string>> ServedResources(const std::string& group, const std::string& version, bool* installed);

  // Every object of a resource, in `namespace_name` or all namespaces,
  // `page_size` at a time; `on_item` sees each as its page arrives.
  ListOutcome List(const std::string& group, const std::string& version, const std::string& resource,
                   const std::string& namespace_name, const std::function<void(nlohmann::json item)>& on_item,
                   size_t page_size = 500);

 private:
  KubeClient(ClusterAccess access, std::unique_ptr<httplib::SSLClient> client, std::string exec_token);
  std::string BearerToken() const;

  ClusterAccess access_;
  std::unique_ptr<httplib::SSLClient> client_;
  std::string exec_token_;
};

// Percent-encodes a query value (continue tokens are opaque).
std::string QueryEscape(std::string_view value);

}  // namespace keyward
