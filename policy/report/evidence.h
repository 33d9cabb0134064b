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
// The controls of one area (the table of codes says which area a code is in).
std::span<const ControlRef> EvidenceFor(EvidenceArea area);

}  // namespace keyward
