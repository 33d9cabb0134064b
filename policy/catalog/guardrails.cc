#include "policy/catalog/guardrails.h"

#include <map>
#include <string>
#include <utility>

#include "policy/catalog/catalog.h"

namespace keyward {
namespace {

using enum Guardrail;
using enum GuardCheck;

constexpr std::string_view kIsolationWhy = "so the containers cannot make outbound network calls";
constexpr std::string_view kEncryptionWhy = "so traffic between training or processing instances is encrypted";

// Shorthands for the rows. `anchor` as for keys: where the setting applies
// while the object holding it is missing (a job's networkConfig).
GuardrailField Isolation(std::string_view path, std::string_view anchor = {}) {
  return {kNetworkIsolation, kNetworkIsolationCode, path, kMustEqual, "true", anchor, true, {}, kIsolationWhy};
}
GuardrailField Encryption(std::string_view path, std::string_view anchor = {}) {
  return {kInterContainerEncryption, kInterContainerEncryptionCode, path, kMustEqual, "true", anchor, true, {},
          kEncryptionWhy};
}
GuardrailField VpcExists(std::string_view path, std::string_view anchor = {}) {
  return {kVpc, kVpcRequired, path, kMustExist, {}, anchor, false, {}, "so it runs in the tenant's VPC"};
}
GuardrailField Subnets(std::string_view path) { return {kVpc, kUnapprovedNetwork, path, kSubnets}; }
GuardrailField SecurityGroups(std::string_view path) { return {kVpc, kUnapprovedNetwork, path, kSecurityGroups}; }
GuardrailField Image(std::string_view path) { return {kImages, kUnapprovedImage, path, kApprovedImage}; }
GuardrailField NoInteractive(std::string_view path, std::string_view unsafe_value) {
  return {kInteractiveAccess, kInteractiveAccessCode, path, kMustNotEqual, unsafe_value, {}, false, {},
          "so nobody gets an interactive session on the instances"};
}

// A job that runs in a network configuration: isolation, encryption, VPC.
std::vector<GuardrailField> NetworkedJob(std::string_view isolation, std::string_view encryption,
                                         std::string_view vpc, std::string_view subnets,
                                         std::string_view security_groups, std::string_view anchor = {}) {
  return {Isolation(isolation, anchor), Encryption(encryption, anchor), VpcExists(vpc, anchor), Subnets(subnets),
          SecurityGroups(security_groups)};
}

std::vector<GuardrailField> Join(std::vector<GuardrailField> a, std::vector<GuardrailField> b) {
  for (GuardrailField& row : b) a.push_back(std::move(row));
  return a;
}

using Key = std::pair<std::string_view, std::string_view>;  // (group, kind), or ("step", Type)
constexpr std::string_view kStep = "step";

std::vector<GuardrailField> MonitoringDefinition(std::string_view image) {
  return Join(NetworkedJob("spec.networkConfig.enableNetworkIsolation",
                           "spec.networkConfig.enableInterContainerTrafficEncryption", "spec.networkConfig.vpcConfig",
                           "spec.networkConfig.vpcConfig.subnets", "spec.networkConfig.vpcConfig.securityGroupIDs",
                           "spec"),
              {Image(image)});
}

std::vector<GuardrailField> StepProcessing() {
  return Join(NetworkedJob("Arguments.NetworkConfig.EnableNetworkIsolation",
                           "Arguments.NetworkConfig.EnableInterContainerTrafficEncryption",
                           "Arguments.NetworkConfig.VpcConfig", "Arguments.NetworkConfig.VpcConfig.Subnets",
                           "Arguments.NetworkConfig.VpcConfig.SecurityGroupIds", "Arguments"),
              {Image("Arguments.AppSpecification.ImageUri")});
}

std::map<Key, std::vector<GuardrailField>> BuildTable() {
  std::map<Key, std::vector<GuardrailField>> table = {
      // AWS controller for SageMaker (ACK).
      {{kAckGroup, "TrainingJob"},
       Join(NetworkedJob("spec.enableNetworkIsolation", "spec.enableInterContainerTrafficEncryption", "spec.vpcConfig",
                         "spec.vpcConfig.subnets", "spec.vpcConfig.securityGroupIDs"),
            {NoInteractive("spec.remoteDebugConfig.enableRemoteDebug", "true"),
             Image("spec.algorithmSpecification.trainingImage")})},
      {{kAckGroup, "HyperParameterTuningJob"},
       Join(Join(NetworkedJob("spec.trainingJobDefinition.enableNetworkIsolation",
                              "spec.trainingJobDefinition.enableInterContainerTrafficEncryption",
                              "spec.trainingJobDefinition.vpcConfig", "spec.trainingJobDefinition.vpcConfig.subnets",
                              "spec.trainingJobDefinition.vpcConfig.securityGroupIDs"),
                 NetworkedJob("spec.trainingJobDefinitions[].enableNetworkIsolation",
                              "spec.trainingJobDefinitions[].enableInterContainerTrafficEncryption",
                              "spec.trainingJobDefinitions[].vpcConfig",
                              "spec.trainingJobDefinitions[].vpcConfig.subnets",
                              "spec.trainingJobDefinitions[].vpcConfig.securityGroupIDs")),
            {Image("spec.trainingJobDefinition.algorithmSpecification.trainingImage"),
             Image("spec.trainingJobDefinitions[].algorithmSpecification.trainingImage")})},
      {{kAckGroup, "ProcessingJob"},
       Join(NetworkedJob("spec.networkConfig.enableNetworkIsolation",
                         "spec.networkConfig.enableInterContainerTrafficEncryption", "spec.networkConfig.vpcConfig",
                         "spec.networkConfig.vpcConfig.subnets", "spec.networkConfig.vpcConfig.securityGroupIDs", "spec"),
            {Image("spec.appSpecification.imageURI")})},
      {{kAckGroup, "DataQualityJobDefinition"}, MonitoringDefinition("spec.dataQualityAppSpecification.imageURI")},
      {{kAckGroup, "ModelBiasJobDefinition"}, MonitoringDefinition("spec.modelBiasAppSpecification.imageURI")},
      {{kAckGroup, "ModelExplainabilityJobDefinition"},
       MonitoringDefinition("spec.modelExplainabilityAppSpecification.imageURI")},
      {{kAckGroup, "ModelQualityJobDefinition"}, MonitoringDefinition("spec.modelQualityAppSpecification.imageURI")},
      {{kAckGroup, "MonitoringSchedule"},
       Join(NetworkedJob(
                "spec.monitoringScheduleConfig.monitoringJobDefinition.networkConfig.enableNetworkIsolation",
                "spec.monitoringScheduleConfig.monitoringJobDefinition.networkConfig.enableInterContainerTrafficEncryption",
                "spec.monitoringScheduleConfig.monitoringJobDefinition.networkConfig.vpcConfig",
                "spec.monitoringScheduleConfig.monitoringJobDefinition.networkConfig.vpcConfig.subnets",
                "spec.monitoringScheduleConfig.monitoringJobDefinition.networkConfig.vpcConfig.securityGroupIDs",
                "spec.monitoringScheduleConfig.monitoringJobDefinition"),
            {Image("spec.monitoringScheduleConfig.monitoringJobDefinition.monitoringAppSpecification.imageURI")})},
      {{kAckGroup, "Model"},
       {Isolation("spec.enableNetworkIsolation"), VpcExists("spec.vpcConfig"), Subnets("spec.vpcConfig.subnets"),
        SecurityGroups("spec.vpcConfig.securityGroupIDs"), Image("spec.primaryContainer.image"),
        Image("spec.containers[].image")}},
      {{kAckGroup, "EndpointConfig"},
       {Isolation("spec.enableNetworkIsolation"), VpcExists("spec.vpcConfig"), Subnets("spec.vpcConfig.subnets"),
        SecurityGroups("spec.vpcConfig.securityGroupIDs"),
        NoInteractive("spec.productionVariants[].enableSSMAccess", "true")}},
      {{kAckGroup, "LabelingJob"},
       {VpcExists("spec.labelingJobAlgorithmsConfig.labelingJobResourceConfig.vpcConfig",
                  "spec.labelingJobAlgorithmsConfig"),
        Subnets("spec.labelingJobAlgorithmsConfig.labelingJobResourceConfig.vpcConfig.subnets"),
        SecurityGroups("spec.labelingJobAlgorithmsConfig.labelingJobResourceConfig.vpcConfig.securityGroupIDs"),
        {kPublicWorkforce, kPublicWorkforceCode, "spec.humanTaskConfig.workteamARN", kMustNotMatch,
         "*:workteam/public-crowd/*", {}, false, {}, "so the tenant's data is not shown to the public crowd"}}},
      // SageMaker's defaults when absent are Enabled; it rejects
      // directInternetAccess: Disabled without a subnet.
      {{kAckGroup, "NotebookInstance"},
       {VpcExists("spec.subnetID"), Subnets("spec.subnetID"), SecurityGroups("spec.securityGroupIDs"),
        {kNotebookExposure, kNotebookExposureCode, "spec.directInternetAccess", kMustEqual, "\"Disabled\"", {}, true,
         "spec.subnetID", "so the notebook reaches the internet only through the tenant's VPC"},
        {kNotebookExposure, kNotebookExposureCode, "spec.rootAccess", kMustEqual, "\"Disabled\"", {}, true, {},
         "so notebook users cannot change the instance"}}},
      {{kAckGroup, "Domain"},
       {{kDomainNetwork, kDomainNetworkCode, "spec.appNetworkAccessType", kMustEqual, "\"VpcOnly\"", {}, false, {},
         "so Studio traffic stays in the tenant's VPC"},
        VpcExists("spec.subnetIDs"), Subnets("spec.subnetIDs"),
        SecurityGroups("spec.defaultUserSettings.securityGroups"),
        SecurityGroups("spec.defaultSpaceSettings.securityGroups"),
        SecurityGroups("spec.domainSettings.securityGroupIDs")}},
      {{kAckGroup, "UserProfile"}, {SecurityGroups("spec.userSettings.securityGroups")}},
      {{kAckGroup, "Space"}, {NoInteractive("spec.spaceSettings.remoteAccess", "\"ENABLED\"")}},
      {{kAckGroup, "InferenceComponent"}, {Image("spec.specification.container.image")}},
      {{kAckGroup, "ModelPackage"},
       {Image("spec.inferenceSpecification.containers[].image"),
        Image("spec.additionalInferenceSpecifications[].containers[].image")}},

      // Legacy SageMaker operator: Ids casing.
      {{kLegacyGroup, "TrainingJob"},
       Join(NetworkedJob("spec.enableNetworkIsolation", "spec.enableInterContainerTrafficEncryption", "spec.vpcConfig",
                         "spec.vpcConfig.subnets", "spec.vpcConfig.securityGroupIds"),
            {Image("spec.algorithmSpecification.trainingImage")})},
      {{kLegacyGroup, "HyperparameterTuningJob"},
       Join(NetworkedJob("spec.trainingJobDefinition.enableNetworkIsolation",
                         "spec.trainingJobDefinition.enableInterContainerTrafficEncryption",
                         "spec.trainingJobDefinition.vpcConfig", "spec.trainingJobDefinition.vpcConfig.subnets",
                         "spec.trainingJobDefinition.vpcConfig.securityGroupIds"),
            {Image("spec.trainingJobDefinition.algorithmSpecification.trainingImage")})},
      {{kLegacyGroup, "ProcessingJob"},
       Join(NetworkedJob("spec.networkConfig.enableNetworkIsolation",
                         "spec.networkConfig.enableInterContainerTrafficEncryption", "spec.networkConfig.vpcConfig",
                         "spec.networkConfig.vpcConfig.subnets", "spec.networkConfig.vpcConfig.securityGroupIds", "spec"),
            {Image("spec.appSpecification.imageUri")})},
      {{kLegacyGroup, "Model"},
       {Isolation("spec.enableNetworkIsolation"), VpcExists("spec.vpcConfig"), Subnets("spec.vpcConfig.subnets"),
        SecurityGroups("spec.vpcConfig.securityGroupIds"), Image("spec.primaryContainer.image"),
        Image("spec.containers[].image")}},
      {{kLegacyGroup, "HostingDeployment"},
       {Isolation("spec.models[].enableNetworkIsolation"), VpcExists("spec.models[].vpcConfig"),
        Subnets("spec.models[].vpcConfig.subnets"), SecurityGroups("spec.models[].vpcConfig.securityGroupIds"),
        Image("spec.models[].containers[].image")}},

      // Pipeline steps (paths from the step object: Arguments.<AWS casing>).
      {{kStep, "Training"},
       Join(NetworkedJob("Arguments.EnableNetworkIsolation", "Arguments.EnableInterContainerTrafficEncryption",
                         "Arguments.VpcConfig", "Arguments.VpcConfig.Subnets", "Arguments.VpcConfig.SecurityGroupIds",
                         "Arguments"),
            {Image("Arguments.AlgorithmSpecification.TrainingImage")})},
      {{kStep, "Processing"}, StepProcessing()},
      {{kStep, "QualityCheck"}, StepProcessing()},
      {{kStep, "ClarifyCheck"}, StepProcessing()},
      {{kStep, "Tuning"},
       Join(NetworkedJob("Arguments.TrainingJobDefinition.EnableNetworkIsolation",
                         "Arguments.TrainingJobDefinition.EnableInterContainerTrafficEncryption",
                         "Arguments.TrainingJobDefinition.VpcConfig", "Arguments.TrainingJobDefinition.VpcConfig.Subnets",
                         "Arguments.TrainingJobDefinition.VpcConfig.SecurityGroupIds", "Arguments.TrainingJobDefinition"),
            {Image("Arguments.TrainingJobDefinition.AlgorithmSpecification.TrainingImage")})},
      {{kStep, "Model"},
       {Isolation("Arguments.EnableNetworkIsolation", "Arguments"), VpcExists("Arguments.VpcConfig", "Arguments"),
        Subnets("Arguments.VpcConfig.Subnets"), SecurityGroups("Arguments.VpcConfig.SecurityGroupIds"),
        Image("Arguments.PrimaryContainer.Image"), Image("Arguments.Containers[].Image")}},
      {{kStep, "RegisterModel"}, {Image("Arguments.InferenceSpecification.Containers[].Image")}},
      {{kStep, "EndpointConfig"}, {NoInteractive("Arguments.ProductionVariants[].EnableSSMAccess", "true")}},
      {{kStep, "Endpoint"}, {NoInteractive("Arguments.ProductionVariants[].EnableSSMAccess", "true")}},
  };
  for (auto& [key, rows] : table) {
    for (GuardrailField& row : rows) {
      row.split_path = SplitFieldPath(row.path);
      row.anchor_depth = row.anchor.empty() ? 0 : SplitFieldPath(row.anchor).size();
      if (row.check == kMustEqual || row.check == kMustNotEqual) row.expected = nlohmann::json::parse(row.value);
    }
  }
  return table;
}

const std::map<Key, std::vector<GuardrailField>>& Table() {
  static const std::map<Key, std::vector<GuardrailField>> kTable = BuildTable();
  return kTable;
}

std::span<const GuardrailField> Rows(Key key) {
  auto it = Table().find(key);
  if (it == Table().end()) return {};
  return it->second;
}

}  // namespace

std::string_view GuardrailName(Guardrail rule) { return WordOf<Guardrail>(kGuardrailWords, rule); }

bool GuardrailInjects(Guardrail rule) {
  for (const auto& [key, rows] : Table()) {
    for (const GuardrailField& row : rows) {
      if (row.rule == rule && row.injectable) return true;
    }
  }
  return false;
}

std::span<const GuardrailField> GuardrailsFor(std::string_view group, std::string_view kind) {
  return Rows({group, kind});
}

std::span<const GuardrailField> StepGuardrailsFor(std::string_view step_type) { return Rows({kStep, step_type}); }

std::vector<std::pair<std::string_view, std::string_view>> KindsWithGuardrails() {
  std::vector<std::pair<std::string_view, std::string_view>> kinds;
  for (const auto& [key, rows] : Table()) {
    if (key.first != kStep) kinds.push_back(key);
  }
  return kinds;
}

}  // namespace keyward
