#include "webhook/server/server_metrics.h"

#include "policy/catalog/catalog.h"
#include "policy/catalog/violation_codes.h"

namespace keyward {
namespace {

// Admission latency is sub-millisecond when healthy; the apiserver's default
// webhook timeout is 10 s.
std::vector<double> DurationBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
}

std::string_view ViolationCodeLabel(std::string_view code) {
  const ViolationCode* row = FindViolationCode(code);
  return row != nullptr ? row->code : std::string_view("other");
}

}  // namespace

std::string_view KindLabel(std::string_view group, std::string_view kind) {
  const CatalogKind* entry = FindCatalogKind(group, kind);
  return entry != nullptr ? entry->kind : std::string_view("other");
}

ServerMetrics::ServerMetrics()
    : requests_(registry_.AddCounter("keyward_admission_requests_total",
                                     "Admission reviews answered, by webhook, kind, operation and decision.",
                                     {"webhook", "kind", "operation", "decision"})),
      duration_(registry_.AddHistogram("keyward_admission_duration_seconds",
                                       "Time from receiving a review body to having its answer, by webhook.",
                                       {"webhook"}, DurationBuckets())),
      injected_keys_(registry_.AddCounter("keyward_injected_keys_total",
                                          "KMS key fields filled by the mutating webhook, by kind and purpose.",
                                          {"kind", "purpose"})),
      violations_(registry_.AddCounter("keyward_violations_total",
                                       "Violations found by the validating webhook, by kind and code.",
                                       {"kind", "code"})),
      policy_reloads_(registry_.AddCounter("keyward_policy_reloads_total",
                                           "Policy file loads after startup, by result (success or failure).",
                                           {"result"})),
      policy_last_success_(registry_.AddGauge("keyward_policy_last_reload_success_timestamp_seconds",
                                              "Unix time the serving policy was loaded.", {})),
      certificate_reloads_(registry_.AddCounter(
          "keyward_tls_certificate_reloads_total",
          "Serving certificate and key loads after startup, by result (success or failure).", {"result"})),
      certificate_expiry_(registry_.AddGauge("keyward_tls_certificate_expiry_timestamp_seconds",
                                             "Unix time the serving certificate expires (its notAfter).", {})),
      build_info_(registry_.AddGauge("keyward_build_info", "Always 1; the version label names the build.",
                                     {"version"})),
      namespace_lookups_(registry_.AddCounter(
          "keyward_namespace_lookups_total",
          "Cluster context: requests' namespaces, by how they were learnt (cache, fetched with a GET, or "
          "unavailable: the request was denied, asking to retry).",
          {"result"})),
      namespace_synced_(registry_.AddGauge("keyward_namespace_cache_synced",
                                           "Cluster context: 1 once the namespaces were listed, else 0.", {})),
      namespace_staleness_(registry_.AddGauge(
          "keyward_namespace_cache_staleness_seconds",
          "Cluster context: seconds since the namespace watch last heard from the API server (since the start, "
          "before it ever has). Bookmarks keep it under about a minute on a healthy cluster.",
          {})),
      namespaces_cached_(registry_.AddGauge("keyward_namespaces_cached",
                                            "Cluster context: namespaces in the cache.", {})) {
  for (const char* webhook : {"mutate", "validate"}) duration_.With({webhook});
  for (const char* result : {"success", "failure"}) {
    policy_reloads_.With({result});
    certificate_reloads_.With({result});
  }
  build_info_.With({KEYWARD_VERSION}).Set(1);
}

void ServerMetrics::CountAdmission(std::string_view webhook, std::string_view kind_label,
                                   std::string_view operation, std::string_view decision, double seconds) {
  requests_.With({webhook, kind_label, operation, decision}).Increment();
  duration_.With({webhook}).Observe(seconds);
}

void ServerMetrics::CountInjection(std::string_view kind_label, KeyPurpose purpose) {
  injected_keys_.With({kind_label, KeyPurposeName(purpose)}).Increment();
}

void ServerMetrics::CountViolation(std::string_view kind_label, std::string_view code) {
  violations_.With({kind_label, ViolationCodeLabel(code)}).Increment();
}

void ServerMetrics::CountPolicyReload(bool success) {
  policy_reloads_.With({success ? "success" : "failure"}).Increment();
}

void ServerMetrics::SetPolicyLoadTime(double unix_seconds) { policy_last_success_.With({}).Set(unix_seconds); }

void ServerMetrics::CountCertificateReload(bool success) {
  certificate_reloads_.With({success ? "success" : "failure"}).Increment();
}

void ServerMetrics::SetCertificateExpiry(double unix_seconds) { certificate_expiry_.With({}).Set(unix_seconds); }

void ServerMetrics::CountNamespaceLookup(LookupSource source) {
  namespace_lookups_.With({LookupSourceName(source)}).Increment();
}

void ServerMetrics::SetNamespaceCache(bool synced, double staleness_seconds, size_t namespaces) {
  namespace_synced_.With({}).Set(synced ? 1 : 0);
  namespace_staleness_.With({}).Set(staleness_seconds);
  namespaces_cached_.With({}).Set(static_cast<double>(namespaces));
}

}  // namespace keyward
