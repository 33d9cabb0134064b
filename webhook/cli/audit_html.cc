// The audit report as one self-contained HTML page: no external script,
// font, style sheet or image; inline SVG charts; a findings table people
// can sort and filter; readable when printed. It fits the window's width
// (1280 pixels, and narrower) without scrolling sideways: tables are laid
// out fixed at 100% with a share of the width per column, long paths and
// messages wrap anywhere, and the charts scale down.
#include <initializer_list>
#include <map>
#include <sstream>

#include "policy/base/text.h"
#include "webhook/base/markup_text.h"
#include "webhook/cli/audit_report.h"

namespace keyward {
namespace {

constexpr std::string_view kStyle = R"(body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;table-layout:fixed;width:100%;font-size:.9em}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}td{overflow-wrap:anywhere}
td small{color:#555}svg{max-width:100%;height:auto}
th{background:#f3f3f3;cursor:pointer}.kpi{display:inline-block;margin-right:2em}.kpi b{font-size:1.6em;display:block}
.bad{color:#b00020}.ok{color:#1b5e20}svg text{font-size:11px;font-family:system-ui,sans-serif}
input{margin:.5em 0;padding:4px;width:30em;max-width:100%}
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
  const int svg_width = label + width + 70;
  const size_t svg_height = row * std::max<size_t>(shares.size(), 1) + 4;
  svg << "<svg id=\"" << id << "\" role=\"img\" width=\"" << svg_width << "\" height=\"" << svg_height
      << "\" viewBox=\"0 0 " << svg_width << " " << svg_height << "\">";
  int y = 0;
  for (const auto& [name, share] : shares) {
    const double fraction = share.total == 0 ? 0 : static_cast<double>(share.compliant) / share.total;
    svg << "<text x=\"0\" y=\"" << y + 14 << "\">" << EscapeMarkup(name) << "</text>"
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
  const size_t svg_width = bar * std::max<size_t>(weeks.size(), 1) + 10;
  svg << "<svg id=\"weeks\" role=\"img\" width=\"" << svg_width << "\" height=\"" << height + 40 << "\" viewBox=\"0 0 "
      << svg_width << " " << height + 40 << "\">";
  int x = 0;
  for (const auto& [week, count] : weeks) {
    const int h = static_cast<int>(static_cast<double>(count) / most * height);
    svg << "<rect x=\"" << x + 4 << "\" y=\"" << height - h + 14 << "\" width=\"" << bar - 8 << "\" height=\"" << h
        << "\" fill=\"#e57373\"><title>" << EscapeMarkup(week) << ": " << count << "</title></rect>"
        << "<text x=\"" << x + 4 << "\" y=\"" << height - h + 10 << "\">" << count << "</text>"
        << "<text x=\"" << x << "\" y=\"" << height + 30 << "\" font-size=\"9\">" << EscapeMarkup(week) << "</text>";
    x += bar;
  }
  svg << "</svg>";
  return svg.str();
}

struct Column {
  const char* name;
  int percent;  // of the table's width; a table's columns add up to 100
};

// A table head whose columns have fixed shares of the width, so long cells
// wrap instead of pushing the table past the window's edge.
std::string TableHead(std::string_view id, std::initializer_list<Column> columns) {
  std::string out = "<table";
  if (!id.empty()) out += " id=\"" + std::string(id) + "\"";
  out += "><colgroup>";
  for (const Column& c : columns) out += "<col style=\"width:" + std::to_string(c.percent) + "%\">";
  out += "</colgroup><thead><tr>";
  for (const Column& c : columns) out += "<th onclick=\"sortBy(this)\">" + std::string(c.name) + "</th>";
  return out + "</tr></thead><tbody>\n";
}

void FindingsTable(const AuditSummary& s, std::ostringstream& out) {
  out << "\n<h2>Findings (" << s.open.size() << ")</h2>\n<input class=\"noprint\" placeholder=\"filter\" "
         "oninput=\"filterRows(this)\">\n"
      << TableHead("findings", {{"tenant", 6}, {"namespace", 9}, {"kind", 8}, {"name", 10}, {"code", 9}, {"field", 12},
                                {"open for", 5}, {"controls", 19}, {"fix", 22}});
  std::map<std::string, std::string> controls;  // code -> its controls on one line
  for (const TrackedFinding& f : s.open) {
    auto [line, fresh] = controls.try_emplace(f.code);
    if (fresh) line->second = EscapeMarkup(ControlsLine(f.code));
    out << "<tr><td>" << EscapeMarkup(f.tenant) << "</td><td>" << EscapeMarkup(f.namespace_name) << "</td><td>" << EscapeMarkup(f.kind)
        << "</td><td>" << EscapeMarkup(f.name) << "</td><td>" << EscapeMarkup(f.code) << "</td><td><code>" << EscapeMarkup(f.path)
        << "</code></td><td>" << Duration(f.age_seconds) << "</td><td><small>" << line->second << "</small></td><td>"
        << EscapeMarkup(f.fix) << "<br><small>" << EscapeMarkup(f.message) << "</small></td></tr>\n";
  }
  out << "</tbody></table>\n";
}

// Key fields compliant without a key, with the AWS checks that will disagree.
void NotesTable(const AuditRun& run, std::ostringstream& out) {
  if (run.summary.keyless_fields == 0) return;
  out << "\n<h2>Compliant without a key (" << run.summary.keyless_fields << ")</h2>\n<p>SageMaker refuses a "
         "customer key on these fields, so keyward counts them compliant. Checks that only ask whether a key "
         "is set report them non-compliant.</p>\n"
      << TableHead("keyless", {{"object", 22}, {"field", 18}, {"reason", 35}, {"AWS checks that will flag it", 25}});
  for (const AuditedObject& o : run.objects) {
    for (const CompliantNote& note : o.notes) {
      out << "<tr><td>" << EscapeMarkup(o.kind + " " + o.namespace_name + "/" + o.name) << "</td><td><code>"
          << EscapeMarkup(note.path) << "</code></td><td>" << EscapeMarkup(note.reason) << "</td><td>"
          << EscapeMarkup(note.flagged_by.empty() ? "none known" : Join(note.flagged_by, ", ")) << "</td></tr>\n";
    }
  }
  out << "</tbody></table>\n";
}

// Every mapped control, zero counts included: that nothing fails is evidence too.
void ControlsTable(const AuditSummary& s, std::ostringstream& out) {
  out << "\n<h2>Framework controls (" << s.controls.size() << ")</h2>\n<p>Every control the violation codes map to, "
         "with the open findings and the objects against it.</p>\n"
      << TableHead("controls", {{"framework", 22}, {"control", 36}, {"relation", 22}, {"findings", 10}, {"objects", 10}});
  for (const ControlTally& c : s.controls) {
    out << "<tr class=\"" << (c.findings == 0 ? "ok" : "bad") << "\"><td>" << EscapeMarkup(c.framework) << "</td><td>"
        << EscapeMarkup(c.control) << "</td><td>" << EscapeMarkup(c.relation) << "</td><td>" << c.findings << "</td><td>"
        << c.objects << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

}  // namespace

std::string AuditHtml(const AuditRun& run) {
  const AuditSummary& s = run.summary;
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>keyward audit "
      << EscapeMarkup(run.meta.generated_at) << "</title><style>" << kStyle << "</style></head><body>\n";
  out << "<h1>keyward audit</h1>\n<p>" << EscapeMarkup(run.meta.generated_at) << " &middot; keyward "
      << EscapeMarkup(run.meta.keyward_version) << " &middot; policy " << EscapeMarkup(run.meta.policy_file) << " (sha256 "
      << EscapeMarkup(run.meta.policy_sha256) << ")";
  if (!run.meta.cluster.empty()) out << " &middot; cluster " << EscapeMarkup(run.meta.cluster) << " context " << EscapeMarkup(run.meta.context);
  for (const std::string& input : run.meta.inputs) out << " &middot; " << EscapeMarkup(input);
  out << "</p>\n";
  for (const std::string& what : run.meta.incomplete) out << "<p class=\"bad\"><b>Incomplete:</b> " << EscapeMarkup(what) << "</p>\n";
  out << "<div><span class=\"kpi\"><b>" << Percent(s.keys) << "</b>on approved CMKs</span><span class=\"kpi\"><b>"
      << s.objects << "</b>objects</span><span class=\"kpi ok\"><b>" << s.compliant
      << "</b>compliant</span><span class=\"kpi bad\"><b>" << s.noncompliant << "</b>non-compliant</span><span class=\"kpi\"><b>"
      << s.exempt << " / " << s.unclaimed << "</b>exempt / unclaimed</span>";
  if (s.compliant_without_key > 0) {
    out << "<span class=\"kpi\"><b>" << s.compliant_without_key << "</b>compliant without a key</span>";
  }
  if (s.has_baseline) {
    out << "<span class=\"kpi\"><b>" << s.new_findings.size() << " / " << s.fixed.size() << "</b>new / fixed since the baseline</span>";
  }
  out << "</div>\n<h2>On approved CMKs by kind</h2>\n" << ShareChart("by-kind", s.keys_by_kind);
  out << "\n<h2>On approved CMKs by tenant</h2>\n" << ShareChart("by-tenant", s.keys_by_tenant);
  out << "\n<h2>Non-compliant resources by week created</h2>\n" << WeekChart(s.noncompliant_by_week);
  FindingsTable(s, out);
  NotesTable(run, out);
  ControlsTable(s, out);
  out << "<script>" << kScript << "</script>\n</body></html>\n";
  return out.str();
}

}  // namespace keyward
