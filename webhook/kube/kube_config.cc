#include "webhook/kube/kube_config.h"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "policy/base/bounded_yaml.h"
#include "webhook/base/base64.h"
#include "webhook/base/host_port.h"
#include "webhook/base/json_member.h"
#include "webhook/base/text_file.h"
#include "webhook/base/yaml_json.h"

namespace keyward {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr size_t kMaxKubeconfigBytes = 16u << 20;

bool Flag(const json& object, const char* member) {
  const std::string value = StringMember(object, member);
  return value == "true" || value == "True" || value == "TRUE";
}

// One kubeconfig file, its entries by name (the first file setting a name
// wins), and the directory its relative paths are relative to.
struct Entries {
  std::map<std::string, std::pair<json, std::string>> clusters, users, contexts;  // name -> (entry, directory)
  std::string current_context;
};

Status Merge(const std::string& path, Entries* entries) {
  Result<std::string> text = ReadTextFile(path, kMaxKubeconfigBytes);
  if (!text.ok()) return text.status();
  json config;
  std::string unsupported_key;
  std::optional<YamlError> error = ReadYaml(text.value(), kPolicyYamlLimits, [&](const YamlNode& document) {
    try {
      config = YamlToJson(document, YamlScalars::kStrings);
    } catch (const UnsupportedYamlKey& e) {
      unsupported_key = e.what();
    }
    return false;
  });
  if (error) return Status::Error("not a valid kubeconfig: " + error->message, path);
  if (!unsupported_key.empty()) return Status::Error("not a valid kubeconfig: " + unsupported_key, path);
  const std::string directory = fs::path(path).parent_path().string();
  for (auto [list, map] : {std::pair{"clusters", &entries->clusters}, std::pair{"users", &entries->users},
                           std::pair{"contexts", &entries->contexts}}) {
    if (!config.contains(list) || !config[list].is_array()) continue;
    const char* inner = std::string_view(list) == "clusters" ? "cluster" : std::string_view(list) == "users" ? "user" : "context";
    for (const json& item : config[list]) {
      const std::string name = StringMember(item, "name");
      if (!name.empty() && !map->count(name)) (*map)[name] = {item.value(inner, json::object()), directory};
    }
  }
  if (entries->current_context.empty()) entries->current_context = StringMember(config, "current-context");
  return Status::Ok();
}

std::string Resolve(const std::string& path, const std::string& directory) {
  if (path.empty() || fs::path(path).is_absolute() || directory.empty()) return path;
  return (fs::path(directory) / path).string();
}

// A PEM from "<name>-data" (base64) or the file "<name>".
Status Pem(const json& entry, const std::string& directory, const std::string& name, std::string* out,
           const std::string& where) {
  const std::string data = StringMember(entry, name + "-data");
  if (!data.empty()) {
    std::optional<std::string> decoded = Base64Decode(data);
    if (!decoded) return Status::Error(name + "-data is not valid base64", where);
    *out = std::move(*decoded);
    return Status::Ok();
  }
  const std::string file = StringMember(entry, name);
  if (file.empty()) return Status::Ok();
  Result<std::string> read = ReadTextFile(Resolve(file, directory), 1u << 20);
  if (!read.ok()) return read.status();
  *out = std::move(read.value());
  return Status::Ok();
}

}  // namespace

Status ParseServerUrl(const std::string& server, std::string* host, int* port) {
  HttpsUrl url;
  switch (ParseHttpsUrl(server, &url)) {
    case UrlProblem::kNotHttps:
      return Status::Error("the server " + server + " is not an https:// URL", "", "keyward talks to clusters over HTTPS only");
    case UrlProblem::kUnclosedBracket:
      return Status::Error("the server " + server + " has an unclosed [");
    case UrlProblem::kBadHostOrPort:
      return Status::Error("the server " + server + " has no valid host and port");
    case UrlProblem::kNone:
      break;
  }
  *host = std::move(url.address.host);
  *port = url.address.port;
  return Status::Ok();
}

