#include "webhook/cli/audit_report.h"

#include <cstdio>
#include <set>
#include <sstream>

#include "policy/base/text.h"
#include "policy/report/evidence.h"

namespace keyward {
namespace {

nlohmann::json ShareJson(const Share& share) {
  return {{"compliant", share.compliant},
          {"total", share.total},
          {"share", share.total == 0 ? nlohmann::json(nullptr)
                                     : nlohmann::json(static_cast<double>(share.compliant) / share.total)}};
}

nlohmann::json SharesJson(const std::map<std::string, Share>& shares) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, share] : shares) out[name] = ShareJson(share);
  return out;
}

nlohmann::json FindingJson(const TrackedFinding& f) {
  nlohmann::json out = {{"id", f.id},     {"tenant", f.tenant},   {"namespace", f.namespace_name},
                        {"kind", f.kind}, {"name", f.name},       {"path", f.path},
                        {"code", f.code}, {"message", f.message}, {"fix", f.fix},
                        {"firstSeen", f.first_seen}};
  if (f.fixed_at.empty()) {
    out["ageSeconds"] = f.age_seconds;
  } else {
    out["fixedAt"] = f.fixed_at;
    out["timeToRemediateSeconds"] = f.age_seconds;
  }
  return out;
}

nlohmann::json NotesJson(const std::vector<CompliantNote>& notes) {
  nlohmann::json out = nlohmann::json::array();
  for (const CompliantNote& note : notes) {
    out.push_back({{"path", note.path}, {"reason", note.reason}, {"flaggedBy", note.flagged_by}});
  }
  return out;
}

std::string StatusName(AuditStatus status) { return std::string(WordOf<AuditStatus>(kAuditStatusWords, status)); }

}  // namespace

std::vector<std::pair<std::string, std::string>> ControlsByFramework(std::string_view code) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ControlRef& ref : EvidenceFor(code)) {
    std::string control(ref.control);
    // The relation's gist ("related check (keyward is stricter)" -> "related check"); the summary has it whole.
    const std::string_view gist = ref.relation.substr(0, ref.relation.find(" ("));
    if (gist != "supports") control += " (" + std::string(gist) + ")";
    if (!out.empty() && out.back().first == ref.framework) {
      out.back().second += ", " + control;
    } else {
      out.emplace_back(std::string(ref.framework), std::move(control));
    }
  }
  return out;
}

std::string ControlsLine(std::string_view code) {
  std::vector<std::string> parts;
  for (const auto& [framework, controls] : ControlsByFramework(code)) parts.push_back(framework + " " + controls);
  return Join(parts, "; ");
}

std::string Percent(const Share& share) {
  if (share.total == 0) return "n/a";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * static_cast<double>(share.compliant) / share.total);
  return text;
}

std::string Duration(int64_t seconds) {
  if (seconds >= 86400) return std::to_string(seconds / 86400) + "d " + std::to_string(seconds % 86400 / 3600) + "h";
  if (seconds >= 3600) return std::to_string(seconds / 3600) + "h " + std::to_string(seconds % 3600 / 60) + "m";
  return std::to_string(seconds) + "s";
}

