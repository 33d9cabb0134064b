// Runs a kubeconfig's exec credential plugin (client.authentication.k8s.io
// v1 or v1beta1) and reads the ExecCredential it prints: a bearer token, or
// a client certificate and key. Bounded: 30 s and 1 MiB of output.
#pragma once

#include <string>

#include "webhook/base/status.h"
#include "webhook/kube/kube_config.h"

namespace keyward {

struct ExecCredential {
  std::string token;
  std::string client_certificate_pem, client_key_pem;
};

Result<ExecCredential> RunExecPlugin(const ExecPlugin& plugin);

}  // namespace keyward
