// Where a Kubernetes API server is and how to authenticate to it, found as
// kubectl finds it: --kubeconfig, else $KUBECONFIG (a colon-separated list,
// merged as kubectl merges it: the first file to set a name wins, and the
// first current-context), else ~/.kube/config; the current context or
// --context. Or from inside a pod (the service account's token and CA, and
// KUBERNETES_SERVICE_HOST/_PORT).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "webhook/base/status.h"

namespace keyward {

// An exec credential plugin (client.authentication.k8s.io), e.g. the
// `aws eks get-token` of EKS kubeconfigs.
struct ExecPlugin {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;
};

struct ClusterAccess {
  std::string server;  // https://host:port
  std::string host;
  int port = 443;
  std::string tls_server_name;  // SNI and name checked, when it differs from host
  std::string ca_pem;           // empty: the system's trust store
  bool insecure_skip_tls_verify = false;
  std::string client_certificate_pem, client_key_pem;
  std::string token;       // a bearer token, or
  std::string token_file;  // read at each use (it rotates in pods)
  bool has_exec = false;
  ExecPlugin exec;
  std::string cluster_name, context_name, user_name;
  std::string namespace_name;  // the context's namespace, if any
};

struct KubeconfigOptions {
  std::string kubeconfig;  // --kubeconfig ("" = $KUBECONFIG or ~/.kube/config)
  std::string context;     // --context ("" = current-context)
  std::string kubeconfig_env;  // the value of $KUBECONFIG
  std::string home;            // $HOME
};

Result<ClusterAccess> LoadKubeconfig(const KubeconfigOptions& options);

struct InClusterOptions {
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string host;  // $KUBERNETES_SERVICE_HOST
  std::string port;  // $KUBERNETES_SERVICE_PORT
};

Result<ClusterAccess> InClusterAccess(const InClusterOptions& options);

// How a command names its cluster: --in-cluster (the pod's service
// account; the paths are for tests), else a kubeconfig (--kubeconfig,
// --context), with $KUBECONFIG and $HOME read from the environment.
struct ClusterFlags {
  std::string kubeconfig;
  std::string context;
  bool in_cluster = false;
  InClusterOptions in_cluster_paths;
};

Result<ClusterAccess> ResolveClusterAccess(const ClusterFlags& flags);

// Splits https://host:port (IPv6 in brackets) into host and port.
Status ParseServerUrl(const std::string& server, std::string* host, int* port);

}  // namespace keyward
