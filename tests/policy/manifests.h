// Small hand-written SageMaker manifests for rule tests. Each is what a user
// would write, before any KMS field is filled.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace keyward::testing {

inline nlohmann::json NotebookInstance(const std::string& instance_type = "ml.t3.medium") {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "NotebookInstance"},
          {"metadata", {{"name", "analysis"}}},
          {"spec",
           {{"notebookInstanceName", "analysis"},
            {"instanceType", instance_type},
            {"roleARN", "arn:aws:iam::111122223333:role/sagemaker"}}}};
}

inline nlohmann::json TrainingJob(const std::string& instance_type = "ml.m5.xlarge") {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "TrainingJob"},
          {"metadata", {{"name", "xgboost"}, {"labels", {{"app", "churn"}}}}},
          {"spec",
           {{"trainingJobName", "xgboost"},
            {"roleARN", "arn:aws:iam::111122223333:role/sagemaker"},
            {"outputDataConfig", {{"s3OutputPath", "s3://team-a-data/output"}}},
            {"resourceConfig", {{"instanceCount", 1}, {"instanceType", instance_type}, {"volumeSizeInGB", 5}}},
            {"stoppingCondition", {{"maxRuntimeInSeconds", 3600}}}}}};
}

inline nlohmann::json ProductionVariant(const std::string& name, const std::string& instance_type) {
  return {{"variantName", name},
          {"modelName", "xgboost"},
          {"initialInstanceCount", 1},
          {"instanceType", instance_type},
          {"initialVariantWeight", 1}};
}

inline nlohmann::json EndpointConfig(const nlohmann::json& variants) {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "EndpointConfig"},
          {"metadata", {{"name", "xgboost"}}},
          {"spec", {{"endpointConfigName", "xgboost"}, {"productionVariants", variants}}}};
}

inline nlohmann::json LegacyTrainingJob(const std::string& region = "us-east-1") {
  return {{"apiVersion", "sagemaker.aws.amazon.com/v1"},
          {"kind", "TrainingJob"},
          {"metadata", {{"name", "xgboost"}}},
          {"spec",
           {{"region", region},
            {"roleArn", "arn:aws:iam::111122223333:role/sagemaker"},
            {"outputDataConfig", {{"s3OutputPath", "s3://team-a-data/output"}}},
            {"resourceConfig", {{"instanceCount", 1}, {"instanceType", "ml.m5.xlarge"}, {"volumeSizeInGB", 5}}},
            {"stoppingCondition", {{"maxRuntimeInSeconds", 3600}}}}}};
}

inline nlohmann::json LegacyEndpointConfig(const std::string& region, const std::string& instance_type) {
  return {{"apiVersion", "sagemaker.aws.amazon.com/v1"},
          {"kind", "EndpointConfig"},
          {"metadata", {{"name", "xgboost"}}},
          {"spec",
           {{"region", region},
            {"productionVariants", nlohmann::json::array({nlohmann::json{{"variantName", "AllTraffic"},
                                                                         {"modelName", "xgboost"},
                                                                         {"initialInstanceCount", 1},
                                                                         {"instanceType", instance_type}}})}}}};
}

inline nlohmann::json MonitoringSchedule() {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "MonitoringSchedule"},
          {"metadata", {{"name", "churn"}}},
          {"spec",
           {{"monitoringScheduleName", "churn"},
            {"monitoringScheduleConfig",
             {{"monitoringType", "DataQuality"},
              {"monitoringJobDefinition",
               {{"monitoringOutputConfig", {{"monitoringOutputs", nlohmann::json::array()}}},
                {"monitoringResources",
                 {{"clusterConfig", {{"instanceCount", 1}, {"instanceType", "ml.m5.large"}, {"volumeSizeInGB", 20}}}}},
                {"roleARN", "arn:aws:iam::111122223333:role/sagemaker"}}}}}}}};
}

inline nlohmann::json Domain() {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "Domain"},
          {"metadata", {{"name", "studio"}}},
          {"spec",
           {{"domainName", "studio"},
            {"authMode", "IAM"},
            {"defaultUserSettings",
             {{"executionRole", "arn:aws:iam::111122223333:role/sagemaker"},
              {"sharingSettings", {{"notebookOutputOption", "Allowed"}, {"s3OutputPath", "s3://team-a-data/share"}}}}},
            {"subnetIDs", nlohmann::json::array({"subnet-1"})},
            {"vpcID", "vpc-1"}}}};
}

inline nlohmann::json UserProfile() {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "UserProfile"},
          {"metadata", {{"name", "alice"}}},
          {"spec",
           {{"domainID", "d-abc"},
            {"userProfileName", "alice"},
            {"userSettings", {{"sharingSettings", {{"s3OutputPath", "s3://team-a-data/share"}}}}}}}};
}

}  // namespace keyward::testing
