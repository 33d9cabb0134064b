#include "policy/catalog/pipeline_steps.h"

namespace keyward {
namespace {

using enum KeyPurpose;
using enum LocalStorageRule;
using enum StepShape;

// A pipeline's keys can be changed after creation (UpdatePipeline), so none
// is create-only.
constexpr bool kUpdatable = false;
constexpr bool kCurrent = false;

KmsField Output(std::string_view path) { return {path, kOutput, kUpdatable, kCurrent}; }
KmsField Volume(std::string_view path) { return {path, kVolume, kUpdatable, kCurrent}; }
KmsField JobVolume(std::string_view path, std::vector<std::string_view> instance_types) {
  return {path, kVolume, kUpdatable, kCurrent, kRejectKey, std::move(instance_types)};
}

std::vector<KmsField> ProcessingFields() {
  return {Output("ProcessingOutputConfig.KmsKeyId"),
          JobVolume("ProcessingResources.ClusterConfig.VolumeKmsKeyId", {"ProcessingResources.ClusterConfig.InstanceType"})};
}

std::vector<KmsField> EndpointConfigFields() {
  return {JobVolume("KmsKeyId", {"ProductionVariants[].InstanceType"}),
          Output("ProductionVariants[].CoreDumpConfig.KmsKeyId"), Output("AsyncInferenceConfig.OutputConfig.KmsKeyId")};
}

std::vector<StepKind> BuildSteps() {
  std::vector<StepKind> steps = {
      {"Training", "", kJob,
       {Accepting(kKeyIdOrArn, JobVolume("ResourceConfig.VolumeKmsKeyId",
                                         {"ResourceConfig.InstanceType", "ResourceConfig.InstanceGroups[].InstanceType"})),
        Output("OutputDataConfig.KmsKeyId")}},
      {"Processing", "", kJob, ProcessingFields()},
      {"QualityCheck", "", kJob, ProcessingFields()},
      {"ClarifyCheck", "", kJob, ProcessingFields()},
      {"Transform", "", kJob,
       {Output("TransformOutput.KmsKeyId"),
        JobVolume("TransformResources.VolumeKmsKeyId", {"TransformResources.InstanceType"})}},
      {"Tuning", "", kJob,
       {Output("TrainingJobDefinition.OutputDataConfig.KmsKeyId"),
        Accepting(kKeyIdOrArn, JobVolume("TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
                                         {"TrainingJobDefinition.ResourceConfig.InstanceType",
                                          "TrainingJobDefinition.ResourceConfig.InstanceGroups[].InstanceType"})),
        Output("TrainingJobDefinitions[].OutputDataConfig.KmsKeyId"),
        Accepting(kKeyIdOrArn, JobVolume("TrainingJobDefinitions[].ResourceConfig.VolumeKmsKeyId",
                                         {"TrainingJobDefinitions[].ResourceConfig.InstanceType",
                                          "TrainingJobDefinitions[].ResourceConfig.InstanceGroups[].InstanceType"}))}},
      {"AutoML", "", kJob,
       {Output("OutputDataConfig.KmsKeyId"), Volume("AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId")}},
      {"EndpointConfig", "", kJob, EndpointConfigFields()},
      {"Endpoint", "ProductionVariants", kJob, EndpointConfigFields()},
      {"Endpoint", "", kJob},  // an endpoint from an existing config: no key fields
      {"Model", "", kJob},
      {"RegisterModel", "", kJob},
      {"Condition", "", kCondition},
      {"Fail", "", kNothing},
      {"Lambda", "", kOpaque},
      {"Callback", "", kOpaque},
      {"EMR", "", kOpaque},
  };
  for (StepKind& step : steps) {
    for (KmsField& field : step.fields) SplitFieldPaths(field);
  }
  return steps;
}

}  // namespace

std::span<const StepKind> PipelineSteps() {
  static const std::vector<StepKind> kSteps = BuildSteps();
  return kSteps;
}

const StepKind* FindStepKind(std::string_view type, const nlohmann::json* arguments) {
  for (const StepKind& step : PipelineSteps()) {
    if (step.type != type) continue;
    if (step.only_with.empty()) return &step;
    if (arguments != nullptr && arguments->is_object() && arguments->contains(step.only_with)) return &step;
  }
  return nullptr;
}

}  // namespace keyward
