// The Pipelines a command was given (`keyward check`'s inputs), as the
// PipelineDirectory the rules find a PipelineExecution's pipeline in.
//
// Plain values: filled once, then read (from any thread) while the objects
// and namespace infos it borrows live.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/rules/decision.h"

namespace keyward {

class KnownPipelines final : public PipelineDirectory {
 public:
  // Keeps `object`, in `namespace_name` (its metadata.namespace, or the
  // command's default), when it is an ACK Pipeline with a
  // spec.pipelineName; true when it is a Pipeline at all. The pointers are
  // borrowed.
  bool Add(const nlohmann::json* object, std::string namespace_name, const NamespaceInfo* namespace_info);
  // The Pipeline named `pipeline_name` (ignoring case, as SageMaker does);
  // the last one added wins.
  std::optional<KnownPipeline> Find(std::string_view pipeline_name) const override;
  bool empty() const { return pipelines_.empty(); }

 private:
  std::vector<KnownPipeline> pipelines_;
};

// True for an ACK Pipeline object (sagemaker.services.k8s.aws, kind Pipeline).
bool IsPipelineObject(const nlohmann::json& object);

}  // namespace keyward
