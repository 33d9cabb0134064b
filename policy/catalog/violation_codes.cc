#include "policy/catalog/violation_codes.h"

#include <array>

namespace keyward {
namespace {

// code, family, level, evidence, PolicyReport category and severity, meaning.
constexpr std::array kCodes = {
    ViolationCode{kMissingKey, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "a required field (its anchor exists, not deprecated, not a local-NVMe volume field) is empty"},
    ViolationCode{kAwsManagedKey, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "the key is `alias/aws/...`, which the tenant does not control"},
    ViolationCode{kKeyFormat, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "malformed, or not a key ARN under `keyReferences: arn`"},
    ViolationCode{kForeignKey, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "the key is approved for another tenant (the message names it, unless `revealOtherTenants: false`)"},
    ViolationCode{kUnapprovedKey, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "the key is approved for no tenant"},
    ViolationCode{kRegionMismatch, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "the key ARN's region differs from the resource's region"},
    ViolationCode{kLocalStorageKey, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "a job's volume key on an instance type with local NVMe storage"},
    ViolationCode{kImmutableKey, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "an UPDATE changes a create-only key"},
    ViolationCode{kCrossAccountKey, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "the key is in another AWS account than the one ACK makes the resource in (the namespace's `services.k8s.aws/owner-account-id`), and the tenant's `allowedKeyAccounts` does not list it"},
    ViolationCode{kS3ExpressOutput, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "an output goes to an S3 Express One Zone directory bucket (a name ending in `--x-s3`): SageMaker refuses a KMS key there and always uses SSE-S3, so the data cannot be on the tenant's key; choose a general-purpose bucket"},
    ViolationCode{kNoTenant, CodeFamily::kTenant, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "no tenant claims the namespace and `unmatchedNamespaces: deny`"},
    ViolationCode{kAmbiguousTenant, CodeFamily::kTenant, "deny", EvidenceArea::kLeastPrivilege, "Access", "high",
                  "more than one tenant claims the namespace (by name and labels, or by labels); always at deny, and counted in `keyward_violations_total{code=\"AmbiguousTenant\"}`"},
    ViolationCode{kForeignRole, CodeFamily::kRole, "enforcement", EvidenceArea::kLeastPrivilege, "Access", "high",
                  "a role field names a role another tenant claims (the message names it, unless `revealOtherTenants: false`)"},
    ViolationCode{kUnapprovedRole, CodeFamily::kRole, "enforcement", EvidenceArea::kLeastPrivilege, "Access", "high",
                  "a role field names a role no tenant claims, and the requesting tenant lists `roles`"},
    ViolationCode{kPipelineDefinition, CodeFamily::kKey, "enforcement", EvidenceArea::kAtRest, "Encryption", "high",
                  "a Pipeline's `spec.pipelineDefinition` is not valid JSON (the message gives the parser's line and column), has no `Steps` array, or nests deeper than 128 levels"},
    ViolationCode{kOpaqueStep, CodeFamily::kPipeline, "pipelines.opaqueSteps", EvidenceArea::kAtRest, "Software", "medium",
                  "a pipeline step keyward cannot see into (`Lambda`, `Callback`, `EMR`, an unknown `Type`), at the level of `spec.pipelines.opaqueSteps`"},
    ViolationCode{kForeignPipeline, CodeFamily::kTenant, "deny", EvidenceArea::kLeastPrivilege, "Access", "high",
                  "a PipelineExecution names a pipeline of another tenant (or of no tenant), which would run with that pipeline's role and data; always at deny (the message names the tenant, unless `revealOtherTenants: false`)"},
    ViolationCode{kNetworkIsolationCode, CodeFamily::kGuardrail, "guardrails.networkIsolation", EvidenceArea::kBoundary, "Network", "medium",
                  "guardrail `networkIsolation`: `enableNetworkIsolation` is not `true`"},
    ViolationCode{kInterContainerEncryptionCode, CodeFamily::kGuardrail, "guardrails.interContainerEncryption", EvidenceArea::kInTransit, "Network", "medium",
                  "guardrail `interContainerEncryption`: `enableInterContainerTrafficEncryption` is not `true`"},
    ViolationCode{kVpcRequired, CodeFamily::kGuardrail, "guardrails.vpc", EvidenceArea::kBoundary, "Network", "medium",
                  "guardrail `vpc`: no VPC configuration"},
    ViolationCode{kUnapprovedNetwork, CodeFamily::kGuardrail, "guardrails.vpc", EvidenceArea::kBoundary, "Network", "medium",
                  "guardrail `vpc`: a subnet or security group another tenant claims, or one the tenant does not list"},
    ViolationCode{kNotebookExposureCode, CodeFamily::kGuardrail, "guardrails.notebookExposure", EvidenceArea::kBoundary, "Network", "medium",
                  "guardrail `notebookExposure`: `directInternetAccess` or `rootAccess` is not `Disabled`"},
    ViolationCode{kDomainNetworkCode, CodeFamily::kGuardrail, "guardrails.domainNetwork", EvidenceArea::kBoundary, "Network", "medium",
                  "guardrail `domainNetwork`: `appNetworkAccessType` is not `VpcOnly`"},
    ViolationCode{kPublicWorkforceCode, CodeFamily::kGuardrail, "guardrails.publicWorkforce", EvidenceArea::kLeastPrivilege, "Access", "high",
                  "guardrail `publicWorkforce`: the labeling work team is the public crowd"},
    ViolationCode{kInteractiveAccessCode, CodeFamily::kGuardrail, "guardrails.interactiveAccess", EvidenceArea::kLeastPrivilege, "Access", "high",
                  "guardrail `interactiveAccess`: SSM access to serving containers, remote debug, or remote access to a space"},
    ViolationCode{kUnapprovedImage, CodeFamily::kGuardrail, "guardrails.images", EvidenceArea::kSoftware, "Software", "medium",
                  "guardrail `images`: a container image from no `imageRegistries` glob"},};

}  // namespace

std::span<const ViolationCode> ViolationCodes() { return kCodes; }

const ViolationCode* FindViolationCode(std::string_view code) {
  for (const ViolationCode& row : kCodes) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

}  // namespace keyward
