#include "webhook/kube/kube_client.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <thread>

#include <httplib.h>

#include "webhook/base/bounded_json.h"
#include "webhook/base/json_member.h"
#include "webhook/base/text_file.h"
#include "webhook/kube/exec_credential.h"

namespace keyward {
namespace {

constexpr int kAttempts = 3;
constexpr std::chrono::seconds kReadTimeout{60};
constexpr size_t kMaxErrorBody = 64u << 10;  // a Status object is far smaller

X509_STORE* StoreFromPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_STORE* store = X509_STORE_new();
  int added = 0;
  while (X509* certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    added += X509_STORE_add_cert(store, certificate) == 1;
    X509_free(certificate);
  }
  BIO_free(bio);
  if (added == 0) {
    X509_STORE_free(store);
    return nullptr;
  }
  return store;
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

// "pipelines.sagemaker.services.k8s.aws", as kubectl names a resource.
std::string QualifiedResource(const std::string& resource, const std::string& group) {
  return group.empty() ? resource : resource + "." + group;
}

httplib::Headers RequestHeaders(const std::string& bearer_token) {
  httplib::Headers headers = {{"Accept", "application/json"}, {"User-Agent", "keyward/" KEYWARD_VERSION}};
  if (!bearer_token.empty()) headers.emplace("Authorization", "Bearer " + bearer_token);
  return headers;
}

Status Cancelled(const std::string& path) { return Status::IoError("the request was cancelled", path); }

}  // namespace

std::string CollectionPath(const std::string& group, const std::string& version, const std::string& resource,
                           const std::string& namespace_name) {
  return (group.empty() ? "/api/" + version : "/apis/" + group + "/" + version) +
         (namespace_name.empty() ? "" : "/namespaces/" + namespace_name) + "/" + resource;
}

std::string QueryEscape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::unique_ptr<KubeClient>> KubeClient::Connect(const ClusterAccess& access) {
  std::string certificate_pem = access.client_certificate_pem, key_pem = access.client_key_pem;
  ExecCredential exec_credential;
  if (access.has_exec) {
    Result<ExecCredential> credential = RunExecPlugin(access.exec);
    if (!credential.ok()) return credential.status();
    exec_credential = credential.value();
    if (!credential.value().client_certificate_pem.empty()) {
      certificate_pem = credential.value().client_certificate_pem;
      key_pem = credential.value().client_key_pem;
    }
  }
  std::unique_ptr<httplib::SSLClient> client;
  if (!certificate_pem.empty()) {
    BIO* cert_bio = BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size()));
    BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    X509* certificate = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BIO_free(cert_bio);
    BIO_free(key_bio);
    if (certificate == nullptr || key == nullptr) {
      X509_free(certificate);
      EVP_PKEY_free(key);
      return Status::Error("the client certificate or key of user " + access.user_name + " is not valid PEM");
    }
    client = std::make_unique<httplib::SSLClient>(access.host, access.port, certificate, key);
    X509_free(certificate);
    EVP_PKEY_free(key);
  } else {
    client = std::make_unique<httplib::SSLClient>(access.host, access.port);
  }
  if (access.insecure_skip_tls_verify) {
    client->enable_server_certificate_verification(false);
  } else {
    client->enable_server_certificate_verification(true);
    if (!access.ca_pem.empty()) {
      X509_STORE* store = StoreFromPem(access.ca_pem);
      if (store == nullptr) return Status::Error("the certificate authority of cluster " + access.cluster_name + " is not valid PEM");
      client->set_ca_cert_store(store);
    }
  }
  client->set_connection_timeout(10, 0);
  client->set_read_timeout(kReadTimeout);
  client->set_keep_alive(true);
  return std::unique_ptr<KubeClient>(new KubeClient(access, std::move(client), std::move(exec_credential)));
}

KubeClient::KubeClient(ClusterAccess access, std::unique_ptr<httplib::SSLClient> client, ExecCredential exec_credential)
    : access_(std::move(access)), client_(std::move(client)), exec_(std::move(exec_credential)) {}
KubeClient::~KubeClient() = default;

