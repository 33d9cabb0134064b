#include "policy/catalog/refused_fields.h"

#include <algorithm>
#include <tuple>

#include "policy/catalog/catalog.h"

namespace keyward {
namespace {

using enum Refusal;

// The pages each row cites (README "Where SageMaker refuses a field").
constexpr std::string_view kLocalStorageSource =
    "API reference: ResourceConfig.VolumeKmsKeyId, ProcessingClusterConfig.VolumeKmsKeyId, "
    "TransformResources.VolumeKmsKeyId, CreateEndpointConfig KmsKeyId (\"the call to CreateEndpointConfig fails\")";
constexpr std::string_view kInferenceComponentSource =
    "API reference: CreateEndpointConfig EnableNetworkIsolation, VpcConfig, ExecutionRoleArn (for endpoints that "
    "host inference components; with a ModelName, the Model holds them)";
constexpr std::string_view kServerlessSource =
    "Developer Guide: Serverless Inference, feature exclusions (no VPC configuration, no network isolation, no data "
    "capture)";
constexpr std::string_view kS3ExpressSource =
    "API reference: OutputDataConfig KmsKeyId (\"KMS key is not supported for Amazon S3 Express One Zone\"); S3 User "
    "Guide: directory buckets, data protection and encryption (SSE-S3)";

RefusedField ExpressOutput(std::string_view group, std::string_view kind, std::string_view key_path,
                           std::vector<std::string_view> uris) {
  return {group, kind, key_path, kS3ExpressOutput, std::move(uris), kS3ExpressSource};
}

std::vector<RefusedField> BuildTable() {
  constexpr std::string_view kModelNames = "spec.productionVariants[].modelName";
  constexpr std::string_view kServerless = "spec.productionVariants[].serverlessConfig";
  std::vector<RefusedField> rows = {
      // Local NVMe: every volume key with instance types, read through the
      // catalog's instance type paths.
      {"*", "*", "volume keys with instance types", kLocalStorage, {}, kLocalStorageSource},

      {kAckGroup, "EndpointConfig", "spec.enableNetworkIsolation", kModelVariants, {kModelNames},
       kInferenceComponentSource},
      {kAckGroup, "EndpointConfig", "spec.vpcConfig", kModelVariants, {kModelNames}, kInferenceComponentSource},
      {kAckGroup, "EndpointConfig", "spec.executionRoleARN", kModelVariants, {kModelNames},
       kInferenceComponentSource},
      {kAckGroup, "EndpointConfig", "spec.enableNetworkIsolation", kServerlessVariants, {kServerless},
       kServerlessSource},
      {kAckGroup, "EndpointConfig", "spec.vpcConfig", kServerlessVariants, {kServerless}, kServerlessSource},
      {kAckGroup, "EndpointConfig", "spec.dataCaptureConfig", kServerlessVariants, {kServerless}, kServerlessSource},

      ExpressOutput(kAckGroup, "DataQualityJobDefinition", "spec.dataQualityJobOutputConfig.kmsKeyID",
                    {"spec.dataQualityJobOutputConfig.monitoringOutputs[].s3Output.s3URI"}),
      ExpressOutput(kAckGroup, "ModelBiasJobDefinition", "spec.modelBiasJobOutputConfig.kmsKeyID",
                    {"spec.modelBiasJobOutputConfig.monitoringOutputs[].s3Output.s3URI"}),
      ExpressOutput(kAckGroup, "ModelExplainabilityJobDefinition", "spec.modelExplainabilityJobOutputConfig.kmsKeyID",
                    {"spec.modelExplainabilityJobOutputConfig.monitoringOutputs[].s3Output.s3URI"}),
      ExpressOutput(kAckGroup, "ModelQualityJobDefinition", "spec.modelQualityJobOutputConfig.kmsKeyID",
                    {"spec.modelQualityJobOutputConfig.monitoringOutputs[].s3Output.s3URI"}),
      ExpressOutput(kAckGroup, "Domain", "spec.defaultUserSettings.sharingSettings.s3KMSKeyID",
                    {"spec.defaultUserSettings.sharingSettings.s3OutputPath"}),
      ExpressOutput(kAckGroup, "EndpointConfig", "spec.asyncInferenceConfig.outputConfig.kmsKeyID",
                    {"spec.asyncInferenceConfig.outputConfig.s3OutputPath",
                     "spec.asyncInferenceConfig.outputConfig.s3FailurePath"}),
      ExpressOutput(kAckGroup, "EndpointConfig", "spec.dataCaptureConfig.kmsKeyID",
                    {"spec.dataCaptureConfig.destinationS3URI"}),
      ExpressOutput(kAckGroup, "EndpointConfig", "spec.productionVariants[].coreDumpConfig.kmsKeyID",
                    {"spec.productionVariants[].coreDumpConfig.destinationS3URI"}),
      ExpressOutput(kAckGroup, "FeatureGroup", "spec.offlineStoreConfig.s3StorageConfig.kmsKeyID",
                    {"spec.offlineStoreConfig.s3StorageConfig.s3URI"}),
      ExpressOutput(kAckGroup, "HyperParameterTuningJob", "spec.trainingJobDefinition.outputDataConfig.kmsKeyID",
                    {"spec.trainingJobDefinition.outputDataConfig.s3OutputPath"}),
      ExpressOutput(kAckGroup, "HyperParameterTuningJob", "spec.trainingJobDefinitions[].outputDataConfig.kmsKeyID",
                    {"spec.trainingJobDefinitions[].outputDataConfig.s3OutputPath"}),
      ExpressOutput(kAckGroup, "LabelingJob", "spec.outputConfig.kmsKeyID", {"spec.outputConfig.s3OutputPath"}),
      ExpressOutput(
          kAckGroup, "ModelPackage",
          "spec.validationSpecification.validationProfiles[].transformJobDefinition.transformOutput.kmsKeyID",
          {"spec.validationSpecification.validationProfiles[].transformJobDefinition.transformOutput.s3OutputPath"}),
      ExpressOutput(kAckGroup, "MonitoringSchedule",
                    "spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyID",
                    {"spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.monitoringOutputs[]"
                     ".s3Output.s3URI"}),
      ExpressOutput(kAckGroup, "ProcessingJob",
                    "spec.processingInputs[].datasetDefinition.athenaDatasetDefinition.kmsKeyID",
                    {"spec.processingInputs[].datasetDefinition.athenaDatasetDefinition.outputS3URI"}),
      ExpressOutput(kAckGroup, "ProcessingJob",
                    "spec.processingInputs[].datasetDefinition.redshiftDatasetDefinition.kmsKeyID",
                    {"spec.processingInputs[].datasetDefinition.redshiftDatasetDefinition.outputS3URI"}),
      ExpressOutput(kAckGroup, "ProcessingJob", "spec.processingOutputConfig.kmsKeyID",
                    {"spec.processingOutputConfig.outputs[].s3Output.s3URI"}),
      ExpressOutput(kAckGroup, "TrainingJob", "spec.outputDataConfig.kmsKeyID", {"spec.outputDataConfig.s3OutputPath"}),
      ExpressOutput(kAckGroup, "TransformJob", "spec.transformOutput.kmsKeyID", {"spec.transformOutput.s3OutputPath"}),
      ExpressOutput(kAckGroup, "UserProfile", "spec.userSettings.sharingSettings.s3KMSKeyID",
                    {"spec.userSettings.sharingSettings.s3OutputPath"}),

      ExpressOutput(kLegacyGroup, "BatchTransformJob", "spec.transformOutput.kmsKeyId",
                    {"spec.transformOutput.s3OutputPath"}),
      ExpressOutput(kLegacyGroup, "HyperparameterTuningJob", "spec.trainingJobDefinition.outputDataConfig.kmsKeyId",
                    {"spec.trainingJobDefinition.outputDataConfig.s3OutputPath"}),
      ExpressOutput(kLegacyGroup, "ProcessingJob", "spec.processingOutputConfig.kmsKeyId",
                    {"spec.processingOutputConfig.outputs[].s3Output.s3Uri"}),
      ExpressOutput(kLegacyGroup, "TrainingJob", "spec.outputDataConfig.kmsKeyId", {"spec.outputDataConfig.s3OutputPath"}),
  };
  for (RefusedField& row : rows) {
    row.split_path = SplitFieldPath(row.path);
    for (std::string_view read : row.reads) row.split_reads.push_back(SplitFieldPath(read));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const RefusedField& a, const RefusedField& b) {
    return std::tie(a.group, a.kind, a.path) < std::tie(b.group, b.kind, b.path);
  });
  return rows;
}

}  // namespace

std::span<const RefusedField> RefusedFields() {
  static const std::vector<RefusedField> kTable = BuildTable();
  return kTable;
}

std::vector<const RefusedField*> RefusedFieldsFor(std::string_view group, std::string_view kind) {
  std::vector<const RefusedField*> out;
  for (const RefusedField& row : RefusedFields()) {
    if (row.group == group && row.kind == kind) out.push_back(&row);
  }
  return out;
}

bool IsS3ExpressUri(std::string_view uri) {
  constexpr std::string_view kSuffix = "--x-s3";
  size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view rest = uri.substr(scheme + 3);
  std::string_view host = rest.substr(0, rest.find('/'));
  // s3://bucket/...; https://bucket.s3express-ZONE.REGION.amazonaws.com/...
  std::string_view bucket = uri.starts_with("s3://") ? host : host.substr(0, host.find('.'));
  return bucket.size() > kSuffix.size() && bucket.ends_with(kSuffix);
}

}  // namespace keyward
