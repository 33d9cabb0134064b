// A small Kubernetes API client: HTTPS (cpp-httplib, OpenSSL), JSON
// (nlohmann), the authentication modes of kubeconfigs, discovery, lists
// paginated with limit/continue, handed over item by item as pages arrive,
// and streamed answers (watches). Timeouts and retries are bounded; errors
// say what failed and what to do.
//
// Thread safety: one thread uses a KubeClient at a time, except Cancel(),
// which any thread may call while another is in a request.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "webhook/base/status.h"
#include "webhook/kube/exec_credential.h"
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
  int http_status = 0;           // of the answer that ended an incomplete list (0: none, or not HTTP)
  std::string resource_version;  // the list's metadata.resourceVersion, from its first page ("" if absent)
};

class KubeClient {
 public:
  // Connects lazily; runs the exec plugin (if any) now, so a broken one is
  // reported before anything is listed.
  static Result<std::unique_ptr<KubeClient>> Connect(const ClusterAccess& access);
  ~KubeClient();

  // GET, with up to 3 attempts on network errors, 429 and 5xx.
  Result<KubeResponse> Get(const std::string& path);
  // One GET, no retry, its connection and read each bounded by `timeout`:
  // for a caller that has a deadline of its own (an admission request).
  Result<KubeResponse> GetOnce(const std::string& path, std::chrono::milliseconds timeout);

  // The resources a group version serves; NotFound (404) means the group is
  // not installed: *installed is false and the set empty.
  Result<std::set<std::string>> ServedResources(const std::string& group, const std::string& version, bool* installed);

  // Every object of a resource, in `namespace_name` or all namespaces,
  // `page_size` at a time; `on_item` sees each as its page arrives. The
  // empty group is the core group (/api/v1).
  ListOutcome List(const std::string& group, const std::string& version, const std::string& resource,
                   const std::string& namespace_name, const std::function<void(nlohmann::json item)>& on_item,
                   size_t page_size = 500);

  // One GET whose body is handed to `on_body` piece by piece as it is read,
  // for answers that do not end on their own (watches). No retries. A read
  // may wait `idle_timeout` for data. `on_body` returns false to end the
  // request (the result is then an IoError). Only a 200 answer's body goes
  // to `on_body`; another's (its first 64 KiB, a Status) is in the result.
  Result<KubeResponse> Stream(const std::string& path, std::chrono::seconds idle_timeout,
                              const std::function<bool(std::string_view piece)>& on_body);

  // Ends the request in flight (its read fails at once) and refuses every
  // later one. For shutdown; thread safe.
  void Cancel();

 private:
  KubeClient(ClusterAccess access, std::unique_ptr<httplib::SSLClient> client, ExecCredential exec_credential);
  // The token to send: the exec plugin's (run again once it expired, or
  // after a 401 said it no longer works), the kubeconfig's, or the token
  // file's, read at each use.
  std::string BearerToken();
  // After an answer: a 401 means the exec plugin's token must be renewed.
  void Saw(int http_status);

  ClusterAccess access_;
  std::unique_ptr<httplib::SSLClient> client_;
  ExecCredential exec_;
  bool exec_token_stale_ = false;
  std::atomic<bool> cancelled_{false};
};

// Percent-encodes a query value (continue tokens are opaque).
std::string QueryEscape(std::string_view value);

// The path of a resource's collection: /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE,
// or /api/v1/... for the core group ("").
std::string CollectionPath(const std::string& group, const std::string& version, const std::string& resource,
                           const std::string& namespace_name = "");

}  // namespace keyward
