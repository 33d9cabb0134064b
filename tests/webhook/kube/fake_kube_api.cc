#include "tests/webhook/kube/fake_kube_api.h"

#include <csignal>
#include <chrono>
#include <thread>

#include <httplib.h>

#include "tests/support/files.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

// Watches hold a server thread each for as long as they stream, and one
// whose client went away holds it until its next write: room for many.
constexpr size_t kServerThreads = 64;

json StatusObject(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"},   {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Failure"},
          {"message", message}, {"reason", reason},   {"code", code}};
}

void Reply(httplib::Response& res, int code, const json& body) {
  res.status = code;
  res.set_content(body.dump(), "application/json");
}

std::string ApiVersion(const std::string& group, const std::string& version) {
  return group.empty() ? version : group + "/" + version;
}

}  // namespace

FakeKubeApi::FakeKubeApi(TestCertificateAuthority& ca, const std::string& directory, Options options)
    : options_(std::move(options)) {
  ::signal(SIGPIPE, SIG_IGN);  // a watch's client may leave while it is written to
  const std::string cert = directory + "/apiserver.crt", key = directory + "/apiserver.key";
  ca.Issue(cert, key, "127.0.0.1");
  server_ = options_.client_ca_file.empty()
                ? std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str())
                : std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str(), options_.client_ca_file.c_str());
  server_->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server_->Get(R"(/apis/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(req.path);
    const std::string group_version = req.matches[1].str() + "/" + req.matches[2].str();
    if (!options_.discovery_body.empty()) {
      res.status = 200;
      res.set_content(options_.discovery_body, "application/json");
      return;
    }
    auto group = groups_.find(group_version);
    if (group == groups_.end()) {
      Reply(res, 404, StatusObject(404, "NotFound", "the server could not find the requested resource"));
      return;
    }
    json resources = json::array();
    for (const auto& [name, resource] : group->second) {
      resources.push_back({{"name", name}, {"singularName", ""}, {"namespaced", true}, {"kind", resource.kind},
                           {"verbs", {"delete", "get", "list", "patch", "create", "update", "watch"}}});
      resources.push_back({{"name", name + "/status"}, {"namespaced", true}, {"kind", resource.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
    Reply(res, 200, {{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", group_version},
                     {"resources", resources}});
  });
  server_->Get(R"(/apis/([^/]+)/([^/]+)/namespaces/([^/]+)/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 HandleList(req, res, req.matches[1].str() + "/" + req.matches[2].str(), req.matches[1].str(),
                            req.matches[3].str(), req.matches[4].str());
               });
  server_->Get(R"(/apis/([^/]+)/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    HandleList(req, res, req.matches[1].str() + "/" + req.matches[2].str(), req.matches[1].str(), "",
               req.matches[3].str());
  });
  server_->Get(R"(/api/v1/namespaces/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    HandleList(req, res, "v1", "", req.matches[1].str(), req.matches[2].str());
  });
  server_->Get(R"(/api/v1/namespaces/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    HandleGetNamespace(req, res, req.matches[1].str());
  });
  server_->Get(R"(/api/v1/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    HandleList(req, res, "v1", "", "", req.matches[1].str());
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int i = 0; i < 500 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

FakeKubeApi::~FakeKubeApi() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;  // open watches end, so that stop() can join their threads
  }
  changed_.notify_all();
  server_->stop();
  thread_.join();
}

void FakeKubeApi::AnswerNamespaceGets(int status, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mutex_);
  namespace_get_status_ = status;
  namespace_get_delay_ = delay;
}

