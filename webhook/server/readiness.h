// What /readyz answers: ready only when every request would be decided on
// a good snapshot: the policy and the serving certificate loaded (the
// stores hold one), the namespaces listed once when the cluster context is
// on, and the server not shutting down.
#pragma once

#include <atomic>
#include <string>

#include "webhook/kube/cluster_context.h"
#include "webhook/server/policy_store.h"
#include "webhook/server/tls_credentials.h"

namespace keyward {

struct ReadinessSources {
  const std::atomic<bool>* draining = nullptr;
  const PolicyStore* policies = nullptr;
  const CredentialStore* credentials = nullptr;
  const ClusterContext* cluster = nullptr;  // null when the cluster context is off
};

// Empty when ready, else why not (one line, for the probe's body and the
// operator). Any thread.
std::string NotReadyBecause(const ReadinessSources& sources);

}  // namespace keyward
