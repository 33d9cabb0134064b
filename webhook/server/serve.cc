#include "webhook/server/serve.h"

#include <signal.h>

#include <atomic>
#include <thread>

#include "webhook/base/host_port.h"
#include "webhook/kube/cluster_context.h"
#include "webhook/observe/log.h"
#include "webhook/server/admission_handler.h"
#include "webhook/server/file_watcher.h"
#include "webhook/server/ops_server.h"
#include "webhook/server/policy_store.h"
#include "webhook/server/readiness.h"
#include "webhook/server/server_metrics.h"
#include "webhook/server/shutdown_signals.h"
#include "webhook/server/tls_credentials.h"

namespace keyward {
namespace {

ServeOutcome StartupFailure(std::string_view what, const Status& error) {
  LogLine(what).Add("error", error.ToString()).Error();
  return ServeOutcome::kCouldNotStart;
}

}  // namespace

ServeOutcome RunServer(const ServeOptions& options) {
  BlockShutdownSignals();
  ServerMetrics metrics;
  PolicyStore policies(options.policy_path, &metrics);
  CredentialStore credentials(options.certificate_path, options.key_path, &metrics);

  // Watch before loading: a change racing the first load is then seen too.
  FileWatcher watcher(options.reload_interval);
  watcher.Watch({options.policy_path}, [&policies] { policies.Reload(); });
  watcher.Watch({options.certificate_path, options.key_path}, [&credentials] { credentials.Reload(); });

  if (Status loaded = policies.LoadInitial(); !loaded.ok()) {
    return StartupFailure("cannot start: the policy did not load", loaded);
  }
  if (Status loaded = credentials.LoadInitial(); !loaded.ok()) {
    return StartupFailure("cannot start: the serving certificate and key did not load", loaded);
  }

  std::unique_ptr<ClusterContext> cluster;
  if (options.cluster) {
    ClusterContextOptions context_options;
    context_options.lookup_timeout = options.namespace_lookup_timeout;
    Result<std::unique_ptr<ClusterContext>> connected = ClusterContext::Connect(*options.cluster, context_options);
    if (!connected.ok()) return StartupFailure("cannot start: the cluster context could not be set up", connected.status());
    cluster = std::move(connected.value());
  }

  std::atomic<bool> draining{false};
  AdmissionHandler handler(&policies, &metrics, cluster.get());
  AdmissionServer admission(options.admission, &credentials, &handler, &draining);
  OpsServer ops(
      options.metrics_address, &metrics,
      [sources = ReadinessSources{&draining, &policies, &credentials, cluster.get()}] {
        return NotReadyBecause(sources);
      },
      [&metrics, &cluster] {
        if (cluster) metrics.SetNamespaceCache(cluster->synced(), cluster->StalenessSeconds(), cluster->namespaces());
      });
  if (Status bound = admission.Bind(); !bound.ok()) return StartupFailure("cannot start the admission server", bound);
  if (Status bound = ops.Bind(); !bound.ok()) return StartupFailure("cannot start the metrics server", bound);

  watcher.Start();
  if (cluster) {
    LogLine("cluster context on: listing and watching namespaces")
        .Add("server", options.cluster->server)
        .Add("context", options.cluster->context_name)
        .Info();
    cluster->Start();
  }
  std::atomic<bool> failed{false};
  auto serve = [&failed](auto& server, std::string_view name) {
    return std::thread([&failed, &server, name] {
      if (!server.Serve()) {
        LogLine("server stopped unexpectedly").Add("server", name).Error();
        failed = true;
        RequestShutdown();
      }
    });
  };
  std::thread admission_thread = serve(admission, "admission");
  std::thread ops_thread = serve(ops, "metrics");
  LogLine("serving")
      .Add("admission_address", JoinHostPort(options.admission.address.host, std::to_string(admission.port())))
      .Add("admission_port", admission.port())
      .Add("metrics_address", JoinHostPort(options.metrics_address.host, std::to_string(ops.port())))
      .Add("metrics_port", ops.port())
      .Add("version", KEYWARD_VERSION)
      .Info();

  const int signal_number = WaitForShutdownSignal(std::nullopt);
  draining = true;
  if (!failed) {
    LogLine("shutting down: readiness fails now; still serving for the shutdown delay")
        .Add("signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM")
        .Add("shutdown_delay_ms", static_cast<int64_t>(options.shutdown_delay.count()))
        .Info();
    if (WaitForShutdownSignal(options.shutdown_delay) != 0) {
      LogLine("second signal: skipping the rest of the shutdown delay").Info();
    }
  }
  LogLine("closing the listeners; finishing requests in flight").Info();
  admission.Stop();
  admission_thread.join();
  ops.Stop();
  ops_thread.join();
  watcher.Stop();
  if (cluster) cluster->Stop();
  LogLine("stopped").Info();
  return failed ? ServeOutcome::kFailedWhileRunning : ServeOutcome::kStopped;
}

}  // namespace keyward
