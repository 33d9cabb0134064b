// The server's side of one admission request: takes the current policy,
// runs the admission pipeline (admission/admit.h), and records the outcome
// in the metrics and the log. The decision itself is made in Admit.
//
// Thread safety: Handle() may be called from any thread at once (every
// event loop of the admission server calls it); it keeps no state of its
// own, and the policy store and the metrics it uses are safe to share.
#pragma once

#include <string>
#include <string_view>

#include "webhook/admission/admit.h"
#include "webhook/kube/cluster_context.h"
#include "webhook/server/policy_store.h"
#include "webhook/server/server_metrics.h"

namespace keyward {

struct HttpReply {
  int status = 200;
  std::string body;  // always JSON
};

class AdmissionHandler {
 public:
  // `cluster`: the cluster context, or null when it is off.
  AdmissionHandler(const PolicyStore* policies, ServerMetrics* metrics, const ClusterContext* cluster = nullptr)
      : policies_(policies), metrics_(metrics), cluster_(cluster) {}

  HttpReply Handle(Webhook webhook, std::string_view content_type, std::string_view body) const;

 private:
  const PolicyStore* policies_;
  ServerMetrics* metrics_;
  const ClusterContext* cluster_;
};

}  // namespace keyward
