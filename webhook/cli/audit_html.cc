// The audit report as one self-contained HTML page: no external script,
// font, style sheet or image; inline SVG charts; a findings table people
// can sort and filter; readable when printed.
#include <sstream>

#include "webhook/cli/audit_report.h"

namespace keyward {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

constexpr std::string_view kStyle = R"(body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3;cursor:pointer}.kpi{display:inline-block;margin-right:2em}.kpi b{font-size:1.6em;display:block}
.bad{color:#b00020}.ok{color:#1b5e20}svg text{font-size:11px;font-family:system-ui,sans-serif}
input{margin:.5em 0;padding:4px;width:30em}
@media print{input,.noprint{display:none}body{margin:0}th{cursor:auto}tr{page-break-inside:avoid}})";

constexpr std::string_view kScript = R"(function sortBy(th){const table=th.closest('table');const i=[...th.parentNode.children].indexOf(th);
const rows=[...table.tBodies[0].rows];const asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
rows.sort((a,b)=>{const x=a.cells[i].innerText,y=b.cells[i].innerText;return (asc?1:-1)*x.localeCompare(y,undefined,{numeric:true});});
rows.forEach(r=>table.tBodies[0].appendChild(r));}
function filterRows(input){const q=input.value.toLowerCase();for(const r of document.getElementById('findings').tBodies[0].rows){
r.style.display=r.innerText.toLowerCase().includes(q)?'':'none';}})";

// Horizontal bars: the share of objects on approved CMKs per label.
std::string ShareChart(const std::string& id, const std::map<std::string, Share>& shares) {
  const int row = 20, label = 220, width = 300;
  std::ostringstream svg;
  svg << "<svg id=\"" << id << "\" role=\"img\" width=\"" << label + width + 70 << "\" height=\""
      << row * std::max<size_t>(shares.size(), 1) + 4 << "\">";
  int y = 0;
  for (const auto& [name, share] : shares) {
    const double fraction = share.total == 0 ? 0 : static_cast<double>(share.compliant) / share.total;
    svg << "<text x=\"0\" y=\"" << y + 14 << "\">" << Escape(name) << "</text>"
        << "<rect x=\"" << label << "\" y=\"" << y + 3 << "\" width=\"" << width << "\" height=\"14\" fill=\"#f4c7c3\"/>"
        << "<rect x=\"" << label << "\" y=\"" << y + 3 << "\" width=\"" << static_cast<int>(fraction * width)
        << "\" height=\"14\" fill=\"#4caf50\"><title>" << share.compliant << " of " << share.total << "</title></rect>"
        << "<text x=\"" << label + width + 6 << "\" y=\"" << y + 14 << "\">" << Percent(share) << "</text>";
    y += row;
  }
  svg << "</svg>";
  return svg.str();
}

// Vertical bars: non-compliant objects per ISO week created.
std::string WeekChart(const std::map<std::string, size_t>& weeks) {
  size_t most = 1;
  for (const auto& [week, count] : weeks) most = std::max(most, count);
  const int bar = 36, height = 120;
  std::ostringstream svg;
  svg << "<svg id=\"weeks\" role=\"img\" width=\"" << bar * std::max<size_t>(weeks.size(), 1) + 10 << "\" height=\""
      << height + 40 << "\">";
  int x = 0;
  for (const auto& [week, count] : weeks) {
    const int h = static_cast<int>(static_cast<double>(count) / most * height);
    svg << "<rect x=\"" << x + 4 << "\" y=\"" << height - h + 14 << "\" width=\"" << bar - 8 << "\" height=\"" << h
        << "\" fill=\"#e57373\"><title>" << Escape(week) << ": " << count << "</title></rect>"
        << "<text x=\"" << x + 4 << "\" y=\"" << height - h + 10 << "\">" << count << "</text>"
        << "<text x=\"" << x << "\" y=\"" << height + 30 << "\" font-size=\"9\">" << Escape(week) << "</text>";
    x += bar;
  }
  svg << "</svg>";
  return svg.str();
}

}  // namespace

std::string AuditHtml(const AuditRun& run) {
  const AuditSummary& s = run.summary;
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>keyward audit "
      << Escape(run.meta.generated_at) << "</title><style>" << kStyle << "</style></head><body>\n";
  out << "<h1>keyward audit</h1>\n<p>" << Escape(run.meta.generated_at) << " &middot; keyward "
      << Escape(run.meta.keyward_version) << " &middot; policy " << Escape(run.meta.policy_file) << " (sha256 "
      << Escape(run.meta.policy_sha256) << ")";
  if (!run.meta.cluster.empty()) out << " &middot; cluster " << Escape(run.meta.cluster) << " context " << Escape(run.meta.context);
  for (const std::string& input : run.meta.inputs) out << " &middot; " << Escape(input);
  out << "</p>\n";
  for (const std::string& what : run.meta.incomplete) out << "<p class=\"bad\"><b>Incomplete:</b> " << Escape(what) << "</p>\n";
  out << "<div><span class=\"kpi\"><b>" << Percent(s.keys) << "</b>on approved CMKs</span><span class=\"kpi\"><b>"
      << s.objects << "</b>objects</span><span class=\"kpi ok\"><b>" << s.compliant
      << "</b>compliant</span><span class=\"kpi bad\"><b>" << s.noncompliant << "</b>non-compliant</span><span class=\"kpi\"><b>"
      << s.exempt << " / " << s.unclaimed << "</b>exempt / unclaimed</span>";
  if (s.has_baseline) {
    out << "<span class=\"kpi\"><b>" << s.new_findings.size() << " / " << s.fixed.size() << "</b>new / fixed since the baseline</span>";
  }
  out << "</div>\n<h2>On approved CMKs by kind</h2>\n" << ShareChart("by-kind", s.keys_by_kind);
  out << "\n<h2>On approved CMKs by tenant</h2>\n" << ShareChart("by-tenant", s.keys_by_tenant);
  out << "\n<h2>Non-compliant resources by week created</h2>\n" << WeekChart(s.noncompliant_by_week);
  out << "\n<h2>Findings (" << s.open.size() << ")</h2>\n<input class=\"noprint\" placeholder=\"filter\" "
         "oninput=\"filterRows(this)\">\n<table id=\"findings\"><thead><tr>";
  for (const char* column : {"tenant", "namespace", "kind", "name", "code", "field", "open for", "fix"}) {
    out << "<th onclick=\"sortBy(this)\">" << column << "</th>";
  }
  out << "</tr></thead><tbody>\n";
  for (const TrackedFinding& f : s.open) {
    out << "<tr><td>" << Escape(f.tenant) << "</td><td>" << Escape(f.namespace_name) << "</td><td>" << Escape(f.kind)
        << "</td><td>" << Escape(f.name) << "</td><td>" << Escape(f.code) << "</td><td><code>" << Escape(f.path)
        << "</code></td><td>" << Duration(f.age_seconds) << "</td><td>" << Escape(f.fix) << "<br><small>"
        << Escape(f.message) << "</small></td></tr>\n";
  }
  out << "</tbody></table>\n<script>" << kScript << "</script>\n</body></html>\n";
  return out.str();
}

}  // namespace keyward