std::string KubeClient::BearerToken() {
  if (!exec_.token.empty()) {
    // Renewed a minute early, as client-go does not wait for the 401 either;
    // a plugin that fails now keeps the old token (the answer will say so).
    const bool expiring =
        exec_.expires && std::chrono::system_clock::now() + std::chrono::minutes(1) >= *exec_.expires;
    if (expiring || exec_token_stale_) {
      exec_token_stale_ = false;
      Result<ExecCredential> renewed = RunExecPlugin(access_.exec);
      if (renewed.ok() && !renewed.value().token.empty()) exec_ = std::move(renewed.value());
    }
    return exec_.token;
  }
  if (!access_.token.empty()) return access_.token;
  if (!access_.token_file.empty()) {
    Result<std::string> token = ReadTextFile(access_.token_file, 64u << 10);  // rotated in pods: read at each use
    if (token.ok()) return Trim(token.value());
  }
  return "";
}

void KubeClient::Saw(int http_status) {
  if (http_status == 401 && !exec_.token.empty()) exec_token_stale_ = true;
}

void KubeClient::Cancel() {
  cancelled_ = true;
  client_->stop();  // cpp-httplib's one thread-safe call: shuts the socket of the request in flight
}

Result<KubeResponse> KubeClient::Get(const std::string& path) {
  httplib::Headers headers = RequestHeaders(BearerToken());
  std::string last_error;
  bool renewed = false;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    if (cancelled_) return Cancelled(path);
    httplib::Result result = client_->Get(path.c_str(), headers);
    if (!result) {
      last_error = httplib::to_string(result.error());
      if (result.error() == httplib::Error::SSLServerVerification) {
        return Status::IoError("the API server " + access_.server + "'s certificate is not signed by the cluster's "
                               "certificate authority",
                               path, "check certificate-authority(-data) in the kubeconfig");
      }
      continue;
    }
    Saw(result->status);
    if (result->status == 401 && exec_token_stale_ && !renewed) {
      renewed = true;  // once more, with the exec plugin's new token
      headers = RequestHeaders(BearerToken());
      last_error = "HTTP 401";
      continue;
    }
    if (result->status == 429 || result->status >= 500) {
      last_error = "HTTP " + std::to_string(result->status);
      continue;
    }
    return KubeResponse{result->status, std::move(result->body)};
  }
  return Status::IoError("GET " + access_.server + path + " failed " + std::to_string(kAttempts) + " times: " + last_error,
                         "", "check that the cluster is reachable (kubectl cluster-info)");
}

Result<KubeResponse> KubeClient::GetOnce(const std::string& path, std::chrono::milliseconds timeout) {
  if (cancelled_) return Cancelled(path);
  client_->set_connection_timeout(timeout);
  client_->set_read_timeout(timeout);
  httplib::Result result = client_->Get(path.c_str(), RequestHeaders(BearerToken()));
  client_->set_connection_timeout(10, 0);
  client_->set_read_timeout(kReadTimeout);
  if (!result) {
    return Status::IoError("GET " + access_.server + path + " failed: " + httplib::to_string(result.error()));
  }
  Saw(result->status);
  return KubeResponse{result->status, std::move(result->body)};
}

Result<KubeResponse> KubeClient::Stream(const std::string& path, std::chrono::seconds idle_timeout,
                                        const std::function<bool(std::string_view)>& on_body) {
  if (cancelled_) return Cancelled(path);
  KubeResponse response;
  client_->set_read_timeout(idle_timeout);
  httplib::Result result = client_->Get(
      path.c_str(), RequestHeaders(BearerToken()),
      [&](const httplib::Response& head) {
        response.status = head.status;
        return true;
      },
      [&](const char* data, size_t length) {
        if (response.status == 200) return on_body(std::string_view(data, length));
        response.body.append(data, std::min(length, kMaxErrorBody - response.body.size()));
        return response.body.size() < kMaxErrorBody;
      });
  client_->set_read_timeout(kReadTimeout);
  Saw(response.status);
  if (cancelled_) return Cancelled(path);
  if (!result && (response.status == 0 || response.status == 200)) {
    return Status::IoError("GET " + access_.server + path + " ended: " + httplib::to_string(result.error()));
  }
  return response;  // a non-200 answer, even when its body was cut at the bound
}

