// The namespace cache the server's requests read: snapshots are immutable
// (a request keeps the one it took while changes arrive), each change is
// applied to the names it touches only, and what a Namespace object becomes
// is what `keyward check` makes of it (namespace_object.h).
#include "webhook/kube/namespace_cache.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "webhook/kube/cluster_context.h"
#include "webhook/kube/namespace_object.h"

namespace keyward {
namespace {

using nlohmann::json;

json Namespace(const std::string& name, json labels = json::object(), json annotations = json::object()) {
  json metadata = {{"name", name}, {"labels", labels}, {"annotations", annotations}};
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", metadata}};
}

// A complete list, as the watcher hands it over.
void List(NamespaceCache* cache, std::vector<json> items) {
  for (json& item : items) cache->OnListItem(std::move(item));
  cache->OnListEnd(true);
}

TEST(NamespaceCacheTest, SnapshotsStayAsTheyWereTakenWhileChangesArrive) {
  NamespaceCache cache;
  EXPECT_FALSE(cache.synced());
  EXPECT_EQ(cache.Current()->Find("ml-1"), nullptr);

  std::vector<json> listed;
  for (int i = 0; i < 1000; ++i) listed.push_back(Namespace("ns-" + std::to_string(i), {{"n", std::to_string(i)}}));
  List(&cache, std::move(listed));
  EXPECT_TRUE(cache.synced());
  const std::shared_ptr<const NamespaceSnapshot> before = cache.Current();
  ASSERT_EQ(before->size(), 1000u);
  ASSERT_NE(before->Find("ns-7"), nullptr);
  EXPECT_EQ(before->Find("ns-7")->labels.at("n"), "7");

  cache.OnEvent(WatchEventType::kModified, Namespace("ns-7", {{"n", "seven"}}));
  cache.OnEvent(WatchEventType::kAdded, Namespace("ns-new"));
  cache.OnEvent(WatchEventType::kDeleted, Namespace("ns-8"));
  const std::shared_ptr<const NamespaceSnapshot> after = cache.Current();
  EXPECT_EQ(after->Find("ns-7")->labels.at("n"), "seven");
  EXPECT_NE(after->Find("ns-new"), nullptr);
  EXPECT_EQ(after->Find("ns-8"), nullptr);
  EXPECT_EQ(after->size(), 1000u);  // one added, one deleted

  // The snapshot taken before is unchanged: a request in flight decides on one view.
  EXPECT_EQ(before->Find("ns-7")->labels.at("n"), "7");
  EXPECT_EQ(before->Find("ns-new"), nullptr);
  EXPECT_NE(before->Find("ns-8"), nullptr);
  EXPECT_EQ(before->size(), 1000u);
  // Names the change did not touch share their entries.
  EXPECT_EQ(before->Find("ns-9"), after->Find("ns-9"));

  // A list that fails midway changes nothing; a list again replaces the view whole.
  cache.OnListItem(Namespace("half"));
  cache.OnListEnd(false);
  EXPECT_EQ(cache.Current()->size(), 1000u);
  EXPECT_EQ(cache.Current()->Find("half"), nullptr);
  List(&cache, {Namespace("only")});
  EXPECT_EQ(cache.Current()->size(), 1u);
  EXPECT_EQ(cache.Current()->Find("ns-9"), nullptr);
  EXPECT_EQ(cache.Current()->Find("half"), nullptr) << "the failed list's items are forgotten";
}

TEST(NamespaceCacheTest, KeepsTheLabelsAndOnlyTheAnnotationsADecisionReads) {
  const json big = Namespace("ml-1", {{"platform.example.com/tenant", "l"}, {"flag", 3}},
                             {{"services.k8s.aws/default-region", "eu-west-1"},
                              {"services.k8s.aws/owner-account-id", "444455556666"},
                              {"kubectl.kubernetes.io/last-applied-configuration", std::string(100000, 'x')}});
  NamespaceCache cache;
  List(&cache, {big});
  const std::shared_ptr<const NamespaceInfo> info = cache.Current()->Find("ml-1");
  ASSERT_NE(info, nullptr);
  const NamespaceInfo direct = NamespaceInfoOf(big);
  EXPECT_EQ(info->labels, direct.labels);
  EXPECT_EQ(info->annotations, direct.annotations);
  EXPECT_EQ(info->labels.size(), 1u) << "a label that is not a string is not a label";
  EXPECT_EQ(info->annotations.size(), 2u);

  // Malformed objects from the API server change nothing and crash nothing.
  for (const json& odd : {json(nullptr), json::array(), json{{"metadata", 5}}, json{{"metadata", {{"name", 5}}}},
                          Namespace("")}) {
    cache.OnListItem(odd);
    cache.OnEvent(WatchEventType::kAdded, odd);
    cache.OnEvent(WatchEventType::kDeleted, odd);
  }
  cache.OnListEnd(false);
  EXPECT_EQ(cache.Current()->size(), 1u);
}

TEST(NamespaceCacheTest, OnlyNamespaceNamesKubernetesAllowsAreLookedUp) {
  for (const std::string& good : std::vector<std::string>{"a", "team-a", "ml-1", "0abc", std::string(63, 'x')}) {
    EXPECT_TRUE(IsNamespaceName(good)) << good;
  }
  for (const std::string& bad :
       std::vector<std::string>{"", "-a", "a-", "Team", "a/b", "a..b", "a?b", "../x", std::string(64, 'x')}) {
    EXPECT_FALSE(IsNamespaceName(bad)) << bad;
  }
}

}  // namespace
}  // namespace keyward
