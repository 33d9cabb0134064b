// The violation codes: one table, one row per code, holding everything the
// rest of keyward says about a code. The codes are a public contract (the
// CLI's JSON, the metrics' `code` label, PolicyReports, the audit), so a
// code is added here, never renamed. The README's code table, the metrics'
// bounded label and the evidence mapping are checked against this table by
// tests/policy/violation_codes_test.cc.
//
// Thread safety: the table is immutable data; any thread may read it.
#pragma once

#include <span>
#include <string_view>

namespace keyward {

// Stable violation codes. The guardrail rows (guardrails.cc) and the rules
// name them through these constants.
inline constexpr std::string_view kMissingKey = "MissingKey";
inline constexpr std::string_view kAwsManagedKey = "AwsManagedKey";
inline constexpr std::string_view kKeyFormat = "KeyFormat";
inline constexpr std::string_view kForeignKey = "ForeignKey";
inline constexpr std::string_view kUnapprovedKey = "UnapprovedKey";
inline constexpr std::string_view kRegionMismatch = "RegionMismatch";
inline constexpr std::string_view kLocalStorageKey = "LocalStorageKey";
inline constexpr std::string_view kImmutableKey = "ImmutableKey";
inline constexpr std::string_view kS3ExpressOutput = "S3ExpressOutput";
inline constexpr std::string_view kCrossAccountKey = "CrossAccountKey";
inline constexpr std::string_view kNoTenant = "NoTenant";
inline constexpr std::string_view kAmbiguousTenant = "AmbiguousTenant";
inline constexpr std::string_view kForeignRole = "ForeignRole";
inline constexpr std::string_view kUnapprovedRole = "UnapprovedRole";
inline constexpr std::string_view kPipelineDefinition = "PipelineDefinition";
inline constexpr std::string_view kOpaqueStep = "OpaqueStep";
inline constexpr std::string_view kForeignPipeline = "ForeignPipeline";
inline constexpr std::string_view kNetworkIsolationCode = "NetworkIsolation";
inline constexpr std::string_view kInterContainerEncryptionCode = "InterContainerEncryption";
inline constexpr std::string_view kVpcRequired = "VpcRequired";
inline constexpr std::string_view kUnapprovedNetwork = "UnapprovedNetwork";
inline constexpr std::string_view kNotebookExposureCode = "NotebookExposure";
inline constexpr std::string_view kDomainNetworkCode = "DomainNetwork";
inline constexpr std::string_view kPublicWorkforceCode = "PublicWorkforce";
inline constexpr std::string_view kInteractiveAccessCode = "InteractiveAccess";
inline constexpr std::string_view kUnapprovedImage = "UnapprovedImage";

// What a code is about. Key codes decide whether an audited object's keys
// are compliant (the audit's CMK KPI); the others do not.
enum class CodeFamily { kKey, kRole, kTenant, kPipeline, kGuardrail };

// The group of compliance controls a code is evidence for
// (policy/report/evidence.cc holds each group's controls).
enum class EvidenceArea { kAtRest, kLeastPrivilege, kBoundary, kInTransit, kSoftware };

struct ViolationCode {
  std::string_view code;
  CodeFamily family;
  // The policy setting whose level the violation takes: `enforcement` (the
  // tenant's, else the policy's), `pipelines.opaqueSteps`, or a guardrail's
  // `guardrails.<rule>`.
  std::string_view level;
  EvidenceArea evidence;
  std::string_view category;  // PolicyReport result category: Encryption, Access, Network, Software
  std::string_view severity;  // PolicyReport result severity: high, medium, low
  std::string_view description;  // what it means, as the README's code table says
};

// Every code, in the README's order. The metrics' `code` label takes these
// values (anything else is counted as "other").
std::span<const ViolationCode> ViolationCodes();

// The row of `code`, or null for a code keyward does not have.
const ViolationCode* FindViolationCode(std::string_view code);

}  // namespace keyward
