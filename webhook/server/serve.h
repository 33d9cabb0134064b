// `keyward serve`: wires the stores, watchers, the cluster context and both
// servers together and runs them until SIGTERM or SIGINT.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "webhook/kube/kube_config.h"
#include "webhook/server/admission_server.h"
#include "webhook/server/listen_address.h"

namespace keyward {

struct ServeOptions {
  std::string policy_path;
  std::string certificate_path;
  std::string key_path;
  AdmissionServerOptions admission;  // admission.address is --listen
  ListenAddress metrics_address{"0.0.0.0", 8080};
  std::chrono::milliseconds shutdown_delay{5000};
  std::chrono::milliseconds reload_interval{500};
  // Cluster context (--kubeconfig/--context or --in-cluster): the server
  // watches Namespaces and decides with their labels and annotations. Unset:
  // off, decisions from names alone.
  std::optional<ClusterAccess> cluster;
  std::chrono::milliseconds namespace_lookup_timeout{2000};
};

enum class ServeOutcome {
  kStopped,              // a clean shutdown after SIGTERM or SIGINT
  kCouldNotStart,        // bad policy, certificate, key or address (logged)
  kFailedWhileRunning,   // a server stopped on its own (logged)
};

ServeOutcome RunServer(const ServeOptions& options);

}  // namespace keyward
