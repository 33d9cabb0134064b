#include "policy/report/audit.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "policy/base/field_path.h"
#include "policy/report/evidence.h"

namespace keyward {
namespace {

std::string Text(const nlohmann::json& object, const char* member) {
  auto it = object.find(member);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::string KindLabel(const AuditedObject& object) {
  return object.group == kLegacyGroup ? object.kind + " (legacy)" : object.kind;
}

std::string Fix(const Policy& policy, const AdmissionRequest& request, const CatalogKind& kind,
                const AuditedObject& audited, const Violation& v, const Tenant* tenant) {
  const nlohmann::json& object = *request.object;
  if (std::optional<KeyPurpose> purpose = CreateOnlyKeyAt(kind, object, v.path)) {
    // The key injection would set: the tenant's key in the resource's region.
    const std::string* injected = tenant != nullptr ? InjectedKey(policy, request, kind, *tenant, *purpose) : nullptr;
    std::string key = injected != nullptr ? *injected
                      : tenant != nullptr ? "a key of tenant " + tenant->name + " for the resource's region and account"
                                          : "the tenant's key";
    return "SageMaker cannot change this key of " + audited.kind + " " + audited.namespace_name + "/" +
           audited.name + ": " + std::string(ReplacementFix(kind)) + " (" + v.path + " set to " + key + ")";
  }
  return "change " + v.path + " as the message says and apply the manifest again";
}

// Every (framework, control) the code table maps to, once, in table order.
std::vector<ControlTally> EveryMappedControl() {
  std::vector<ControlTally> out;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const ViolationCode& row : ViolationCodes()) {
    for (const ControlRef& ref : EvidenceFor(row.code)) {
      if (!seen.insert({ref.framework, ref.control}).second) continue;
      out.push_back({std::string(ref.framework), std::string(ref.control), std::string(ref.relation)});
    }
  }
  return out;
}

// Counts `codes` (one object's new findings) against the controls they map to.
void TallyControls(const std::vector<std::string>& codes, std::vector<ControlTally>* controls) {
  std::set<size_t> hit;
  for (const std::string& code : codes) {
    for (const ControlRef& ref : EvidenceFor(code)) {
      for (size_t i = 0; i < controls->size(); ++i) {
        ControlTally& tally = (*controls)[i];
        if (tally.framework != ref.framework || tally.control != ref.control) continue;
        ++tally.findings;
        hit.insert(i);
      }
    }
  }
  for (size_t i : hit) ++(*controls)[i].objects;
}

}  // namespace

std::optional<AuditedObject> AuditObject(const Policy& policy, const nlohmann::json& object,
                                         const NamespaceInfo* namespace_info, const PipelineDirectory* pipelines) {
  if (!object.is_object()) return std::nullopt;
  AdmissionRequest request = CreateRequestFor(object);
  request.username = "keyward-audit";
  request.namespace_info = namespace_info;
  request.pipelines = pipelines;
  AuditedObject out;
  out.group = request.group;
  out.version = request.version;
  out.kind = request.kind;
  const CatalogKind* kind = FindCatalogKind(out.group, out.kind);
  if (kind == nullptr) return std::nullopt;
  out.namespace_name = request.namespace_name;
  out.name = request.name;
  if (auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object()) {
    out.created = Text(*metadata, "creationTimestamp");
  }
  if (policy.IsExemptNamespace(out.namespace_name)) {
    out.status = AuditStatus::kExempt;
    return out;
  }
  // The tenants the validating webhook finds: by name, and by labels when
  // the namespace is known. Two are AmbiguousTenant, which Validate
  // reports; such an object has no tenant, and its keys no place in the
  // share of any.
  const std::vector<const Tenant*> claimants = policy.TenantsClaimingNamespace(out.namespace_name, namespace_info);
  if (claimants.empty()) {
    out.status = AuditStatus::kUnclaimed;
    return out;
  }
  const Tenant* tenant = claimants.size() == 1 ? claimants.front() : nullptr;
  if (tenant != nullptr) {
    out.tenant = tenant->name;
    out.key_fields = KeyFieldCount(*kind, object);
  }
  ValidationResult result = Validate(policy, request);
  for (Violation& v : result.violations) {
    const ViolationCode* code = FindViolationCode(v.code);
    if (code != nullptr && code->family == CodeFamily::kKey) out.keys_compliant = false;
    std::string fix = Fix(policy, request, *kind, out, v, tenant);
    out.findings.push_back({std::move(v), std::move(fix)});
  }
  for (RefusedKeyPlace& place : KeysSageMakerRefuses(policy, *kind, object)) {
    std::vector<std::string> checks;
    for (std::string_view check : ChecksFlaggingMissingKey(out.kind, place.path)) checks.emplace_back(check);
    out.notes.push_back({std::move(place.path), std::move(place.reason), std::move(checks)});
  }
  out.status = out.findings.empty() ? AuditStatus::kCompliant : AuditStatus::kNonCompliant;
  return out;
}

std::string FindingId(const AuditedObject& object, const Violation& violation) {
  return object.group + "/" + object.kind + "/" + object.namespace_name + "/" + object.name + "/" + violation.path +
         "/" + violation.code;
}

std::optional<int64_t> ParseRfc3339(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 ||
      consumed != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
  }
  int64_t offset = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + at + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset = (text[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s -
         offset;
}

std::string IsoWeek(const std::string& rfc3339) {
  std::optional<int64_t> seconds = ParseRfc3339(rfc3339);
  if (!seconds) return "";
  int64_t days = *seconds >= 0 ? *seconds / 86400 : (*seconds - 86399) / 86400;
  const int64_t weekday = ((days % 7) + 7 + 3) % 7 + 1;  // 1970-01-01 was a Thursday; Monday = 1
  const int64_t thursday = days + (4 - weekday);
  int64_t year;
  unsigned month, day;
  CivilFromDays(thursday, &year, &month, &day);
  const int64_t week = (thursday - DaysFromCivil(year, 1, 1)) / 7 + 1;
  std::string out = std::to_string(year) + "-W";
  if (week < 10) out += '0';
  return out + std::to_string(week);
}

AuditSummary SummarizeAudit(const std::vector<AuditedObject>& objects, const std::string& now,
                            const nlohmann::json* baseline) {
  AuditSummary summary;
  std::map<std::string, std::string> first_seen;  // id -> RFC 3339, from the baseline
  std::map<std::string, TrackedFinding> previous;
  if (baseline != nullptr && baseline->is_object() && baseline->contains("findings") &&
      (*baseline)["findings"].is_array()) {
    summary.has_baseline = true;
    for (const nlohmann::json& finding : (*baseline)["findings"]) {
      if (!finding.is_object()) continue;
      TrackedFinding tracked;
      tracked.id = Text(finding, "id");
      if (tracked.id.empty()) continue;
      tracked.first_seen = Text(finding, "firstSeen");
      for (auto [member, target] : {std::pair{"tenant", &tracked.tenant}, std::pair{"namespace", &tracked.namespace_name},
                                    std::pair{"kind", &tracked.kind}, std::pair{"name", &tracked.name},
                                    std::pair{"path", &tracked.path}, std::pair{"code", &tracked.code},
                                    std::pair{"message", &tracked.message}, std::pair{"fix", &tracked.fix}}) {
        *target = Text(finding, member);
      }
      first_seen[tracked.id] = tracked.first_seen;
      previous[tracked.id] = std::move(tracked);
    }
  }
  const int64_t now_seconds = ParseRfc3339(now).value_or(0);
  auto age = [&](const std::string& since) {
    std::optional<int64_t> start = ParseRfc3339(since);
    return start ? std::max<int64_t>(0, now_seconds - *start) : 0;
  };
  summary.controls = EveryMappedControl();
  std::set<std::string> current;
  for (const AuditedObject& object : objects) {
    ++summary.objects;
    switch (object.status) {
      case AuditStatus::kCompliant: ++summary.compliant; break;
      case AuditStatus::kNonCompliant: ++summary.noncompliant; break;
      case AuditStatus::kExempt: ++summary.exempt; continue;
      case AuditStatus::kUnclaimed: ++summary.unclaimed; continue;
    }
    if (object.status == AuditStatus::kCompliant && !object.notes.empty()) ++summary.compliant_without_key;
    summary.keyless_fields += object.notes.size();
    if (object.status == AuditStatus::kNonCompliant) {
      const std::string week = IsoWeek(object.created);
      ++summary.noncompliant_by_week[week.empty() ? "unknown" : week];
    }
    if (object.key_fields > 0) {
      for (Share* share : {&summary.keys, &summary.keys_by_kind[KindLabel(object)], &summary.keys_by_tenant[object.tenant],
                           &summary.keys_by_namespace[object.namespace_name]}) {
        ++share->total;
        share->compliant += object.keys_compliant ? 1 : 0;
      }
    }
    std::vector<std::string> codes;  // of this object's findings not seen before
    for (const AuditFinding& finding : object.findings) {
      TrackedFinding tracked;
      tracked.id = FindingId(object, finding.violation);
      tracked.tenant = object.tenant;
      tracked.namespace_name = object.namespace_name;
      tracked.kind = object.kind;
      tracked.name = object.name;
      tracked.path = finding.violation.path;
      tracked.code = finding.violation.code;
      tracked.message = finding.violation.message;
      tracked.fix = finding.fix;
      auto seen = first_seen.find(tracked.id);
      tracked.first_seen = seen != first_seen.end() && !seen->second.empty() ? seen->second : now;
      tracked.age_seconds = age(tracked.first_seen);
      if (!current.insert(tracked.id).second) continue;  // the same place twice (duplicate input)
      codes.push_back(tracked.code);
      if (summary.has_baseline && seen == first_seen.end()) summary.new_findings.push_back(tracked);
      summary.open.push_back(std::move(tracked));
    }
    TallyControls(codes, &summary.controls);
  }
  for (auto& [id, tracked] : previous) {
    if (current.count(id)) continue;
    tracked.fixed_at = now;
    tracked.age_seconds = age(tracked.first_seen);  // time to remediate
    summary.fixed.push_back(std::move(tracked));
  }
  return summary;
}

}  // namespace keyward
