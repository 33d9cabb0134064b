// Runs a rendered Deployment's keyward container on this machine the way
// the kubelet would: its ConfigMap and Secret volumes written out as files,
// its own arguments (mount paths moved under a temporary root, listen
// addresses moved to free 127.0.0.1 ports), its probes polled over HTTP.
// There is no pod service account or API server here, so it runs without the
// cluster context: `--in-cluster` is left out, as with
// clusterContext.enabled=false (chart_cluster_context_test.cc checks the
// chart's side of it).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "tests/chart/chart_support.h"
#include "tests/support/keyward_process.h"

namespace keyward::testing {

class LocalInstall {
 public:
  LocalInstall(const Objects& objects, std::string_view deployment_name);

  // Polls the readiness probe until it answers 200; false after `timeout`.
  bool WaitUntilReady(std::chrono::seconds timeout);
  // HTTP status of GET `path` on the probe port (0: no answer).
  int ProbeStatus(const std::string& path);
  const std::string& readiness_path() const { return readiness_path_; }
  const std::string& liveness_path() const { return liveness_path_; }
  int webhook_port() const { return webhook_port_; }
  // SIGTERM, as the kubelet sends it; the exit code, or -1 when keyward was
  // still running after the pod's terminationGracePeriodSeconds.
  int Terminate();
  std::string Log() const;

 private:
  void WriteVolumes(const Objects& objects, const YAML::Node& pod, const YAML::Node& container);

  TempDir root_;
  int webhook_port_ = 0;
  int probe_port_ = 0;
  int grace_period_seconds_ = 30;
  std::string readiness_path_, liveness_path_;
  std::unique_ptr<KeywardProcess> process_;
};

// Starts the Deployment `name` of `objects` locally and checks it as the
// kubelet and the apiserver would use it: both probes answer 200, the TLS
// handshake succeeds with the ValidatingWebhookConfiguration's caBundle for
// `service_host` (and fails for another name), and SIGTERM ends it with exit
// code 0 within the grace period.
void ExpectServesWhatTheApiserverTrusts(const Objects& objects, const std::string& name,
                                        const std::string& service_host);

}  // namespace keyward::testing