void FakeKubeApi::HandleList(const httplib::Request& req, httplib::Response& res, const std::string& api_version,
                             const std::string& group, const std::string& ns, const std::string& resource_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool watch = req.get_param_value("watch") == "1" || req.get_param_value("watch") == "true";
  requests_.push_back(req.path + (watch ? "?watch" : req.params.empty() ? "" : "?..."));
  if (Refused(req, res, group, resource_name, watch ? "watch" : "list")) return;
  if (ns.empty() && forbidden_at_cluster_scope_.count(resource_name)) {
    Reply(res, 403, StatusObject(403, "Forbidden",
                                 resource_name + "." + group + " is forbidden: User \"system:serviceaccount:audit:keyward\" "
                                 "cannot list resource \"" + resource_name + "\" in API group \"" + group +
                                 "\" at the cluster scope"));
    return;
  }
  auto found = groups_.find(api_version);
  if (found == groups_.end() || !found->second.count(resource_name)) {
    Reply(res, 404, StatusObject(404, "NotFound", "the server could not find the requested resource"));
    return;
  }
  if (watch) {
    StartWatch(req, res, api_version, resource_name);
    return;
  }
  const Resource& resource = found->second[resource_name];
  std::vector<const json*> visible;
  for (const json& item : resource.items) {
    if (ns.empty() || item["metadata"].value("namespace", "") == ns) visible.push_back(&item);
  }
  size_t offset = 0;
  if (req.has_param("continue")) {
    const std::string token = req.get_param_value("continue");
    if (!token.starts_with("offset-")) {
      Reply(res, 400, StatusObject(400, "BadRequest", "invalid continue token"));
      return;
    }
    offset = std::stoul(token.substr(7));
  }
  size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : visible.size();
  limit = std::min({limit == 0 ? visible.size() : limit, options_.page_cap});
  json items = json::array();
  for (size_t i = offset; i < visible.size() && i < offset + limit; ++i) {
    json item = *visible[i];
    item.erase("apiVersion");  // as for built-in kinds: the list names them
    item.erase("kind");
    items.push_back(std::move(item));
  }
  json metadata = {{"resourceVersion", std::to_string(resource_version_)}};
  if (offset + limit < visible.size()) {
    metadata["continue"] = "offset-" + std::to_string(offset + limit);
    metadata["remainingItemCount"] = visible.size() - offset - limit;
  } else {
    ++lists_served_;
  }
  Reply(res, 200, {{"kind", resource.kind + "List"}, {"apiVersion", api_version}, {"metadata", metadata},
                   {"items", items}});
}

bool FakeKubeApi::Refused(const httplib::Request& req, httplib::Response& res, const std::string& group,
                          const std::string& resource_name, const std::string& verb) {
  const std::string authorization = req.get_header_value("Authorization");
  if (authorization.starts_with("Bearer ")) tokens_.insert(authorization.substr(7));
  if (!options_.token.empty() && authorization != "Bearer " + options_.token) {
    Reply(res, 401, StatusObject(401, "Unauthorized", "Unauthorized"));
    return true;
  }
  if (forbidden_.count(resource_name)) {
    Reply(res, 403, StatusObject(403, "Forbidden",
                                 resource_name + (group.empty() ? "" : "." + group) +
                                     " is forbidden: User \"system:serviceaccount:audit:keyward\" cannot " + verb +
                                     " resource \"" + resource_name + "\" in API group \"" + group +
                                     "\" at the cluster scope"));
    return true;
  }
  return false;
}

void FakeKubeApi::HandleGetNamespace(const httplib::Request& req, httplib::Response& res, const std::string& name) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    delay = namespace_get_delay_;
  }
  std::this_thread::sleep_for(delay);
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.push_back(req.path);
  ++namespace_gets_;
  if (Refused(req, res, "", "namespaces", "get")) return;
  if (namespace_get_status_ != 0) {
    Reply(res, namespace_get_status_, StatusObject(namespace_get_status_, "InternalError", "the test says no"));
    return;
  }
  auto found = groups_.find("v1");
  if (found != groups_.end() && found->second.count("namespaces")) {
    for (const json& item : found->second["namespaces"].items) {
      if (item["metadata"].value("name", "") == name) {
        json object = item;  // a GET answers the object with its type, as a list's items are not
        object["apiVersion"] = "v1";
        object["kind"] = "Namespace";
        Reply(res, 200, object);
        return;
      }
    }
  }
  Reply(res, 404, StatusObject(404, "NotFound", "namespaces \"" + name + "\" not found"));
}

std::string FakeKubeApi::Stamp(json& object) {
  const std::string version = std::to_string(++resource_version_);
  object["metadata"]["resourceVersion"] = version;
  return version;
}

void FakeKubeApi::Serve(const std::string& group, const std::string& version, const std::string& resource,
                        const std::string& kind, std::vector<json> items) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (json& item : items) Stamp(item);
  groups_[ApiVersion(group, version)][resource] = {kind, std::move(items), {}};
}

void FakeKubeApi::AddWithoutEvent(json object) {
  std::lock_guard<std::mutex> lock(mutex_);
  Stamp(object);
  const std::string api_version = object.value("apiVersion", "");
  const std::string kind = object.value("kind", "");
  for (auto& [name, resource] : groups_[api_version]) {
    if (resource.kind != kind) continue;
    resource.items.push_back(std::move(object));
    return;
  }
}

void FakeKubeApi::Forbid(const std::string& resource) {
  std::lock_guard<std::mutex> lock(mutex_);
  forbidden_.insert(resource);
}

void FakeKubeApi::ForbidAtClusterScope(const std::string& resource) {
  std::lock_guard<std::mutex> lock(mutex_);
  forbidden_at_cluster_scope_.insert(resource);
}

}  // namespace keyward::testing
