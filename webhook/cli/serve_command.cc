// `keyward serve`: command-line flags of the admission server.
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "webhook/cli/commands.h"
#include "webhook/cli/duration.h"
#include "webhook/observe/log.h"
#include "webhook/server/serve.h"

namespace keyward {
namespace {

struct ServeFlags {
  std::string policy;
  std::string certificate;
  std::string key;
  std::string listen = "0.0.0.0:8443";
  std::string metrics_listen = "0.0.0.0:8080";
  size_t threads = 512;
  std::string log_level = "info";
  std::string log_format = "json";
  std::string shutdown_delay = "5s";
  std::string read_timeout = "10s";
  std::string write_timeout = "10s";
  std::string request_timeout = "10s";
  std::string keep_alive_timeout = "90s";
  size_t keep_alive_max_requests = 1000;
  std::string reload_interval = "500ms";
  ClusterFlags cluster;
  std::string namespace_lookup_timeout = "2s";
};

Status ToOptions(const ServeFlags& flags, ServeOptions* options) {
  options->policy_path = flags.policy;
  options->certificate_path = flags.certificate;
  options->key_path = flags.key;
  std::chrono::milliseconds keep_alive{0};
  Status first_problem;
  auto check = [&first_problem](std::string_view flag, const Status& parsed) {
    if (first_problem.ok() && !parsed.ok()) first_problem = Status::Error(parsed.ToString(), std::string(flag));
  };
  ConnectionLimits& limits = options->admission.connections;
  check("--listen", ParseListenAddress(flags.listen, &options->admission.address));
  check("--metrics-listen", ParseListenAddress(flags.metrics_listen, &options->metrics_address));
  check("--shutdown-delay", ParseDuration(flags.shutdown_delay, &options->shutdown_delay));
  check("--read-timeout", ParseDuration(flags.read_timeout, &limits.read_timeout));
  check("--write-timeout", ParseDuration(flags.write_timeout, &limits.write_timeout));
  check("--request-timeout", ParseDuration(flags.request_timeout, &limits.request_timeout));
  check("--keep-alive-timeout", ParseDuration(flags.keep_alive_timeout, &keep_alive));
  check("--reload-interval", ParseDuration(flags.reload_interval, &options->reload_interval));
  check("--namespace-lookup-timeout", ParseDuration(flags.namespace_lookup_timeout, &options->namespace_lookup_timeout));
  if (!first_problem.ok()) return first_problem;
  if (limits.read_timeout.count() == 0 || limits.write_timeout.count() == 0) {
    return Status::Error("--read-timeout and --write-timeout must be positive: they bound how long a client may "
                         "keep a connection waiting");
  }
  if (limits.request_timeout.count() == 0) {
    return Status::Error("--request-timeout must be positive: it is the longest a client may take to send a request");
  }
  if (keep_alive < std::chrono::seconds(1)) return Status::Error("--keep-alive-timeout must be at least 1s (whole seconds)");
  if (options->reload_interval < std::chrono::milliseconds(10)) {
    return Status::Error("--reload-interval must be at least 10ms");
  }
  if (options->namespace_lookup_timeout < std::chrono::milliseconds(10)) {
    return Status::Error("--namespace-lookup-timeout must be at least 10ms");
  }
  if (flags.threads == 0) return Status::Error("--threads must be at least 1");
  if (flags.keep_alive_max_requests == 0) return Status::Error("--keep-alive-max-requests must be at least 1");
  const bool kubeconfig_given = !flags.cluster.kubeconfig.empty() || !flags.cluster.context.empty();
  if (flags.cluster.in_cluster && kubeconfig_given) {
    return Status::Error("give --in-cluster or --kubeconfig/--context, not both");
  }
  if (flags.cluster.in_cluster || kubeconfig_given) {
    Result<ClusterAccess> access = ResolveClusterAccess(flags.cluster);
    if (!access.ok()) return access.status();
    options->cluster = std::move(access.value());
  }
  limits.keep_alive_timeout = std::chrono::duration_cast<std::chrono::seconds>(keep_alive);
  limits.max_connections = flags.threads;
  limits.keep_alive_max_requests = flags.keep_alive_max_requests;
  return Status::Ok();
}

int RunServeCommand(const ServeFlags& flags) {
  LogFormat format;
  if (!ParseLogFormat(flags.log_format, &format)) {
    std::cerr << "keyward serve: --log-format must be json or text, not \"" << flags.log_format << "\"\n";
    return kExitUsage;
  }
  const auto level = spdlog::level::from_str(flags.log_level);
  if (level == spdlog::level::off && flags.log_level != "off") {
    std::cerr << "keyward serve: --log-level must be trace, debug, info, warn, error, critical or off\n";
    return kExitUsage;
  }
  ConfigureLogging(format, level);
  ServeOptions options;
  if (Status valid = ToOptions(flags, &options); !valid.ok()) {
    std::cerr << "keyward serve: " << valid.ToString() << "\n";
    return kExitUsage;
  }
  const ServeOutcome outcome = RunServer(options);
  FlushLogs();
  switch (outcome) {
    case ServeOutcome::kStopped:
      return kExitOk;
    case ServeOutcome::kCouldNotStart:
      return kExitUsage;
    case ServeOutcome::kFailedWhileRunning:
      break;
  }
  return 1;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the admission webhook: HTTPS /mutate and /validate, plus /healthz, /readyz and /metrics");
  serve->add_option("--policy", flags->policy, "KeyPolicy file; reloaded when it changes")->required();
  serve->add_option("--tls-cert", flags->certificate, "serving certificate chain (PEM); reloaded when it changes")
      ->required();
  serve->add_option("--tls-key", flags->key, "private key of the certificate (PEM); reloaded with it")->required();
  serve->add_option("--listen", flags->listen, "HTTPS address for the apiserver (host:port)")->capture_default_str();
  serve->add_option("--metrics-listen", flags->metrics_listen, "plain-HTTP address for probes and metrics")
      ->capture_default_str();
  serve->add_option("--threads", flags->threads,
                    "most connections read at once; more wait unread, their request deadline running")
      ->capture_default_str();
  serve->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off")->capture_default_str();
  serve->add_option("--log-format", flags->log_format, "json or text")->capture_default_str();
  serve->add_option("--shutdown-delay", flags->shutdown_delay,
                    "after SIGTERM, keep serving this long with /readyz failing")
      ->capture_default_str();
  serve->add_option("--read-timeout", flags->read_timeout, "longest wait for request bytes")->capture_default_str();
  serve->add_option("--write-timeout", flags->write_timeout, "longest wait to send response bytes")
      ->capture_default_str();
  serve->add_option("--request-timeout", flags->request_timeout,
                    "longest time to receive a whole request: the TLS handshake plus the request head plus the "
                    "body, from the accept (later requests on a connection: from their first byte); a connection "
                    "still sending at the deadline is closed without an answer")
      ->capture_default_str();
  serve->add_option("--keep-alive-timeout", flags->keep_alive_timeout,
                    "close a connection idle this long (whole seconds)")
      ->capture_default_str();
  serve->add_option("--keep-alive-max-requests", flags->keep_alive_max_requests,
                    "close a connection after this many requests, so load rebalances across replicas")
      ->capture_default_str();
  serve->add_option("--reload-interval", flags->reload_interval, "how often the policy and certificate files are checked")
      ->capture_default_str();
  serve->add_option("--kubeconfig", flags->cluster.kubeconfig,
                    "turn cluster context on: watch namespaces through this kubeconfig ($KUBECONFIG and "
                    "~/.kube/config are not read unless --kubeconfig or --context is given)");
  serve->add_option("--context", flags->cluster.context, "the kubeconfig context (else its current-context)");
  serve->add_flag("--in-cluster", flags->cluster.in_cluster,
                  "turn cluster context on from a pod: its service account, KUBERNETES_SERVICE_HOST/_PORT");
  serve->add_option("--in-cluster-token-file", flags->cluster.in_cluster_paths.token_file, "the service account token")
      ->capture_default_str();
  serve->add_option("--in-cluster-ca-file", flags->cluster.in_cluster_paths.ca_file, "the cluster CA")
      ->capture_default_str();
  serve->add_option("--namespace-lookup-timeout", flags->namespace_lookup_timeout,
                    "cluster context: the longest a request waits to read a namespace the cache has not seen")
      ->capture_default_str();
  serve->callback([flags, exit_code] { *exit_code = RunServeCommand(*flags); });
}

}  // namespace keyward
