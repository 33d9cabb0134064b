// The audit report in its formats. One AuditRun (what was read, judged and
// counted by policy/report/audit.h) renders as text, JSON (the documented schema,
// also the --baseline format), Markdown, HTML, and PolicyReport/OpenReports
// YAML.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/report/audit.h"

namespace keyward {

struct AuditMeta {
  std::string generated_at;  // RFC 3339
  std::string keyward_version;
  std::string policy_file;
  std::string policy_sha256;
  std::vector<std::string> inputs;  // files read (file mode)
  std::string cluster, context;     // live mode
  std::vector<std::string> incomplete;  // what could not be listed (live mode), with why
  std::vector<std::string> not_installed;  // catalog kinds the cluster does not serve (live mode)
};

struct AuditRun {
  AuditMeta meta;
  std::vector<AuditedObject> objects;
  AuditSummary summary;
};

inline constexpr std::string_view kAuditReportApiVersion = "keyward.dev/v1alpha1";
inline constexpr std::string_view kAuditReportKind = "AuditReport";

nlohmann::json AuditJson(const AuditRun& run);
std::string AuditText(const AuditRun& run);
std::string AuditMarkdown(const AuditRun& run);  // audit_markdown.cc
std::string AuditHtml(const AuditRun& run);  // audit_html.cc
// One PolicyReport per namespace and a ClusterPolicyReport summary
// (wgpolicyk8s.io/v1alpha2), or the same as openreports.io/v1alpha1 Report
// and ClusterReport: YAML documents for `kubectl apply -f -`.
std::string AuditPolicyReports(const AuditRun& run, bool openreports);  // audit_policyreport.cc

// The controls a code maps to (policy/report/evidence.h), one entry per
// framework in table order: {"PCI DSS v4.0.1", "3.5.1 (contributes to), 3.6.1, 3.7"}.
// A relation other than "supports" follows its control in parentheses, in
// short: "(contributes to)", "(related check)".
std::vector<std::pair<std::string, std::string>> ControlsByFramework(std::string_view code);
// The same on one line: "SOC 2 CC6.1; PCI DSS v4.0.1 3.5.1 (contributes to), 3.6.1, 3.7; ...".
std::string ControlsLine(std::string_view code);
// "87.5%" (or "n/a" with nothing to count).
std::string Percent(const Share& share);
// "3d 4h", "5h 2m", "40s".
std::string Duration(int64_t seconds);

}  // namespace keyward
