// The metrics keyward exports, with label values drawn from bounded sets:
// kinds from the catalog (else "other"), the fixed violation codes, the two
// key purposes. Namespaces and names never become labels; they go to the log.
//
// Thread safety: once constructed, every method may be called from any
// thread at once (the event loops count requests while the ops server
// renders).
#pragma once

#include <string>
#include <string_view>

#include "policy/catalog/catalog.h"
#include "webhook/admission/namespace_source.h"
#include "webhook/observe/metrics.h"

namespace keyward {

// The kind label for (group, kind): the kind when catalogued, else "other".
std::string_view KindLabel(std::string_view group, std::string_view kind);

class ServerMetrics {
 public:
  ServerMetrics();

  // webhook: "mutate" or "validate"; operation: CREATE.. or "unknown";
  // decision: see admission_handler.h.
  void CountAdmission(std::string_view webhook, std::string_view kind_label, std::string_view operation,
                      std::string_view decision, double seconds);
  void CountInjection(std::string_view kind_label, KeyPurpose purpose);
  void CountViolation(std::string_view kind_label, std::string_view code);
  void CountPolicyReload(bool success);
  void SetPolicyLoadTime(double unix_seconds);  // the serving policy's, startup included
  void CountCertificateReload(bool success);
  void SetCertificateExpiry(double unix_seconds);
  // Cluster context (set only when it is on).
  void CountNamespaceLookup(LookupSource source);
  void SetNamespaceCache(bool synced, double staleness_seconds, size_t namespaces);

  std::string Render() const { return registry_.Render(); }

 private:
  MetricsRegistry registry_;
  Family<Counter>& requests_;
  Family<Histogram>& duration_;
  Family<Counter>& injected_keys_;
  Family<Counter>& violations_;
  Family<Counter>& policy_reloads_;
  Family<Gauge>& policy_last_success_;
  Family<Counter>& certificate_reloads_;
  Family<Gauge>& certificate_expiry_;
  Family<Gauge>& build_info_;
  Family<Counter>& namespace_lookups_;
  Family<Gauge>& namespace_synced_;
  Family<Gauge>& namespace_staleness_;
  Family<Gauge>& namespaces_cached_;
};

}  // namespace keyward
