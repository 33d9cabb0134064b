#include "policy/catalog/aws_actions.h"

#include <algorithm>
#include <array>

#include "policy/catalog/catalog.h"
#include "policy/catalog/violation_codes.h"

namespace keyward {
namespace {

using enum AwsAbsence;

constexpr std::string_view kNetworkIsolationKey = "sagemaker:NetworkIsolation";
constexpr std::string_view kInterContainerKey = "sagemaker:InterContainerTrafficEncryption";
constexpr std::string_view kSubnetsKey = "sagemaker:VpcSubnets";
constexpr std::string_view kSecurityGroupIdsKey = "sagemaker:VpcSecurityGroupIds";

// A monitoring job definition: output and volume keys, both in objects the
// API requires.
AwsCall MonitoringDefinition(std::string_view kind, std::string_view action, std::string_view output) {
  return {kAckGroup, kind, action,
          {{output, kOutputKmsKeyArn, kDenied},
           {"spec.jobResources.clusterConfig.volumeKMSKeyID", kVolumeKmsKeyArn, kDenied}}};
}

// kDenied marks a key whose holding object the API requires; the compiler
// still spares its absence where SageMaker may refuse the key for a reason
// IAM cannot see (aws_actions.h, AwsAbsence).
std::vector<AwsCall> BuildCalls() {
  return {
      // AWS controller for SageMaker (ACK).
      MonitoringDefinition("DataQualityJobDefinition", "sagemaker:CreateDataQualityJobDefinition",
                           "spec.dataQualityJobOutputConfig.kmsKeyID"),
      MonitoringDefinition("ModelBiasJobDefinition", "sagemaker:CreateModelBiasJobDefinition",
                           "spec.modelBiasJobOutputConfig.kmsKeyID"),
      MonitoringDefinition("ModelExplainabilityJobDefinition", "sagemaker:CreateModelExplainabilityJobDefinition",
                           "spec.modelExplainabilityJobOutputConfig.kmsKeyID"),
      MonitoringDefinition("ModelQualityJobDefinition", "sagemaker:CreateModelQualityJobDefinition",
                           "spec.modelQualityJobOutputConfig.kmsKeyID"),
      {kAckGroup, "Domain", "sagemaker:CreateDomain",
       {{"spec.defaultUserSettings.sharingSettings.s3KMSKeyID", kDomainSharingOutputKmsKeyArn},
        {"spec.kmsKeyID", kVolumeKmsKeyArn, kDenied}}},
      {kAckGroup, "Domain", "sagemaker:UpdateDomain",
       {{"spec.defaultUserSettings.sharingSettings.s3KMSKeyID", kDomainSharingOutputKmsKeyArn}}},
      {kAckGroup, "EndpointConfig", "sagemaker:CreateEndpointConfig", {{"spec.kmsKeyID", kVolumeKmsKeyArn, kDenied}}},
      {kAckGroup, "FeatureGroup", "sagemaker:CreateFeatureGroup",
       {{"spec.offlineStoreConfig.s3StorageConfig.kmsKeyID", kFeatureGroupOfflineStoreKmsKeyArn},
        {"spec.onlineStoreConfig.securityConfig.kmsKeyID", kFeatureGroupOnlineStoreKmsKeyArn}}},
      // Either trainingJobDefinition or trainingJobDefinitions[]: neither is required.
      {kAckGroup, "HyperParameterTuningJob", "sagemaker:CreateHyperParameterTuningJob",
       {{"spec.trainingJobDefinition.outputDataConfig.kmsKeyID", kOutputKmsKeyArn},
        {"spec.trainingJobDefinition.resourceConfig.volumeKMSKeyID", kVolumeKmsKeyArn},
        {"spec.trainingJobDefinitions[].outputDataConfig.kmsKeyID", kOutputKmsKeyArn},
        {"spec.trainingJobDefinitions[].resourceConfig.volumeKMSKeyID", kVolumeKmsKeyArn}}},
      {kAckGroup, "InferenceComponent", "sagemaker:CreateInferenceComponent"},
      {kAckGroup, "LabelingJob", "sagemaker:CreateLabelingJob",
       {{"spec.labelingJobAlgorithmsConfig.labelingJobResourceConfig.volumeKMSKeyID", kVolumeKmsKeyArn},
        {"spec.outputConfig.kmsKeyID", kOutputKmsKeyArn, kDenied}}},
      {kAckGroup, "Model", "sagemaker:CreateModel"},
      {kAckGroup, "ModelPackage", "sagemaker:CreateModelPackage"},
      // A schedule may name a job definition instead of holding one.
      {kAckGroup, "MonitoringSchedule", "sagemaker:CreateMonitoringSchedule",
       {{"spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyID", kOutputKmsKeyArn},
        {"spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.volumeKMSKeyID",
         kVolumeKmsKeyArn}}},
      {kAckGroup, "MonitoringSchedule", "sagemaker:UpdateMonitoringSchedule",
       {{"spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyID", kOutputKmsKeyArn},
        {"spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.volumeKMSKeyID",
         kVolumeKmsKeyArn}}},
      {kAckGroup, "NotebookInstance", "sagemaker:CreateNotebookInstance",
       {{"spec.kmsKeyID", kVolumeKmsKeyArn, kDenied}}},
      {kAckGroup, "Pipeline", "sagemaker:CreatePipeline"},
      {kAckGroup, "PipelineExecution", "sagemaker:StartPipelineExecution"},
      {kAckGroup, "ProcessingJob", "sagemaker:CreateProcessingJob",
       {{"spec.processingOutputConfig.kmsKeyID", kOutputKmsKeyArn},
        {"spec.processingResources.clusterConfig.volumeKMSKeyID", kVolumeKmsKeyArn, kDenied}}},
      {kAckGroup, "Project", "sagemaker:CreateProject"},
      {kAckGroup, "Space", "sagemaker:CreateSpace"},
      {kAckGroup, "TrainingJob", "sagemaker:CreateTrainingJob",
       {{"spec.outputDataConfig.kmsKeyID", kOutputKmsKeyArn, kDenied},
        {"spec.resourceConfig.volumeKMSKeyID", kVolumeKmsKeyArn, kDenied}}},
      {kAckGroup, "TransformJob", "sagemaker:CreateTransformJob",
       {{"spec.transformOutput.kmsKeyID", kOutputKmsKeyArn, kDenied},
        {"spec.transformResources.volumeKMSKeyID", kVolumeKmsKeyArn, kDenied}}},
      {kAckGroup, "UserProfile", "sagemaker:CreateUserProfile",
       {{"spec.userSettings.sharingSettings.s3KMSKeyID", kDomainSharingOutputKmsKeyArn}}},
      {kAckGroup, "UserProfile", "sagemaker:UpdateUserProfile",
       {{"spec.userSettings.sharingSettings.s3KMSKeyID", kDomainSharingOutputKmsKeyArn}}},

      // Legacy SageMaker operator.
      {kLegacyGroup, "BatchTransformJob", "sagemaker:CreateTransformJob",
       {{"spec.transformOutput.kmsKeyId", kOutputKmsKeyArn, kDenied},
        {"spec.transformResources.volumeKmsKeyId", kVolumeKmsKeyArn, kDenied}}},
      {kLegacyGroup, "EndpointConfig", "sagemaker:CreateEndpointConfig",
       {{"spec.kmsKeyId", kVolumeKmsKeyArn, kDenied}}},
      {kLegacyGroup, "HostingDeployment", "sagemaker:CreateEndpointConfig",
       {{"spec.kmsKeyId", kVolumeKmsKeyArn, kDenied}}},
      {kLegacyGroup, "HostingDeployment", "sagemaker:CreateModel", {}, "spec.models[]"},
      {kLegacyGroup, "HyperparameterTuningJob", "sagemaker:CreateHyperParameterTuningJob",
       {{"spec.trainingJobDefinition.outputDataConfig.kmsKeyId", kOutputKmsKeyArn},
        {"spec.trainingJobDefinition.resourceConfig.volumeKmsKeyId", kVolumeKmsKeyArn}}},
      {kLegacyGroup, "Model", "sagemaker:CreateModel"},
      {kLegacyGroup, "ProcessingJob", "sagemaker:CreateProcessingJob",
       {{"spec.processingOutputConfig.kmsKeyId", kOutputKmsKeyArn},
        {"spec.processingResources.clusterConfig.volumeKmsKeyId", kVolumeKmsKeyArn, kDenied}}},
      {kLegacyGroup, "TrainingJob", "sagemaker:CreateTrainingJob",
       {{"spec.outputDataConfig.kmsKeyId", kOutputKmsKeyArn, kDenied},
        {"spec.resourceConfig.volumeKmsKeyId", kVolumeKmsKeyArn, kDenied}}},
  };
}

// From the Service Authorization Reference: the SageMaker condition keys of
// each action that keyward reads (tests/policy/aws_actions_test.cc).
std::vector<AwsAction> BuildActions() {
  const std::vector<std::string_view> monitoring = {kOutputKmsKeyArn, kVolumeKmsKeyArn, kInstanceTypes,
                                                    kInterContainerKey,  kNetworkIsolationKey, kSecurityGroupIdsKey,
                                                    kSubnetsKey};
  return {
      {"sagemaker:CreateDataQualityJobDefinition", monitoring},
      {"sagemaker:CreateDomain",
       {kDomainSharingOutputKmsKeyArn, kVolumeKmsKeyArn, "sagemaker:AppNetworkAccessType", kInstanceTypes,
        kSecurityGroupIdsKey, kSubnetsKey}},
      {"sagemaker:CreateEndpointConfig", {kVolumeKmsKeyArn, kInstanceTypes, kNetworkIsolationKey, kSecurityGroupIdsKey, kSubnetsKey}},
      {"sagemaker:CreateFeatureGroup", {kFeatureGroupOfflineStoreKmsKeyArn, kFeatureGroupOnlineStoreKmsKeyArn}},
      {"sagemaker:CreateHyperParameterTuningJob", monitoring},
      {"sagemaker:CreateInferenceComponent", {}},
      {"sagemaker:CreateLabelingJob", {kOutputKmsKeyArn, kVolumeKmsKeyArn, "sagemaker:WorkteamType"}},
      {"sagemaker:CreateModel", {kNetworkIsolationKey, kSecurityGroupIdsKey, kSubnetsKey}},
      {"sagemaker:CreateModelBiasJobDefinition", monitoring},
      {"sagemaker:CreateModelExplainabilityJobDefinition", monitoring},
      {"sagemaker:CreateModelPackage", {}},
      {"sagemaker:CreateModelQualityJobDefinition", monitoring},
      {"sagemaker:CreateMonitoringSchedule", monitoring},
      {"sagemaker:CreateNotebookInstance",
       {kVolumeKmsKeyArn, "sagemaker:DirectInternetAccess", kInstanceTypes, "sagemaker:RootAccess", kSecurityGroupIdsKey,
        kSubnetsKey}},
      {"sagemaker:CreatePipeline", {}},
      {"sagemaker:CreateProcessingJob", monitoring},
      {"sagemaker:CreateProject", {}},
      {"sagemaker:CreateSpace", {kInstanceTypes}},
      {"sagemaker:CreateTrainingJob",
       {kOutputKmsKeyArn, kVolumeKmsKeyArn, kInstanceTypes, kInterContainerKey, kNetworkIsolationKey, kSecurityGroupIdsKey,
        kSubnetsKey, "sagemaker:EnableRemoteDebug"}},
      {"sagemaker:CreateTransformJob", {kOutputKmsKeyArn, kVolumeKmsKeyArn, kInstanceTypes}},
      {"sagemaker:CreateUserProfile", {kDomainSharingOutputKmsKeyArn, kInstanceTypes, kSecurityGroupIdsKey}},
      {"sagemaker:StartPipelineExecution", {}},
      {"sagemaker:UpdateDomain",
       {kDomainSharingOutputKmsKeyArn, "sagemaker:AppNetworkAccessType", kInstanceTypes, kSecurityGroupIdsKey, kSubnetsKey}},
      {"sagemaker:UpdateMonitoringSchedule", monitoring},
      {"sagemaker:UpdateUserProfile", {kDomainSharingOutputKmsKeyArn, kInstanceTypes, kSecurityGroupIdsKey}},
  };
}

// Each guardrail row (guardrails.cc) whose field SageMaker reports in a
// condition key, and the deny statement's test.
using G = Guardrail;
using C = GuardCheck;
using T = AwsGuardTest;
const std::array<AwsGuardrail, 10> kGuardrails = {{
    {G::kNetworkIsolation, kNetworkIsolationCode, C::kMustEqual, "", kNetworkIsolationKey, T::kMustBeTrue},
    {G::kInterContainerEncryption, kInterContainerEncryptionCode, C::kMustEqual, "", kInterContainerKey,
     T::kMustBeTrue},
    {G::kVpc, kVpcRequired, C::kMustExist, "", kSubnetsKey, T::kMustExist},
    {G::kVpc, kUnapprovedNetwork, C::kSubnets, "", kSubnetsKey, T::kApprovedIds},
    {G::kVpc, kUnapprovedNetwork, C::kSecurityGroups, "", kSecurityGroupIdsKey, T::kApprovedIds},
    {G::kNotebookExposure, kNotebookExposureCode, C::kMustEqual, ".directInternetAccess",
     "sagemaker:DirectInternetAccess", T::kMustEqual, "Disabled"},
    {G::kNotebookExposure, kNotebookExposureCode, C::kMustEqual, ".rootAccess", "sagemaker:RootAccess", T::kMustEqual,
     "Disabled"},
    {G::kDomainNetwork, kDomainNetworkCode, C::kMustEqual, ".appNetworkAccessType", "sagemaker:AppNetworkAccessType",
     T::kMustEqual, "VpcOnly"},
    {G::kPublicWorkforce, kPublicWorkforceCode, C::kMustNotMatch, ".workteamARN", "sagemaker:WorkteamType",
     T::kMustNotEqual, "public-crowd"},
    {G::kInteractiveAccess, kInteractiveAccessCode, C::kMustNotEqual, ".enableRemoteDebug",
     "sagemaker:EnableRemoteDebug", T::kMustNotBeTrue},
}};

constexpr std::array<std::string_view, 2> kKeyServices = {"sagemaker", "s3"};

}  // namespace

std::span<const AwsCall> AwsCalls() {
  static const std::vector<AwsCall> calls = BuildCalls();
  return calls;
}

std::span<const AwsAction> AwsActions() {
  static const std::vector<AwsAction> actions = BuildActions();
  return actions;
}

std::span<const AwsGuardrail> AwsGuardrails() { return kGuardrails; }

const AwsAction* FindAwsAction(std::string_view action) {
  for (const AwsAction& row : AwsActions()) {
    if (row.action == action) return &row;
  }
  return nullptr;
}

bool AwsActionHasKey(std::string_view action, std::string_view condition_key) {
  const AwsAction* row = FindAwsAction(action);
  return row != nullptr &&
         std::find(row->condition_keys.begin(), row->condition_keys.end(), condition_key) != row->condition_keys.end();
}

std::span<const std::string_view> KeyServices() { return kKeyServices; }

}  // namespace keyward