Result<std::set<std::string>> KubeClient::ServedResources(const std::string& group, const std::string& version,
                                                          bool* installed) {
  *installed = false;
  Result<KubeResponse> response = Get("/apis/" + group + "/" + version);
  if (!response.ok()) return response.status();
  if (response.value().status == 404) return std::set<std::string>{};
  if (response.value().status != 200) {
    return Status::Error("discovery of " + group + "/" + version + " answered HTTP " +
                         std::to_string(response.value().status));
  }
  Result<nlohmann::json> list = ParseBoundedJson(response.value().body);
  const std::string what = "discovery of " + group + "/" + version;
  const std::string fix = "check that " + access_.server + " is a Kubernetes API server (kubectl api-resources)";
  if (!list.ok() || !list.value().is_object() || !list.value().contains("resources")) {
    return Status::Error(what + " did not answer an APIResourceList", "", fix);
  }
  const nlohmann::json& resources = list.value()["resources"];
  if (!resources.is_array()) return Status::Error(what + ": resources is not a list", "", fix);
  std::set<std::string> served;
  for (size_t i = 0; i < resources.size(); ++i) {
    const nlohmann::json& resource = resources[i];
    if (!resource.is_object() || !resource.contains("name") || !resource["name"].is_string()) {
      return Status::Error(what + ": resources[" + std::to_string(i) + "] has no name", "", fix);
    }
    const std::string name = StringMember(resource, "name");
    if (!name.empty() && name.find('/') == std::string::npos) served.insert(name);  // no subresources
  }
  *installed = true;
  return served;
}

ListOutcome KubeClient::List(const std::string& group, const std::string& version, const std::string& resource,
                             const std::string& namespace_name, const std::function<void(nlohmann::json)>& on_item,
                             size_t page_size) {
  ListOutcome outcome;
  const std::string qualified = QualifiedResource(resource, group);
  const std::string base = CollectionPath(group, version, resource, namespace_name);
  std::string continue_token;
  do {
    std::string path = base + "?limit=" + std::to_string(page_size);
    if (!continue_token.empty()) path += "&continue=" + QueryEscape(continue_token);
    Result<KubeResponse> response = Get(path);
    if (!response.ok()) {
      outcome.complete = false;
      outcome.http_status = 0;
      outcome.problem = qualified + ": " + response.status().ToString();
      return outcome;
    }
    const int status = response.value().status;
    outcome.http_status = status;
    if (status == 403) {
      outcome.complete = false;
      outcome.problem = "forbidden to list " + qualified +
                        (namespace_name.empty() ? " in all namespaces" : " in namespace " + namespace_name) +
                        ": grant the RBAC verb list on " + qualified + " (check with kubectl auth can-i list " +
                        qualified + (namespace_name.empty() ? " -A" : " -n " + namespace_name) + ")";
      return outcome;
    }
    if (status == 401) {
      outcome.complete = false;
      outcome.problem = "unauthorized listing " + qualified + ": the credentials were refused; renew them";
      return outcome;
    }
    if (status == 410) {
      outcome.complete = false;
      outcome.problem = "the list of " + qualified +
                        " expired while being paged (HTTP 410); run the audit again";
      return outcome;
    }
    if (status != 200) {
      outcome.complete = false;
      outcome.problem = "listing " + qualified + " answered HTTP " + std::to_string(status);
      return outcome;
    }
    Result<nlohmann::json> page = ParseBoundedJson(response.value().body);
    if (!page.ok() || !page.value().is_object() || !page.value().contains("items") || !page.value()["items"].is_array()) {
      outcome.complete = false;
      outcome.problem = "listing " + qualified + " did not answer a List";
      return outcome;
    }
    nlohmann::json& list = page.value();
    const nlohmann::json* metadata = list.contains("metadata") ? &list["metadata"] : nullptr;
    if (outcome.pages++ == 0 && metadata) outcome.resource_version = StringMember(*metadata, "resourceVersion");
    const std::string kind = StringMember(list, "kind");
    for (nlohmann::json& item : list["items"]) {
      // List items omit apiVersion and kind; the list's kind names them.
      if (!item.is_object()) {  // and not a crash on item["apiVersion"] below
        outcome.complete = false;
        outcome.problem = "listing " + qualified + " answered an item that is not an object";
        return outcome;
      }
      if (!item.contains("apiVersion")) item["apiVersion"] = group.empty() ? version : group + "/" + version;
      if (!item.contains("kind") && kind.ends_with("List")) item["kind"] = kind.substr(0, kind.size() - 4);
      ++outcome.items;
      on_item(std::move(item));
    }
    continue_token = metadata ? StringMember(*metadata, "continue") : "";
  } while (!continue_token.empty());
  outcome.http_status = 0;
  return outcome;
}

}  // namespace keyward