nlohmann::json AuditJson(const AuditRun& run) {
  const AuditSummary& s = run.summary;
  nlohmann::json summary = {{"objects", s.objects},
                            {"compliant", s.compliant},
                            {"noncompliant", s.noncompliant},
                            {"exempt", s.exempt},
                            {"unclaimed", s.unclaimed},
                            {"keys", ShareJson(s.keys)},
                            {"keysByKind", SharesJson(s.keys_by_kind)},
                            {"keysByTenant", SharesJson(s.keys_by_tenant)},
                            {"keysByNamespace", SharesJson(s.keys_by_namespace)},
                            {"noncompliantByWeek", s.noncompliant_by_week},
                            {"compliantWithoutKey", s.compliant_without_key}};
  if (s.has_baseline) {
    int64_t remediation = 0;
    for (const TrackedFinding& f : s.fixed) remediation += f.age_seconds;
    summary["baseline"] = {{"new", s.new_findings.size()},
                           {"fixed", s.fixed.size()},
                           {"open", s.open.size()},
                           {"meanTimeToRemediateSeconds",
                            s.fixed.empty() ? nlohmann::json(nullptr)
                                            : nlohmann::json(remediation / static_cast<int64_t>(s.fixed.size()))}};
  }
  nlohmann::json resources = nlohmann::json::array();
  std::set<std::string> codes;
  for (const AuditedObject& o : run.objects) {
    resources.push_back({{"group", o.group}, {"kind", o.kind}, {"namespace", o.namespace_name}, {"name", o.name},
                         {"tenant", o.tenant}, {"status", StatusName(o.status)}, {"created", o.created},
                         {"keyFields", o.key_fields}, {"source", o.source}, {"notes", NotesJson(o.notes)}});
    for (const AuditFinding& f : o.findings) codes.insert(f.violation.code);
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const TrackedFinding& f : s.open) findings.push_back(FindingJson(f));
  nlohmann::json fixed = nlohmann::json::array();
  for (const TrackedFinding& f : s.fixed) fixed.push_back(FindingJson(f));
  nlohmann::json fresh = nlohmann::json::array();
  for (const TrackedFinding& f : s.new_findings) fresh.push_back(f.id);
  nlohmann::json evidence = nlohmann::json::object();
  for (const std::string& code : codes) {
    nlohmann::json controls = nlohmann::json::array();
    for (const ControlRef& c : EvidenceFor(code)) {
      controls.push_back({{"framework", c.framework}, {"control", c.control}, {"relation", c.relation}});
    }
    evidence[code] = std::move(controls);
  }
  return {{"apiVersion", kAuditReportApiVersion},
          {"kind", kAuditReportKind},
          {"generatedAt", run.meta.generated_at},
          {"keywardVersion", run.meta.keyward_version},
          {"policy", {{"file", run.meta.policy_file}, {"sha256", run.meta.policy_sha256}}},
          {"inputs", run.meta.inputs},
          {"cluster", run.meta.cluster},
          {"context", run.meta.context},
          {"complete", run.meta.incomplete.empty()},
          {"incomplete", run.meta.incomplete},
          {"notInstalled", run.meta.not_installed},
          {"summary", std::move(summary)},
          {"evidence", std::move(evidence)},
          {"findings", std::move(findings)},
          {"newFindings", std::move(fresh)},
          {"fixedFindings", std::move(fixed)},
          {"resources", std::move(resources)}};
}

std::string AuditText(const AuditRun& run) {
  const AuditSummary& s = run.summary;
  std::ostringstream out;
  out << "keyward audit " << run.meta.generated_at << " (keyward " << run.meta.keyward_version << ", policy "
      << run.meta.policy_file << " sha256 " << run.meta.policy_sha256 << ")\n";
  out << s.objects << " objects: " << s.compliant << " compliant, " << s.noncompliant << " non-compliant, " << s.exempt
      << " exempt, " << s.unclaimed << " unclaimed\n";
  if (s.compliant_without_key > 0) {
    out << "compliant without a key where SageMaker refuses one: " << s.compliant_without_key << " (listed below)\n";
  }
  out << "on approved CMKs: " << Percent(s.keys) << " (" << s.keys.compliant << " of " << s.keys.total
      << " objects with key fields)\n";
  for (const auto& [kind, share] : s.keys_by_kind) out << "  " << kind << ": " << Percent(share) << "\n";
  for (const auto& [tenant, share] : s.keys_by_tenant) out << "  tenant " << tenant << ": " << Percent(share) << "\n";
  if (!s.noncompliant_by_week.empty()) {
    out << "non-compliant by week created:";
    for (const auto& [week, count] : s.noncompliant_by_week) out << " " << week << "=" << count;
    out << "\n";
  }
  if (s.has_baseline) {
    out << "against the baseline: " << s.new_findings.size() << " new, " << s.fixed.size() << " fixed, "
        << s.open.size() << " open\n";
    for (const TrackedFinding& f : s.fixed) out << "  fixed in " << Duration(f.age_seconds) << ": " << f.id << "\n";
  }
  for (const std::string& what : run.meta.incomplete) out << "INCOMPLETE: " << what << "\n";
  if (!run.meta.not_installed.empty()) {
    out << "not installed in the cluster:";
    for (const std::string& kind : run.meta.not_installed) out << " " << kind;
    out << "\n";
  }
  if (!s.open.empty()) out << "\nfindings:\n";
  for (const TrackedFinding& f : s.open) {
    // No tenant: a namespace two tenants claim (AmbiguousTenant).
    out << f.kind << " " << f.namespace_name << "/" << f.name << " ("
        << (f.tenant.empty() ? "no tenant" : "tenant " + f.tenant) << ", open " << Duration(f.age_seconds) << ")\n  " << f.code << " " << f.path << ": " << f.message << "\n  fix: " << f.fix
        << "\n  controls: " << ControlsLine(f.code) << "\n";
  }
  bool first_note = true;
  for (const AuditedObject& o : run.objects) {
    for (const CompliantNote& note : o.notes) {
      if (first_note) out << "\ncompliant without a key (SageMaker refuses one; the checks named will flag it):\n";
      first_note = false;
      out << o.kind << " " << o.namespace_name << "/" << o.name << " " << note.path << ": " << note.reason
          << "\n  flagged by: " << (note.flagged_by.empty() ? "no known check" : Join(note.flagged_by, ", "))
          << "\n";
    }
  }
  return out.str();
}

}  // namespace keyward
