#include "tests/policy/samples.h"

#include <algorithm>
#include <filesystem>

#include "tests/policy/test_support.h"

namespace keyward::testing {

using nlohmann::json;

std::map<std::string, std::string> SampleVars(InstanceProfile profile) {
  bool local = profile == InstanceProfile::kLocalNvme;
  return {
      {"APP_NAME", "default"},
      {"CLARIFY_IMAGE_URI", "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"},
      {"DEBUGGER_IMAGE_URI", "503895931360.dkr.ecr.us-east-1.amazonaws.com/sagemaker-debugger-rules:latest"},
      {"DEFAULT_CODE_REPOSITORY", "https://github.com/example/notebooks"},
      {"DELETION_POLICY", "retain"},
      {"DOMAIN_ID", "d-abcdefghijkl"},
      {"DOMAIN_NAME", "team-domain"},
      {"DUMMY_CODE_CONNECTIONS_ARN",
       "arn:aws:codeconnections:us-east-1:111122223333:connection/11111111-2222-3333-4444-555555555555"},
      {"ENDPOINT_CONFIG_NAME", "xgboost-endpoint-config"},
      {"ENDPOINT_INSTANCE_TYPE", local ? "ml.g5.xlarge" : "ml.c5.large"},
      {"ENDPOINT_NAME", "xgboost-endpoint"},
      {"FEATURE_GROUP_NAME", "transactions"},
      {"HPO_JOB_NAME", "xgboost-hpo"},
      {"INFERENCE_COMPONENT_NAME", "xgboost-ic"},
      {"JOB_DEFINITION_NAME", "churn-monitoring"},
      {"LABELING_JOB_NAME", "logos"},
      {"MODEL_LOCATION", "s3://team-a-data/sagemaker/model/xgboost.tar.gz"},
      {"MODEL_MONITOR_ANALYZER_IMAGE_URI", "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"},
      {"MODEL_NAME", "xgboost-model"},
      {"MODEL_PACKAGE_GROUP_NAME", "xgboost-packages"},
      {"MODEL_PACKAGE_NAME", "xgboost-package"},
      {"MODEL_PACKAGE_RESOURCE_NAME", "xgboost-package-v1"},
      {"MONITORING_SCHEDULE_NAME", "churn-schedule"},
      {"MONITORING_TYPE", "DataQuality"},
      {"NOTEBOOK_INSTANCE_INSTANCE_TYPES", local ? "ml.g4dn.xlarge" : "ml.t3.medium"},
      {"NOTEBOOK_INSTANCE_LFC_NAME", "notebook-lifecycle"},
      {"NOTEBOOK_INSTANCE_NAME", "analysis"},
      {"PIPELINE_EXECUTION_RESOURCE_NAME", "pipeline-run"},
      {"PIPELINE_NAME", "churn-pipeline"},
      {"PIPELINE_RESOURCE_NAME", "churn-pipeline"},
      {"PROCESSING_JOB_NAME", "kmeans-processing"},
      {"PROJECT_NAME", "churn-project"},
      {"PYTORCH_TRAIN_IMAGE_URI", "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-cpu-py310"},
      {"REGION", "us-east-1"},
      {"SAGEMAKER_DATA_BUCKET", "team-a-data"},
      {"SAGEMAKER_EXECUTION_ROLE_ARN", "arn:aws:iam::111122223333:role/sagemaker-execution"},
      {"SPACE_NAME", "team-space"},
      {"SUBNET_ID", "subnet-0123456789abcdef0"},
      {"TRAINING_JOB_INSTANCE_TYPE", local ? "ml.g4dn.xlarge" : "ml.m5.xlarge"},
      {"TRAINING_JOB_NAME", "xgboost-training"},
      {"TRANSFORM_JOB_NAME", "xgboost-transform"},
      {"USER_PROFILE_NAME", "alice"},
      {"VPC_ID", "vpc-0123456789abcdef0"},
      {"XGBOOST_IMAGE_URI", "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"},
      {"XGBOOST_V1_IMAGE_URI", "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3"},
  };
}

json LoadSample(const std::string& file_name, InstanceProfile profile,
                const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> vars = SampleVars(profile);
  for (const auto& [name, value] : overrides) vars[name] = value;
  std::string text = ReadFile(FixturePath("samples/" + file_name));
  return YamlTextToJson(SubstituteVars(text, vars));
}

std::vector<std::string> SampleFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(FixturePath("samples"))) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace keyward::testing
