// The step catalog of SageMaker Pipelines: for each step `Type` of a
// pipeline definition (the JSON string in a Pipeline's
// spec.pipelineDefinition), the key fields of its `Arguments`, which are the
// AWS-cased Create* request of the job the step starts.
//
// Data, like the kind catalog (policy/catalog/catalog.h): a step type is one row.
// Paths are relative to the step's `Arguments`.
#pragma once

#include <array>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/catalog/catalog.h"

namespace keyward {

enum class StepShape {
  kJob,         // starts a job or resource: its key fields are judged
  kCondition,   // no fields of its own; Arguments.IfSteps[]/ElseSteps[] are steps
  kNothing,     // needs nothing (Fail)
  kOpaque,      // runs code keyward cannot see into (Lambda, Callback, EMR)
};

struct StepKind {
  std::string_view type;  // the step's `Type`
  // The row applies only when `Arguments` has this member: the published
  // schema types both an endpoint step and an endpoint-config step
  // "Endpoint", told apart by ProductionVariants. Empty: always.
  std::string_view only_with;
  StepShape shape;
  std::vector<KmsField> fields = {};
};

// Every row, the more specific (only_with) before the general one of a type.
std::span<const StepKind> PipelineSteps();

// The row for a step, or nullptr for a type keyward does not know (which is
// treated as opaque). `arguments` may be null.
const StepKind* FindStepKind(std::string_view type, const nlohmann::json* arguments);

// Members of `Arguments` checked at any depth, wherever they stand: keys
// (checked like a set key, never injected) and roles.
inline constexpr std::array<std::string_view, 4> kStepKeyMemberNames = {"KmsKeyId", "VolumeKmsKeyId", "S3KmsKeyId",
                                                                        "KmsKey"};
inline constexpr std::array<std::string_view, 2> kStepRoleMemberNames = {"RoleArn", "ExecutionRoleArn"};

}  // namespace keyward
