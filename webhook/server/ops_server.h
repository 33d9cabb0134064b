// The plain-HTTP operations port: GET /healthz (the process answers),
// GET /readyz (policy and certificate loaded, the namespaces listed when
// cluster context is on, not shutting down) and
// GET /metrics (Prometheus text format).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "webhook/server/listen_address.h"
#include "webhook/server/server_metrics.h"

namespace httplib {
class Server;
}

#include "webhook/base/status.h"

namespace keyward {

class OpsServer {
 public:
  // `ready` returns an empty string when ready, else why not.
  // `before_metrics` (if set) runs before each scrape, to set the gauges
  // read from elsewhere (the namespace cache's staleness).
  OpsServer(ListenAddress address, const ServerMetrics* metrics, std::function<std::string()> ready,
            std::function<void()> before_metrics = {});
  ~OpsServer();

  Status Bind();
  int port() const { return port_; }
  bool Serve();
  void Stop();

 private:
  ListenAddress address_;
  const ServerMetrics* metrics_;
  std::function<std::string()> ready_;
  std::function<void()> before_metrics_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = -1;
};

}  // namespace keyward
