// Audit evidence: the compliance controls each violation code supports, and
// the after-the-fact checks auditors already know. Data; the sources and
// what each mapping claims (and does not) are in the README, "Evidence".
// Which area a code belongs to is a column of the code table
// (policy/catalog/violation_codes.h); the controls of each area are here.
#pragma once

#include <span>
#include <string_view>

#include "policy/catalog/violation_codes.h"

namespace keyward {

struct ControlRef {
  std::string_view framework;  // SOC 2, PCI DSS v4.0.1, HIPAA, GDPR, NIST SP 800-53 Rev. 5, FedRAMP Moderate, ...
  std::string_view control;    // CC6.1, 3.5.1, 164.312(a)(2)(iv), ...
  std::string_view relation;   // "supports", "contributes to", "related check" (stricter or looser)
};

// The controls a violation code is evidence for (empty for unknown codes).
std::span<const ControlRef> EvidenceFor(std::string_view code);
// The after-the-fact checks (AWS Config, Security Hub, Checkov) that report
// an object non-compliant when the key field at `path` (concrete) is empty,
// whatever the reason: they disagree with keyward where SageMaker refuses a
// key (local NVMe). Empty when no such check covers the field.
// Both groups' kinds map to the same AWS resource, so the kind's name is enough.
std::span<const std::string_view> ChecksFlaggingMissingKey(std::string_view kind, std::string_view path);

// The controls of one area (the table of codes says which area a code is in).
std::span<const ControlRef> EvidenceFor(EvidenceArea area);

}  // namespace keyward
