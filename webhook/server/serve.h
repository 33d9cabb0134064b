// `keyward serve`: wires the stores, watchers and both servers together and
// runs them until SIGTERM or SIGINT.
#pragma once

#include <chrono>
#include <string>

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
};

enum class ServeOutcome {
  kStopped,              // a clean shutdown after SIGTERM or SIGINT
  kCouldNotStart,        // bad policy, certificate, key or address (logged)
  kFailedWhileRunning,   // a server stopped on its own (logged)
};

ServeOutcome RunServer(const ServeOptions& options);

}  // namespace keyward
