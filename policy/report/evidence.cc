#include "policy/report/evidence.h"

#include <vector>

#include "policy/catalog/violation_codes.h"

namespace keyward {
namespace {

constexpr std::string_view kSupports = "supports";
constexpr std::string_view kContributes = "contributes to";
// Checks that a key is set at all; keyward also checks whose key it is.
constexpr std::string_view kRelated = "related check (keyward is stricter)";

const std::vector<ControlRef>& AtRest() {
  static const std::vector<ControlRef> refs = {
      {"SOC 2", "CC6.1", kSupports},
      {"PCI DSS v4.0.1", "3.5.1", kContributes},  // volume encryption alone does not meet 3.5.1 (3.5.1.2)
      {"PCI DSS v4.0.1", "3.6.1", kSupports},
      {"PCI DSS v4.0.1", "3.7", kSupports},
      {"HIPAA", "164.312(a)(2)(iv) (addressable)", kSupports},
      {"GDPR", "Art. 32(1)(a)", kSupports},
      {"NIST SP 800-53 Rev. 5", "SC-28(1)", kSupports},
      {"NIST SP 800-53 Rev. 5", "SC-12", kSupports},
      {"FedRAMP Moderate (Rev. 5)", "SC-28, SC-28(1)", kSupports},
      {"AWS Config", "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED", kRelated},
      {"Checkov", "CKV_AWS_98 (endpoint), CKV_AWS_22 (notebook)", kRelated},
      {"AWS Security Hub", "SageMaker.17, .18, .21, .23, .24", kRelated},
  };
  return refs;
}

const std::vector<ControlRef>& LeastPrivilege() {
  static const std::vector<ControlRef> refs = {
      {"SOC 2", "CC6.3", kSupports},
      {"PCI DSS v4.0.1", "7.2.5", kSupports},
      {"HIPAA", "164.312(a)(1)", kSupports},
      {"NIST SP 800-53 Rev. 5", "AC-6", kSupports},
      {"FedRAMP Moderate (Rev. 5)", "AC-6", kSupports},
  };
  return refs;
}

const std::vector<ControlRef>& Boundary() {
  static const std::vector<ControlRef> refs = {
      {"SOC 2", "CC6.6", kSupports},
      {"PCI DSS v4.0.1", "1.3, 1.4.4", kSupports},
      {"NIST SP 800-53 Rev. 5", "SC-7", kSupports},
      {"FedRAMP Moderate (Rev. 5)", "SC-7", kSupports},
      {"AWS Security Hub", "SageMaker.1, .2, .3, .5, .11, .12, .14, .20, .25", kRelated},
  };
  return refs;
}

const std::vector<ControlRef>& InTransit() {
  static const std::vector<ControlRef> refs = {
      {"SOC 2", "CC6.7", kSupports},
      {"HIPAA", "164.312(e)(2)(ii) (addressable)", kSupports},
      {"NIST SP 800-53 Rev. 5", "SC-8", kSupports},
      {"FedRAMP Moderate (Rev. 5)", "SC-8", kSupports},
      {"AWS Security Hub", "SageMaker.9, .10, .13, .15, .22", kRelated},
  };
  return refs;
}

const std::vector<ControlRef>& Software() {
  static const std::vector<ControlRef> refs = {
      {"NIST SP 800-53 Rev. 5", "CM-7(5)", kSupports},
      {"FedRAMP Moderate (Rev. 5)", "CM-7(5)", kSupports},
      {"AWS Security Hub", "SageMaker.16, .19", kRelated},
  };
  return refs;
}

const std::vector<ControlRef>& Controls(EvidenceArea area) {
  switch (area) {
    case EvidenceArea::kAtRest:
      return AtRest();
    case EvidenceArea::kLeastPrivilege:
      return LeastPrivilege();
    case EvidenceArea::kBoundary:
      return Boundary();
    case EvidenceArea::kInTransit:
      return InTransit();
    case EvidenceArea::kSoftware:
      return Software();
  }
  return AtRest();
}

}  // namespace

std::span<const ControlRef> EvidenceFor(std::string_view code) {
  const ViolationCode* row = FindViolationCode(code);
  if (row == nullptr) return {};
  return Controls(row->evidence);
}

std::span<const ControlRef> EvidenceFor(EvidenceArea area) { return Controls(area); }

namespace {

struct KeyCheck {
  std::string_view kind;
  std::string_view path;
  std::vector<std::string_view> checks;
};

// The checks that only ask whether a key is set. Sources: the AWS Config
// rule pages, the Security Hub SageMaker controls and Checkov's policy index.
const std::vector<KeyCheck>& KeyChecks() {
  static const std::vector<KeyCheck> checks = {
      {"EndpointConfig", "spec.kmsKeyID",
       {"AWS Config sagemaker-endpoint-configuration-kms-key-configured", "Checkov CKV_AWS_98"}},
      {"EndpointConfig", "spec.kmsKeyId",
       {"AWS Config sagemaker-endpoint-configuration-kms-key-configured", "Checkov CKV_AWS_98"}},
      {"HostingDeployment", "spec.kmsKeyId", {"AWS Config sagemaker-endpoint-configuration-kms-key-configured"}},
      {"NotebookInstance", "spec.kmsKeyID",
       {"AWS Config sagemaker-notebook-instance-kms-key-configured", "Checkov CKV_AWS_22"}},
  };
  return checks;
}

}  // namespace

std::span<const std::string_view> ChecksFlaggingMissingKey(std::string_view kind, std::string_view path) {
  for (const KeyCheck& check : KeyChecks()) {
    if (check.kind == kind && check.path == path) return check.checks;
  }
  return {};
}

}  // namespace keyward
