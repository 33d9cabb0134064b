// The audit report as Markdown, for a pull-request comment: the summary,
// the share by kind, the findings with their controls (folded), the fields
// compliant without a key, and every mapped control with its counts.
#include <map>
#include <sstream>

#include "policy/base/text.h"
#include "webhook/cli/audit_report.h"

namespace keyward {
namespace {

std::string MarkdownCell(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '|') escaped += "\\|";
    else if (c == '\n') escaped += ' ';
    else escaped += c;
  }
  return escaped;
}

// Key fields compliant without a key, and the AWS checks that disagree.
void MarkdownNotes(const AuditRun& run, std::ostringstream& out) {
  if (run.summary.keyless_fields == 0) return;
  out << "\n### Compliant without a key (" << run.summary.keyless_fields << ")\n\n"
      << "SageMaker refuses a customer key on these fields, so keyward counts them compliant; checks that only "
         "ask whether a key is set report them non-compliant.\n\n"
      << "| resource | field | reason | AWS checks that will flag it |\n|---|---|---|---|\n";
  for (const AuditedObject& o : run.objects) {
    for (const CompliantNote& note : o.notes) {
      out << "| " << MarkdownCell(o.kind + " " + o.namespace_name + "/" + o.name) << " | `" << MarkdownCell(note.path)
          << "` | " << MarkdownCell(note.reason) << " | "
          << MarkdownCell(note.flagged_by.empty() ? "none known" : Join(note.flagged_by, ", ")) << " |\n";
    }
  }
}

// Every mapped control with its findings, zero included: evidence that nothing fails counts too.
void MarkdownControls(const AuditSummary& s, std::ostringstream& out) {
  size_t failing = 0;
  for (const ControlTally& c : s.controls) failing += c.findings > 0 ? 1 : 0;
  out << "\n<details><summary>Framework controls: " << failing << " of " << s.controls.size()
      << " with findings</summary>\n\n| framework | control | relation | findings | objects |\n|---|---|---|---|---|\n";
  for (const ControlTally& c : s.controls) {
    out << "| " << MarkdownCell(c.framework) << " | " << MarkdownCell(c.control) << " | " << MarkdownCell(c.relation)
        << " | " << c.findings << " | " << c.objects << " |\n";
  }
  out << "\n</details>\n";
}

}  // namespace

std::string AuditMarkdown(const AuditRun& run) {
  const AuditSummary& s = run.summary;
  std::ostringstream out;
  out << "## keyward audit\n\n";
  out << "| | |\n|---|---|\n";
  out << "| objects | " << s.objects << " |\n| compliant | " << s.compliant << " |\n| non-compliant | " << s.noncompliant
      << " |\n| exempt | " << s.exempt << " |\n| unclaimed | " << s.unclaimed << " |\n| on approved CMKs | "
      << Percent(s.keys) << " (" << s.keys.compliant << "/" << s.keys.total << ") |\n";
  if (s.compliant_without_key > 0) out << "| compliant without a key | " << s.compliant_without_key << " |\n";
  if (s.has_baseline) {
    out << "| new / fixed / open | " << s.new_findings.size() << " / " << s.fixed.size() << " / " << s.open.size()
        << " |\n";
  }
  for (const std::string& what : run.meta.incomplete) out << "| **incomplete** | " << MarkdownCell(what) << " |\n";
  out << "\n| kind | on approved CMKs |\n|---|---|\n";
  for (const auto& [kind, share] : s.keys_by_kind) out << "| " << MarkdownCell(kind) << " | " << Percent(share) << " |\n";
  if (!s.open.empty()) {
    std::map<std::string, std::string> controls;  // code -> its controls on one line
    out << "\n<details><summary>" << s.open.size() << " findings</summary>\n\n";
    out << "| resource | code | field | fix | controls |\n|---|---|---|---|---|\n";
    for (const TrackedFinding& f : s.open) {
      auto [line, fresh] = controls.try_emplace(f.code);
      if (fresh) line->second = ControlsLine(f.code);
      out << "| " << MarkdownCell(f.kind + " " + f.namespace_name + "/" + f.name) << " | `" << f.code << "` | `"
          << MarkdownCell(f.path) << "` | " << MarkdownCell(f.fix) << " | " << MarkdownCell(line->second) << " |\n";
    }
    out << "\n</details>\n";
  }
  MarkdownNotes(run, out);
  MarkdownControls(s, out);
  out << "\n<sub>keyward " << run.meta.keyward_version << ", " << run.meta.generated_at << ", policy sha256 "
      << run.meta.policy_sha256 << "</sub>\n";
  return out.str();
}

}  // namespace keyward
