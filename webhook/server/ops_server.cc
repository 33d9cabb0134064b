#include "webhook/server/ops_server.h"

#include <httplib.h>

#include "webhook/server/thread_pool.h"

namespace keyward {
namespace {

// Probes and scrapes are few: a handful of threads, gone when idle.
constexpr size_t kOpsMaxConnections = 16;
constexpr std::chrono::seconds kOpsIdleThreadLifetime{10};

}  // namespace

OpsServer::OpsServer(ListenAddress address, const ServerMetrics* metrics, std::function<std::string()> ready,
                     std::function<void()> before_metrics)
    : address_(std::move(address)),
      metrics_(metrics),
      ready_(std::move(ready)),
      before_metrics_(std::move(before_metrics)) {}

OpsServer::~OpsServer() = default;

Status OpsServer::Bind() {
  server_ = std::make_unique<httplib::Server>();
  server_->new_task_queue = [] { return new ElasticThreadPool(kOpsMaxConnections, kOpsIdleThreadLifetime); };
  server_->set_keep_alive_timeout(2);
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::string not_ready = ready_();
    if (not_ready.empty()) {
      res.set_content("ok\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content(not_ready + "\n", "text/plain");
    }
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    if (before_metrics_) before_metrics_();
    res.set_content(metrics_->Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  Result<int> port = BindServer(*server_, address_);
  if (!port.ok()) return port.status();
  port_ = port.value();
  return Status::Ok();
}

bool OpsServer::Serve() { return server_->listen_after_bind(); }

void OpsServer::Stop() {
  if (server_) server_->stop();
}

}  // namespace keyward