Result<ClusterAccess> LoadKubeconfig(const KubeconfigOptions& options) {
  std::vector<std::string> files;
  if (!options.kubeconfig.empty()) {
    files.push_back(options.kubeconfig);
  } else if (!options.kubeconfig_env.empty()) {
    std::stringstream list(options.kubeconfig_env);
    for (std::string file; std::getline(list, file, ':');) {
      if (!file.empty() && fs::exists(file)) files.push_back(file);  // kubectl skips missing ones
    }
  } else {
    files.push_back(options.home + "/.kube/config");
  }
  if (files.empty()) return Status::Error("no kubeconfig file of $KUBECONFIG exists", "", "set --kubeconfig");
  Entries entries;
  for (const std::string& file : files) {
    if (Status merged = Merge(file, &entries); !merged.ok()) return merged;
  }
  ClusterAccess access;
  access.context_name = options.context.empty() ? entries.current_context : options.context;
  const std::string where = files.front();
  if (access.context_name.empty()) {
    return Status::Error("no current-context is set", where, "give --context NAME");
  }
  auto context = entries.contexts.find(access.context_name);
  if (context == entries.contexts.end()) {
    return Status::Error("there is no context " + access.context_name, where, "list them with kubectl config get-contexts");
  }
  access.cluster_name = StringMember(context->second.first, "cluster");
  access.user_name = StringMember(context->second.first, "user");
  access.namespace_name = StringMember(context->second.first, "namespace");
  auto cluster = entries.clusters.find(access.cluster_name);
  if (cluster == entries.clusters.end()) {
    return Status::Error("context " + access.context_name + " names the cluster " + access.cluster_name +
                             ", which is not defined",
                         where);
  }
  const json& c = cluster->second.first;
  access.server = StringMember(c, "server");
  if (Status parsed = ParseServerUrl(access.server, &access.host, &access.port); !parsed.ok()) return parsed;
  access.insecure_skip_tls_verify = Flag(c, "insecure-skip-tls-verify");
  access.tls_server_name = StringMember(c, "tls-server-name");
  if (Status ca = Pem(c, cluster->second.second, "certificate-authority", &access.ca_pem, where); !ca.ok()) return ca;
  auto user = entries.users.find(access.user_name);
  if (user != entries.users.end()) {
    const json& u = user->second.first;
    const std::string& directory = user->second.second;
    if (Status s = Pem(u, directory, "client-certificate", &access.client_certificate_pem, where); !s.ok()) return s;
    if (Status s = Pem(u, directory, "client-key", &access.client_key_pem, where); !s.ok()) return s;
    access.token = StringMember(u, "token");
    access.token_file = Resolve(StringMember(u, "tokenFile"), directory);
    if (u.contains("exec") && u["exec"].is_object()) {
      const json& e = u["exec"];
      access.has_exec = true;
      access.exec.api_version = StringMember(e, "apiVersion");
      access.exec.command = StringMember(e, "command");
      access.exec.install_hint = StringMember(e, "installHint");
      if (e.contains("args") && e["args"].is_array()) {
        for (const json& arg : e["args"]) {
          if (arg.is_string()) access.exec.args.push_back(arg.get<std::string>());
        }
      }
      if (e.contains("env") && e["env"].is_array()) {
        for (const json& var : e["env"]) access.exec.env.emplace_back(StringMember(var, "name"), StringMember(var, "value"));
      }
      if (access.exec.command.empty()) return Status::Error("the exec plugin of user " + access.user_name + " has no command", where);
    }
  }
  return access;
}

Result<ClusterAccess> InClusterAccess(const InClusterOptions& options) {
  if (options.host.empty() || options.port.empty()) {
    return Status::Error("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set", "",
                         "run --in-cluster from a pod, or use --kubeconfig");
  }
  ClusterAccess access;
  access.server = "https://" + JoinHostPort(options.host, options.port);
  if (Status parsed = ParseServerUrl(access.server, &access.host, &access.port); !parsed.ok()) return parsed;
  Result<std::string> ca = ReadTextFile(options.ca_file, 1u << 20);
  if (!ca.ok()) return ca.status();
  access.ca_pem = std::move(ca.value());
  access.token_file = options.token_file;
  access.cluster_name = "in-cluster";
  access.context_name = "in-cluster";
  return access;
}

Result<ClusterAccess> ResolveClusterAccess(const ClusterFlags& flags) {
  if (flags.in_cluster) {
    InClusterOptions paths = flags.in_cluster_paths;
    if (const char* host = std::getenv("KUBERNETES_SERVICE_HOST")) paths.host = host;
    if (const char* port = std::getenv("KUBERNETES_SERVICE_PORT")) paths.port = port;
    return InClusterAccess(paths);
  }
  const char* kubeconfig_env = std::getenv("KUBECONFIG");
  const char* home = std::getenv("HOME");
  return LoadKubeconfig(
      KubeconfigOptions{flags.kubeconfig, flags.context, kubeconfig_env ? kubeconfig_env : "", home ? home : ""});
}

}  // namespace keyward
