// The server's watched Pipelines, as the directory the rules find a
// PipelineExecution's pipeline in: found by spec.pipelineName ignoring case,
// followed through changes and deletes, what a decision holds kept alive
// across a change, and malformed objects ignored.
#include "webhook/kube/pipeline_cache.h"

#include <string>

#include <gtest/gtest.h>

namespace keyward {
namespace {

using nlohmann::json;

json Pipeline(const std::string& name, const std::string& ns, const std::string& pipeline_name) {
  return {{"apiVersion", "sagemaker.services.k8s.aws/v1alpha1"},
          {"kind", "Pipeline"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"managedFields", json::array({1, 2, 3})}}},
          {"spec", {{"pipelineName", pipeline_name}, {"pipelineDefinition", "{\"Steps\":[]}"}, {"roleARN", "r"}}},
          {"status", {{"pipelineStatus", "Active"}}}};
}

TEST(PipelineCacheTest, FindsByPipelineNameAndFollowsChanges) {
  NamespaceCache namespaces;
  namespaces.OnListItem({{"apiVersion", "v1"}, {"kind", "Namespace"},
                         {"metadata", {{"name", "team-a"}, {"labels", {{"tier", "ml"}}}}}});
  namespaces.OnListEnd(true);
  PipelineCache cache(&namespaces);
  EXPECT_FALSE(cache.synced());
  cache.OnListItem(Pipeline("train", "team-a", "Train-A"));
  cache.OnListItem(Pipeline("other", "team-b", "other"));
  cache.OnListEnd(true);
  ASSERT_TRUE(cache.synced());
  EXPECT_EQ(cache.size(), 2u);

  std::optional<KnownPipeline> found = cache.Find("train-a");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->namespace_name, "team-a");
  ASSERT_NE(found->namespace_info, nullptr);
  EXPECT_EQ(found->namespace_info->labels.at("tier"), "ml");
  EXPECT_EQ(found->object->at("spec").at("pipelineDefinition"), "{\"Steps\":[]}");
  EXPECT_FALSE(found->object->at("metadata").contains("managedFields")) << "only what the rules read is kept";

  // Renamed in SageMaker terms (spec.pipelineName), then deleted; what the
  // earlier Find returned stays valid for the decision holding it.
  cache.OnEvent(WatchEventType::kModified, Pipeline("train", "team-a", "train-v2"));
  EXPECT_FALSE(cache.Find("train-a").has_value());
  EXPECT_TRUE(cache.Find("TRAIN-V2").has_value());
  cache.OnEvent(WatchEventType::kDeleted, Pipeline("train", "team-a", "train-v2"));
  EXPECT_FALSE(cache.Find("train-v2").has_value());
  EXPECT_EQ(found->object->at("spec").at("pipelineName"), "Train-A");
  EXPECT_EQ(cache.size(), 1u);

  // A failed list changes nothing; malformed objects are ignored.
  cache.OnListItem(Pipeline("half", "team-a", "half"));
  cache.OnListEnd(false);
  EXPECT_FALSE(cache.Find("half").has_value());
  for (const json& odd : {json(nullptr), json::array(), json{{"kind", "Pipeline"}},
                          Pipeline("", "team-a", "x"), Pipeline("y", "team-a", "")}) {
    cache.OnEvent(WatchEventType::kAdded, odd);
  }
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace keyward
