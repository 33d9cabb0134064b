// `keyward serve`: wires the stores, watchers and both servers together and
// runs them until SIGTERM or SIGINT.
#pragma once

#include <chrono>
#include <string>

#include "webhook/admission_server.h"
#include "webhook/listen_address.h"

namespace keyward {

struct ServeOptions {
  std::string policy_path;
  std::string certificate_path;
  std::string key_path;
  AdmissionServerOptions admission;  // admission.address is --listen
  ListenAddress metrics_address{"0.0.0.0", 8080};
  std::chrono::milliseconds shutdown_delay{5000};
  std::chrono::milliseconds reload_interval{500};
};

// Returns the process exit status: 0 after a clean shutdown, 2 when the
// server cannot start (bad policy, certificate, key or address), 1 when a
// server failed while running.
int RunServer(const ServeOptions& options);

}  // namespace keyward
