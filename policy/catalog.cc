#include "policy/catalog.h"

#include <algorithm>
#include <tuple>

namespace keyward {
namespace {

using enum KeyPurpose;
using enum LocalStorageRule;

constexpr bool kCreateOnly = true;
constexpr bool kUpdatable = false;
constexpr bool kDeprecated = true;
constexpr bool kCurrent = false;

// Shorthands for the common field shapes. A job volume key is rejected on
// local-NVMe instance types; a hosting volume key only draws a warning.
KmsField Output(std::string_view path, bool create_only = kCreateOnly) {
  return {path, kOutput, create_only, kCurrent};
}
KmsField Volume(std::string_view path, bool create_only = kCreateOnly) {
  return {path, kVolume, create_only, kCurrent};
}
KmsField JobVolume(std::string_view path, std::vector<std::string_view> instance_types,
                   bool create_only = kCreateOnly) {
  return {path, kVolume, create_only, kCurrent, kRejectKey, std::move(instance_types)};
}
KmsField HostingVolume(std::string_view path, std::vector<std::string_view> instance_types) {
  return {path, kVolume, kCreateOnly, kCurrent, kWarnKey, std::move(instance_types)};
}

// The four monitoring job definitions share one shape.
CatalogKind MonitoringJobDefinition(std::string_view kind, std::string_view resource,
                                    std::string_view output_path) {
  return {kAckGroup, "v1alpha1", kind, resource, "",
          {Output(output_path),
           JobVolume("spec.jobResources.clusterConfig.volumeKMSKeyID",
                     {"spec.jobResources.clusterConfig.instanceType"})}};
}

std::vector<CatalogKind> BuildCatalog() {
  std::vector<CatalogKind> kinds = {
      // AWS controller for SageMaker (ACK).
      MonitoringJobDefinition("DataQualityJobDefinition", "dataqualityjobdefinitions",
                              "spec.dataQualityJobOutputConfig.kmsKeyID"),
      {kAckGroup, "v1alpha1", "Domain", "domains", "",
       {Output("spec.defaultUserSettings.sharingSettings.s3KMSKeyID", kUpdatable),
        {"spec.homeEFSFileSystemKMSKeyID", kVolume, kCreateOnly, kDeprecated},
        Volume("spec.kmsKeyID")}},
      {kAckGroup, "v1alpha1", "EndpointConfig", "endpointconfigs", "",
       {Output("spec.asyncInferenceConfig.outputConfig.kmsKeyID"),
        Output("spec.dataCaptureConfig.kmsKeyID"),
        HostingVolume("spec.kmsKeyID", {"spec.productionVariants[].instanceType"}),
        Output("spec.productionVariants[].coreDumpConfig.kmsKeyID")}},
      {kAckGroup, "v1alpha1", "FeatureGroup", "featuregroups", "",
       {Output("spec.offlineStoreConfig.s3StorageConfig.kmsKeyID"),
        Volume("spec.onlineStoreConfig.securityConfig.kmsKeyID")}},
      {kAckGroup, "v1alpha1", "HyperParameterTuningJob", "hyperparametertuningjobs", "",
       {Output("spec.trainingJobDefinition.outputDataConfig.kmsKeyID"),
        JobVolume("spec.trainingJobDefinition.resourceConfig.volumeKMSKeyID",
                  {"spec.trainingJobDefinition.resourceConfig.instanceType",
                   "spec.trainingJobDefinition.resourceConfig.instanceGroups[].instanceType"}),
        Output("spec.trainingJobDefinitions[].outputDataConfig.kmsKeyID"),
        JobVolume("spec.trainingJobDefinitions[].resourceConfig.volumeKMSKeyID",
                  {"spec.trainingJobDefinitions[].resourceConfig.instanceType",
                   "spec.trainingJobDefinitions[].resourceConfig.instanceGroups[].instanceType"})}},
      {kAckGroup, "v1alpha1", "LabelingJob", "labelingjobs", "",
       {Volume("spec.labelingJobAlgorithmsConfig.labelingJobResourceConfig.volumeKMSKeyID"),
        Output("spec.outputConfig.kmsKeyID")}},
      MonitoringJobDefinition("ModelBiasJobDefinition", "modelbiasjobdefinitions",
                              "spec.modelBiasJobOutputConfig.kmsKeyID"),
      MonitoringJobDefinition("ModelExplainabilityJobDefinition", "modelexplainabilityjobdefinitions",
                              "spec.modelExplainabilityJobOutputConfig.kmsKeyID"),
      {kAckGroup, "v1alpha1", "ModelPackage", "modelpackages", "",
       {Output("spec.validationSpecification.validationProfiles[].transformJobDefinition.transformOutput.kmsKeyID"),
        JobVolume("spec.validationSpecification.validationProfiles[].transformJobDefinition.transformResources.volumeKMSKeyID",
                  {"spec.validationSpecification.validationProfiles[].transformJobDefinition.transformResources.instanceType"})}},
      MonitoringJobDefinition("ModelQualityJobDefinition", "modelqualityjobdefinitions",
                              "spec.modelQualityJobOutputConfig.kmsKeyID"),
      // A schedule's job definition can be updated, keys included.
      {kAckGroup, "v1alpha1", "MonitoringSchedule", "monitoringschedules", "",
       {Output("spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyID", kUpdatable),
        JobVolume("spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.volumeKMSKeyID",
                  {"spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.instanceType"},
                  kUpdatable)}},
      // The notebook's ML storage volume is always EBS, whatever the instance type.
      {kAckGroup, "v1alpha1", "NotebookInstance", "notebookinstances", "", {Volume("spec.kmsKeyID")}},
      {kAckGroup, "v1alpha1", "ProcessingJob", "processingjobs", "",
       {Output("spec.processingInputs[].datasetDefinition.athenaDatasetDefinition.kmsKeyID"),
        Output("spec.processingInputs[].datasetDefinition.redshiftDatasetDefinition.kmsKeyID"),
        Output("spec.processingOutputConfig.kmsKeyID"),
        JobVolume("spec.processingResources.clusterConfig.volumeKMSKeyID",
                  {"spec.processingResources.clusterConfig.instanceType"})}},
      {kAckGroup, "v1alpha1", "TrainingJob", "trainingjobs", "",
       {Output("spec.outputDataConfig.kmsKeyID"),
        JobVolume("spec.resourceConfig.volumeKMSKeyID",
                  {"spec.resourceConfig.instanceType", "spec.resourceConfig.instanceGroups[].instanceType"})}},
      {kAckGroup, "v1alpha1", "TransformJob", "transformjobs", "",
       {Output("spec.transformOutput.kmsKeyID"),
        JobVolume("spec.transformResources.volumeKMSKeyID", {"spec.transformResources.instanceType"})}},
      {kAckGroup, "v1alpha1", "UserProfile", "userprofiles", "",
       {Output("spec.userSettings.sharingSettings.s3KMSKeyID", kUpdatable)}},

      // Legacy SageMaker operator: kmsKeyId casing, region in the spec.
      {kLegacyGroup, "v1", "BatchTransformJob", "batchtransformjobs", "spec.region",
       {Output("spec.transformOutput.kmsKeyId"),
        JobVolume("spec.transformResources.volumeKmsKeyId", {"spec.transformResources.instanceType"})}},
      {kLegacyGroup, "v1", "EndpointConfig", "endpointconfigs", "spec.region",
       {HostingVolume("spec.kmsKeyId", {"spec.productionVariants[].instanceType"})}},
      {kLegacyGroup, "v1", "HostingDeployment", "hostingdeployments", "spec.region",
       {HostingVolume("spec.kmsKeyId", {"spec.productionVariants[].instanceType"})}},
      {kLegacyGroup, "v1", "HyperparameterTuningJob", "hyperparametertuningjobs", "spec.region",
       {Output("spec.trainingJobDefinition.outputDataConfig.kmsKeyId"),
        JobVolume("spec.trainingJobDefinition.resourceConfig.volumeKmsKeyId",
                  {"spec.trainingJobDefinition.resourceConfig.instanceType"})}},
      {kLegacyGroup, "v1", "ProcessingJob", "processingjobs", "spec.region",
       {Output("spec.processingOutputConfig.kmsKeyId"),
        JobVolume("spec.processingResources.clusterConfig.volumeKmsKeyId",
                  {"spec.processingResources.clusterConfig.instanceType"})}},
      {kLegacyGroup, "v1", "TrainingJob", "trainingjobs", "spec.region",
       {Output("spec.outputDataConfig.kmsKeyId"),
        JobVolume("spec.resourceConfig.volumeKmsKeyId", {"spec.resourceConfig.instanceType"})}},
  };
  for (CatalogKind& kind : kinds) {
    for (KmsField& field : kind.fields) {
      field.split_path = SplitFieldPath(field.path);
      for (std::string_view pattern : field.instance_type_paths) {
        field.split_instance_type_paths.push_back(SplitFieldPath(pattern));
      }
    }
  }
  std::sort(kinds.begin(), kinds.end(), [](const CatalogKind& a, const CatalogKind& b) {
    return std::tie(a.group, a.kind) < std::tie(b.group, b.kind);
  });
  return kinds;
}

}  // namespace

std::string_view KeyPurposeName(KeyPurpose purpose) { return WordOf<KeyPurpose>(kKeyPurposeWords, purpose); }

std::span<const CatalogKind> Catalog() {
  static const std::vector<CatalogKind> kCatalog = BuildCatalog();
  return kCatalog;
}

const CatalogKind* FindCatalogKind(std::string_view group, std::string_view kind) {
  for (const CatalogKind& entry : Catalog()) {
    if (entry.group == group && entry.kind == kind) return &entry;
  }
  return nullptr;
}

}  // namespace keyward
