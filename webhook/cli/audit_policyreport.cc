// The audit as PolicyReports (wgpolicyk8s.io/v1alpha2, what Kyverno and
// Policy Reporter read) or OpenReports (openreports.io/v1alpha1): one
// report per namespace with a result per finding (and a pass per compliant
// object), and a cluster-scoped summary with the share on approved CMKs per
// kind. Valid against the CRDs in tests/fixtures/policy-reports/. Results
// carry string properties: a finding's field path, fix, tenant and one
// property per framework naming the controls its code maps to; a pass of an
// object compliant without a key names those fields, why, and the checks
// that will flag them.
#include <algorithm>
#include <map>

#include "policy/report/audit.h"
#include "policy/catalog/violation_codes.h"
#include "policy/base/text.h"
#include "webhook/cli/audit_report.h"
#include "webhook/cli/json_to_yaml.h"

namespace keyward {
namespace {

constexpr std::string_view kPolicy = "keyward";
constexpr std::string_view kReportName = "keyward-audit";

std::string_view Category(std::string_view code) {
  const ViolationCode* row = FindViolationCode(code);
  return row != nullptr ? row->category : std::string_view("Encryption");
}

std::string_view Severity(std::string_view code) {
  const ViolationCode* row = FindViolationCode(code);
  return row != nullptr ? row->severity : std::string_view("high");
}

nlohmann::json Reference(const AuditedObject& o) {
  return {{"apiVersion", o.group + "/" + o.version}, {"kind", o.kind}, {"namespace", o.namespace_name}, {"name", o.name}};
}

struct Report {
  nlohmann::json results = nlohmann::json::array();
  std::map<std::string, int> summary = {{"pass", 0}, {"fail", 0}, {"warn", 0}, {"error", 0}, {"skip", 0}};

  void Add(nlohmann::json result) {
    ++summary[result["result"].get<std::string>()];
    results.push_back(std::move(result));
  }
};

// "; compliant without a key at spec.kmsKeyID: local storage is ... (AWS Config ... will flag it)".
std::string KeylessMessage(const std::vector<CompliantNote>& notes) {
  std::string out;
  for (const CompliantNote& note : notes) {
    out += "; compliant without a key at " + note.path + ": " + note.reason;
    if (!note.flagged_by.empty()) out += " (" + Join(note.flagged_by, ", ") + " will flag it)";
  }
  return out;
}

// The fields compliant without a key, why, and the checks that disagree, as string properties.
nlohmann::json KeylessProperties(const AuditedObject& o) {
  std::vector<std::string> paths, reasons, checks;
  for (const CompliantNote& note : o.notes) {
    paths.push_back(note.path);
    reasons.push_back(note.path + ": " + note.reason);
    for (const std::string& check : note.flagged_by) {
      if (std::find(checks.begin(), checks.end(), check) == checks.end()) checks.push_back(check);
    }
  }
  return {{"tenant", o.tenant},
          {"compliantWithoutKey", Join(paths, ", ")},
          {"reason", Join(reasons, "; ")},
          {"flaggedBy", Join(checks, ", ")}};
}

}  // namespace

std::string AuditPolicyReports(const AuditRun& run, bool openreports) {
  const int64_t seconds = ParseRfc3339(run.meta.generated_at).value_or(0);
  const nlohmann::json timestamp = {{"seconds", seconds}, {"nanos", 0}};
  std::map<std::string, Report> by_namespace;
  for (const AuditedObject& o : run.objects) {
    Report& report = by_namespace[o.namespace_name.empty() ? "default" : o.namespace_name];
    nlohmann::json base = {{"policy", kPolicy}, {"source", kPolicy}, {"timestamp", timestamp},
                           {"resources", nlohmann::json::array({Reference(o)})}};
    switch (o.status) {
      case AuditStatus::kCompliant: {
        nlohmann::json result = base;
        result["rule"] = "tenant-policy";
        result["result"] = "pass";
        result["message"] = "every key, role and guardrail is in the policy of tenant " + o.tenant;
        if (!o.notes.empty()) {
          result["message"] = result["message"].get<std::string>() + KeylessMessage(o.notes);
          result["properties"] = KeylessProperties(o);
        }
        report.Add(std::move(result));
        break;
      }
      case AuditStatus::kExempt:
      case AuditStatus::kUnclaimed: {
        nlohmann::json result = base;
        result["rule"] = "tenant-policy";
        result["result"] = "skip";
        result["message"] = o.status == AuditStatus::kExempt ? "the namespace is exempt from the policy"
                                                             : "no tenant claims the namespace";
        report.Add(std::move(result));
        break;
      }
      case AuditStatus::kNonCompliant:
        for (const AuditFinding& f : o.findings) {
          nlohmann::json result = base;
          result["rule"] = f.violation.code;
          result["result"] = f.violation.enforcement == Enforcement::kWarn ? "warn" : "fail";
          result["severity"] = Severity(f.violation.code);
          result["category"] = Category(f.violation.code);
          result["scored"] = true;
          result["message"] = f.violation.path + ": " + f.violation.message;
          result["properties"] = {{"fieldPath", f.violation.path}, {"fix", f.fix}, {"tenant", o.tenant}};
          // One property per framework: {"SOC 2": "CC6.1", "PCI DSS v4.0.1": "3.5.1 (contributes to), 3.6.1, 3.7", ...}.
          for (const auto& [framework, controls] : ControlsByFramework(f.violation.code)) {
            result["properties"][framework] = controls;
          }
          report.Add(std::move(result));
        }
        break;
    }
  }
  const std::string api_version = openreports ? "openreports.io/v1alpha1" : "wgpolicyk8s.io/v1alpha2";
  const nlohmann::json labels = {{"app.kubernetes.io/managed-by", "keyward"}};
  std::string out;
  auto emit = [&](nlohmann::json document) {
    if (openreports) document["source"] = kPolicy;
    out += "---\n" + JsonToYaml(document);
  };
  for (auto& [ns, report] : by_namespace) {
    emit({{"apiVersion", api_version},
          {"kind", openreports ? "Report" : "PolicyReport"},
          {"metadata", {{"name", kReportName}, {"namespace", ns}, {"labels", labels}}},
          {"summary", report.summary},
          {"results", std::move(report.results)}});
  }
  Report cluster;
  for (const auto& [kind, share] : run.summary.keys_by_kind) {
    cluster.Add({{"policy", kPolicy},
                 {"rule", "approved-cmk-share"},
                 {"source", kPolicy},
                 {"timestamp", timestamp},
                 {"result", share.compliant == share.total ? "pass" : "fail"},
                 {"category", "Encryption"},
                 {"message", Percent(share) + " of " + kind + " objects (" + std::to_string(share.compliant) + " of " +
                                 std::to_string(share.total) + ") use approved customer-managed keys"},
                 {"properties", {{"kind", kind}, {"compliant", std::to_string(share.compliant)},
                                 {"total", std::to_string(share.total)}}}});
  }
  emit({{"apiVersion", api_version},
        {"kind", openreports ? "ClusterReport" : "ClusterPolicyReport"},
        {"metadata", {{"name", std::string(kReportName) + "-summary"}, {"labels", labels}}},
        {"summary", cluster.summary},
        {"results", std::move(cluster.results)}});
  return out;
}

}  // namespace keyward
