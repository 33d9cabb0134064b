#include "policy/catalog/catalog.h"

#include <algorithm>
#include <tuple>

#include "policy/base/text.h"

namespace keyward {
namespace {

using enum KeyPurpose;
using enum LocalStorageRule;

constexpr bool kCreateOnly = true;
constexpr bool kUpdatable = false;
constexpr bool kDeprecated = true;
constexpr bool kCurrent = false;

// Shorthands for the common field shapes. A volume key on instances is
// refused on local-NVMe instance types, a job's and an endpoint config's
// alike ("the call to CreateEndpointConfig fails").
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
// The key's data exists once `anchor` does (see KmsField::anchor).
KmsField Anchored(KmsField field, std::string_view anchor, std::string_view anchor_switch = {}) {
  field.anchor = anchor;
  field.anchor_switch = anchor_switch;
  return field;
}
std::vector<RoleField> Roles(std::initializer_list<std::string_view> paths) {
  std::vector<RoleField> roles;
  for (std::string_view path : paths) roles.push_back({path});
  return roles;
}

// The four monitoring job definitions share one shape.
CatalogKind MonitoringJobDefinition(std::string_view kind, std::string_view resource,
                                    std::string_view output_path) {
  return {kAckGroup, "v1alpha1", kind, resource, "",
          {Output(output_path),
           JobVolume("spec.jobResources.clusterConfig.volumeKMSKeyID",
                     {"spec.jobResources.clusterConfig.instanceType"})},
          Roles({"spec.roleARN"})};
}

// A training job's volume key, in a TrainingJob or a tuning job's definition.
KmsField TrainingVolume(std::string_view path, std::vector<std::string_view> instance_types) {
  return Accepting(kKeyIdOrArn, JobVolume(path, std::move(instance_types)));
}

std::vector<CatalogKind> BuildCatalog() {
  std::vector<CatalogKind> kinds = {
      // AWS controller for SageMaker (ACK).
      MonitoringJobDefinition("DataQualityJobDefinition", "dataqualityjobdefinitions",
                              "spec.dataQualityJobOutputConfig.kmsKeyID"),
      {kAckGroup, "v1alpha1", "Domain", "domains", "",
       {Output("spec.defaultUserSettings.sharingSettings.s3KMSKeyID", kUpdatable),
        {"spec.homeEFSFileSystemKMSKeyID", kVolume, kCreateOnly, kDeprecated},
        Volume("spec.kmsKeyID")},
       Roles({"spec.defaultSpaceSettings.executionRole", "spec.defaultUserSettings.executionRole",
              "spec.domainSettings.rStudioServerProDomainSettings.domainExecutionRoleARN"})},
      {kAckGroup, "v1alpha1", "EndpointConfig", "endpointconfigs", "",
       {Output("spec.asyncInferenceConfig.outputConfig.kmsKeyID"),
        Output("spec.dataCaptureConfig.kmsKeyID"),
        JobVolume("spec.kmsKeyID", {"spec.productionVariants[].instanceType"}),
        Output("spec.productionVariants[].coreDumpConfig.kmsKeyID")},
       Roles({"spec.executionRoleARN"})},
      // The online store exists with onlineStoreConfig unless it is switched
      // off; SageMaker then keys it with an AWS-owned key when securityConfig
      // is absent. AWS documents no exception for the InMemory storage type.
      {kAckGroup, "v1alpha1", "FeatureGroup", "featuregroups", "",
       {Accepting(kKeyArnOnly, Output("spec.offlineStoreConfig.s3StorageConfig.kmsKeyID")),
        Accepting(kKeyArnOnly, Anchored(Volume("spec.onlineStoreConfig.securityConfig.kmsKeyID"),
                                        "spec.onlineStoreConfig", "enableOnlineStore"))},
       Roles({"spec.roleARN"})},
      {kAckGroup, "v1alpha1", "HyperParameterTuningJob", "hyperparametertuningjobs", "",
       {Output("spec.trainingJobDefinition.outputDataConfig.kmsKeyID"),
        TrainingVolume("spec.trainingJobDefinition.resourceConfig.volumeKMSKeyID",
                       {"spec.trainingJobDefinition.resourceConfig.instanceType",
                        "spec.trainingJobDefinition.resourceConfig.instanceGroups[].instanceType"}),
        Output("spec.trainingJobDefinitions[].outputDataConfig.kmsKeyID"),
        TrainingVolume("spec.trainingJobDefinitions[].resourceConfig.volumeKMSKeyID",
                       {"spec.trainingJobDefinitions[].resourceConfig.instanceType",
                        "spec.trainingJobDefinitions[].resourceConfig.instanceGroups[].instanceType"})},
       Roles({"spec.trainingJobDefinition.roleARN", "spec.trainingJobDefinitions[].roleARN"})},
      // Automated labeling runs instances with volumes as soon as
      // labelingJobAlgorithmsConfig exists, resource config or not.
      {kAckGroup, "v1alpha1", "LabelingJob", "labelingjobs", "",
       {Accepting(kKeyIdOrArn,
                  Anchored(Volume("spec.labelingJobAlgorithmsConfig.labelingJobResourceConfig.volumeKMSKeyID"),
                           "spec.labelingJobAlgorithmsConfig")),
        Output("spec.outputConfig.kmsKeyID")},
       Roles({"spec.roleARN"})},
      // Guardrails only (policy/catalog/guardrails.cc): its container image.
      {kAckGroup, "v1alpha1", "InferenceComponent", "inferencecomponents", "", {}},
      {kAckGroup, "v1alpha1", "Model", "models", "", {}, Roles({"spec.executionRoleARN"})},
      MonitoringJobDefinition("ModelBiasJobDefinition", "modelbiasjobdefinitions",
                              "spec.modelBiasJobOutputConfig.kmsKeyID"),
      MonitoringJobDefinition("ModelExplainabilityJobDefinition", "modelexplainabilityjobdefinitions",
                              "spec.modelExplainabilityJobOutputConfig.kmsKeyID"),
      {kAckGroup, "v1alpha1", "ModelPackage", "modelpackages", "",
       {Output("spec.validationSpecification.validationProfiles[].transformJobDefinition.transformOutput.kmsKeyID"),
        JobVolume("spec.validationSpecification.validationProfiles[].transformJobDefinition.transformResources.volumeKMSKeyID",
                  {"spec.validationSpecification.validationProfiles[].transformJobDefinition.transformResources.instanceType"})},
       Roles({"spec.validationSpecification.validationRole"})},
      MonitoringJobDefinition("ModelQualityJobDefinition", "modelqualityjobdefinitions",
                              "spec.modelQualityJobOutputConfig.kmsKeyID"),
      // A schedule's job definition can be updated, keys included.
      {kAckGroup, "v1alpha1", "MonitoringSchedule", "monitoringschedules", "",
       {Output("spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyID", kUpdatable),
        JobVolume("spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.volumeKMSKeyID",
                  {"spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringResources.clusterConfig.instanceType"},
                  kUpdatable)},
       Roles({"spec.monitoringScheduleConfig.monitoringJobDefinition.roleARN"})},
      // The notebook's ML storage volume is always EBS, whatever the instance type.
      {kAckGroup, "v1alpha1", "NotebookInstance", "notebookinstances", "",
       {Accepting(kKeyArnOnly, Volume("spec.kmsKeyID"))},
       Roles({"spec.roleARN"})},
      // The steps of a pipeline start jobs with keys and roles of their own.
      {kAckGroup, "v1alpha1", "Pipeline", "pipelines", "", {}, Roles({"spec.roleARN"}),
       EmbeddedKeys::kPipelineDefinition, "spec.pipelineDefinition"},
      // A run cannot be tied to its pipeline's definition here; its parameter
      // values that look like keys are judged (policy/rules/pipeline_rules.h).
      {kAckGroup, "v1alpha1", "PipelineExecution", "pipelineexecutions", "", {}, {},
       EmbeddedKeys::kPipelineParameters, "spec.pipelineParameters"},
      {kAckGroup, "v1alpha1", "ProcessingJob", "processingjobs", "",
       {Output("spec.processingInputs[].datasetDefinition.athenaDatasetDefinition.kmsKeyID"),
        Output("spec.processingInputs[].datasetDefinition.redshiftDatasetDefinition.kmsKeyID"),
        Output("spec.processingOutputConfig.kmsKeyID"),
        JobVolume("spec.processingResources.clusterConfig.volumeKMSKeyID",
                  {"spec.processingResources.clusterConfig.instanceType"})},
       Roles({"spec.processingInputs[].datasetDefinition.redshiftDatasetDefinition.clusterRoleARN",
              "spec.roleARN"})},
      // The role CloudFormation assumes to provision the project's template.
      {kAckGroup, "v1alpha1", "Project", "projects", "", {},
       Roles({"spec.templateProviders[].cfnTemplateProvider.roleARN"})},
      // Guardrails only: remote access to the space.
      {kAckGroup, "v1alpha1", "Space", "spaces", "", {}},
      {kAckGroup, "v1alpha1", "TrainingJob", "trainingjobs", "",
       {Output("spec.outputDataConfig.kmsKeyID"),
        TrainingVolume("spec.resourceConfig.volumeKMSKeyID",
                       {"spec.resourceConfig.instanceType", "spec.resourceConfig.instanceGroups[].instanceType"})},
       Roles({"spec.roleARN"})},
      {kAckGroup, "v1alpha1", "TransformJob", "transformjobs", "",
       {Output("spec.transformOutput.kmsKeyID"),
        JobVolume("spec.transformResources.volumeKMSKeyID", {"spec.transformResources.instanceType"})}},
      {kAckGroup, "v1alpha1", "UserProfile", "userprofiles", "",
       {Output("spec.userSettings.sharingSettings.s3KMSKeyID", kUpdatable)},
       Roles({"spec.userSettings.executionRole"})},

      // Legacy SageMaker operator: kmsKeyId casing, region in the spec.
      {kLegacyGroup, "v1", "BatchTransformJob", "batchtransformjobs", "spec.region",
       {Output("spec.transformOutput.kmsKeyId"),
        JobVolume("spec.transformResources.volumeKmsKeyId", {"spec.transformResources.instanceType"})}},
      {kLegacyGroup, "v1", "EndpointConfig", "endpointconfigs", "spec.region",
       {JobVolume("spec.kmsKeyId", {"spec.productionVariants[].instanceType"})}},
      {kLegacyGroup, "v1", "HostingDeployment", "hostingdeployments", "spec.region",
       {JobVolume("spec.kmsKeyId", {"spec.productionVariants[].instanceType"})},
       Roles({"spec.models[].executionRoleArn"})},
      {kLegacyGroup, "v1", "HyperparameterTuningJob", "hyperparametertuningjobs", "spec.region",
       {Output("spec.trainingJobDefinition.outputDataConfig.kmsKeyId"),
        TrainingVolume("spec.trainingJobDefinition.resourceConfig.volumeKmsKeyId",
                       {"spec.trainingJobDefinition.resourceConfig.instanceType"})},
       Roles({"spec.trainingJobDefinition.roleArn"})},
      {kLegacyGroup, "v1", "Model", "models", "spec.region", {}, Roles({"spec.executionRoleArn"})},
      {kLegacyGroup, "v1", "ProcessingJob", "processingjobs", "spec.region",
       {Output("spec.processingOutputConfig.kmsKeyId"),
        JobVolume("spec.processingResources.clusterConfig.volumeKmsKeyId",
                  {"spec.processingResources.clusterConfig.instanceType"})},
       Roles({"spec.roleArn"})},
      {kLegacyGroup, "v1", "TrainingJob", "trainingjobs", "spec.region",
       {Output("spec.outputDataConfig.kmsKeyId"),
        TrainingVolume("spec.resourceConfig.volumeKmsKeyId", {"spec.resourceConfig.instanceType"})},
       Roles({"spec.roleArn"})},
  };
  for (CatalogKind& kind : kinds) {
    for (KmsField& field : kind.fields) SplitFieldPaths(field);
    for (RoleField& role : kind.roles) role.split_path = SplitFieldPath(role.path);
    kind.refused = RefusedFieldsFor(kind.group, kind.kind);
  }
  std::sort(kinds.begin(), kinds.end(), [](const CatalogKind& a, const CatalogKind& b) {
    return std::tie(a.group, a.kind) < std::tie(b.group, b.kind);
  });
  return kinds;
}

struct Replacement {
  std::string_view kind;
  std::string_view fix;
};

// By kind name, the ACK and legacy kinds alike.
constexpr Replacement kReplacements[] = {
    {"BatchTransformJob", "run the transform again as a new BatchTransformJob with the key set"},
    {"DataQualityJobDefinition",
     "create a new DataQualityJobDefinition with the key set, point the MonitoringSchedule at it, then delete this one"},
    {"Domain", "create a new Domain with the key set and move its user profiles and spaces, then delete this one"},
    {"EndpointConfig",
     "create a new EndpointConfig with the key set, point the Endpoint at it, then delete this one"},
    {"FeatureGroup", "create a new FeatureGroup with the key set and ingest its records again, then delete this one"},
    {"HostingDeployment", "create a new HostingDeployment with the key set, move traffic to it, then delete this one"},
    {"HyperParameterTuningJob", "run the tuning again as a new HyperParameterTuningJob with the key set"},
    {"HyperparameterTuningJob", "run the tuning again as a new HyperparameterTuningJob with the key set"},
    {"LabelingJob", "run the labeling again as a new LabelingJob with the key set"},
    {"ModelBiasJobDefinition",
     "create a new ModelBiasJobDefinition with the key set, point the MonitoringSchedule at it, then delete this one"},
    {"ModelExplainabilityJobDefinition",
     "create a new ModelExplainabilityJobDefinition with the key set, point the MonitoringSchedule at it, then "
     "delete this one"},
    {"ModelPackage", "register a new ModelPackage version with the key set"},
    {"ModelQualityJobDefinition",
     "create a new ModelQualityJobDefinition with the key set, point the MonitoringSchedule at it, then delete this "
     "one"},
    {"NotebookInstance",
     "create a new NotebookInstance with the key set and move its notebooks, then delete this one"},
    {"ProcessingJob", "run the processing again as a new ProcessingJob with the key set"},
    {"TrainingJob", "run the training again as a new TrainingJob with the key set"},
    {"TransformJob", "run the transform again as a new TransformJob with the key set"},
};

}  // namespace

std::string_view ReplacementFix(const CatalogKind& kind) {
  for (const Replacement& r : kReplacements) {
    if (r.kind == kind.kind) return r.fix;
  }
  return "delete and recreate the resource with the key set";
}

KmsField Accepting(KeyForms forms, KmsField field) {
  field.accepted_forms = forms;
  return field;
}

void SplitFieldPaths(KmsField& field) {
  field.split_path = SplitFieldPath(field.path);
  field.split_instance_type_paths.clear();
  for (std::string_view pattern : field.instance_type_paths) {
    field.split_instance_type_paths.push_back(SplitFieldPath(pattern));
  }
  field.anchor_depth = field.anchor.empty() ? 0 : SplitFieldPath(field.anchor).size();
}

std::string KeyFormsText(KeyForms forms) {
  std::string out;
  for (KeyReferenceForm form : {KeyReferenceForm::kKeyId, KeyReferenceForm::kKeyArn, KeyReferenceForm::kAliasName,
                                KeyReferenceForm::kAliasArn}) {
    if ((forms & FormBit(form)) == 0) continue;
    out += out.empty() ? "a " : " or ";
    out += KeyReferenceFormName(form);
  }
  return out;
}

std::string_view KeyPurposeName(KeyPurpose purpose) { return WordOf<KeyPurpose>(kKeyPurposeWords, purpose); }

std::span<const CatalogKind> Catalog() {
  static const std::vector<CatalogKind> kCatalog = BuildCatalog();
  return kCatalog;
}

const CatalogKind* FindCatalogKind(std::string_view group, std::string_view kind) {
  // The kind first: kinds differ early (or in length), while the two groups
  // are long and share their first ten characters.
  for (const CatalogKind& entry : Catalog()) {
    if (entry.kind == kind && entry.group == group) return &entry;
  }
  return nullptr;
}

bool IsSageMakerGroup(std::string_view group) { return group == kAckGroup || group == kLegacyGroup; }

const CatalogKind* NearestCatalogKind(std::string_view group, std::string_view kind) {
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
  };
  const std::string wanted = lower(kind);
  const CatalogKind* best = nullptr;
  size_t best_distance = std::max<size_t>(3, wanted.size() / 3) + 1;  // near: a few edits, more for long names
  for (const CatalogKind& entry : Catalog()) {
    if (entry.group != group) continue;
    const size_t distance = EditDistance(wanted, lower(entry.kind));
    if (distance < best_distance) {
      best = &entry;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace keyward
