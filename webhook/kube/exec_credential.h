// Runs a kubeconfig's exec credential plugin (client.authentication.k8s.io
// v1 or v1beta1) and reads the ExecCredential it prints: a bearer token, or
// a client certificate and key. Bounded: 30 s and 1 MiB of output.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/base/status.h"
#include "webhook/kube/kube_config.h"

namespace keyward {

struct ExecCredential {
  std::string token;
  std::string client_certificate_pem, client_key_pem;
  // status.expirationTimestamp (RFC 3339), when the plugin gives one: EKS
  // tokens last 15 minutes, and a watch outlives that.
  std::optional<std::chrono::system_clock::time_point> expires;
};

Result<ExecCredential> RunExecPlugin(const ExecPlugin& plugin);

// "2026-12-06T21:00:00Z" (fractional seconds and an offset allowed) as a
// time point; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

}  // namespace keyward
