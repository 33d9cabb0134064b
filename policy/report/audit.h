// The audit of resources that already exist: each stored object judged by
// the same core as the validating webhook, as the object it is (no
// mutation), and the report's arithmetic (KPIs, ISO weeks, a baseline's new,
// fixed and open findings). Pure: the caller reads the objects, the clock and
// the baseline, and renders the report (webhook/cli/audit_*).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/base/enum_words.h"
#include "policy/rules/evaluate.h"
#include "policy/model/policy.h"

namespace keyward {

enum class AuditStatus { kCompliant, kNonCompliant, kExempt, kUnclaimed };
inline constexpr EnumWord<AuditStatus> kAuditStatusWords[] = {{AuditStatus::kCompliant, "compliant"},
                                                             {AuditStatus::kNonCompliant, "noncompliant"},
                                                             {AuditStatus::kExempt, "exempt"},
                                                             {AuditStatus::kUnclaimed, "unclaimed"}};

struct AuditFinding {
  Violation violation;
  std::string fix;  // what to do; for a create-only key: recreate the resource, with which key
};

// A key field without a key that is compliant all the same: SageMaker
// refuses a key there. Checks that only ask "is a key set" will flag it.
struct CompliantNote {
  std::string path;
  std::string reason;
  std::vector<std::string> flagged_by;  // the AWS and tool checks that report it non-compliant
};

struct AuditedObject {
  std::string group, version, kind, namespace_name, name;
  std::string created;  // metadata.creationTimestamp as stored ("" when absent)
  std::string source;   // where it was read (file:line), for people
  std::string tenant;
  AuditStatus status = AuditStatus::kCompliant;
  size_t key_fields = 0;     // key fields the object has or must have (the KPI's denominator needs >= 1)
  bool keys_compliant = true;  // every key field holds a CMK approved for its tenant
  std::vector<AuditFinding> findings;
  std::vector<CompliantNote> notes;  // key fields compliant without a key, and why
};

// The object judged, or nullopt for a kind outside the catalog.
// `namespace_info` is the cluster's view of its namespace (labels,
// annotations), as the server and `keyward check` decide with it: tenants
// by namespaceSelector, the region and account ACK will use; null: decided
// by the namespace's name alone. `pipelines`: the Pipelines a
// PipelineExecution may name (null: executions judged by their values
// alone). Borrowed for the call.
std::optional<AuditedObject> AuditObject(const Policy& policy, const nlohmann::json& object,
                                         const NamespaceInfo* namespace_info,
                                         const PipelineDirectory* pipelines = nullptr);

// A finding's identity across reports: group/kind/namespace/name/path/code.
std::string FindingId(const AuditedObject& object, const Violation& violation);

// "2026-W48" for an RFC 3339 time; "" when it cannot be read.
std::string IsoWeek(const std::string& rfc3339);
// Seconds since the epoch for an RFC 3339 time (UTC "Z" or an offset).
std::optional<int64_t> ParseRfc3339(const std::string& text);

struct Share {
  size_t compliant = 0;
  size_t total = 0;
};

struct TrackedFinding {
  std::string id;
  std::string tenant, namespace_name, kind, name, path, code, message, fix;
  std::string first_seen;  // RFC 3339, carried from the baseline
  std::string fixed_at;    // fixed findings: this report's time
  int64_t age_seconds = 0;  // open: now - first seen; fixed: time to remediate
};

// One control of the evidence mapping (every control any code maps to, so
// the report shows the controls nothing fails too) and the open findings,
// and the objects with one, that are evidence against it.
struct ControlTally {
  std::string framework, control, relation;
  size_t findings = 0, objects = 0;
};

struct AuditSummary {
  size_t objects = 0, compliant = 0, noncompliant = 0, exempt = 0, unclaimed = 0;
  Share keys;  // objects with key fields in claimed, non-exempt namespaces
  std::map<std::string, Share> keys_by_kind, keys_by_tenant, keys_by_namespace;
  std::map<std::string, size_t> noncompliant_by_week;  // ISO week of creation -> count
  std::vector<TrackedFinding> open;                    // every finding now, with first seen and age
  bool has_baseline = false;
  std::vector<TrackedFinding> new_findings, fixed;     // against the baseline
  std::vector<ControlTally> controls;                  // in the order of the code table
  size_t compliant_without_key = 0;                    // compliant objects with notes
  size_t keyless_fields = 0;                           // notes on all objects: fields compliant without a key
};

// The report's numbers. `now` is RFC 3339; `baseline` an earlier JSON report
// (its "findings" array: id and firstSeen are read), or null.
AuditSummary SummarizeAudit(const std::vector<AuditedObject>& objects, const std::string& now,
                            const nlohmann::json* baseline);

}  // namespace keyward
