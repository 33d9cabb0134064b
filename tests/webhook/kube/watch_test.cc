// The watcher against FakeKubeApi over real TLS, on its own thread: the
// first sync, changes in order, a connection dropped in the middle of an
// event, 410 Gone (as an ERROR event and as HTTP 410), bookmarks, the
// server's timeoutSeconds, an event over the bound, malformed events,
// Stop() while a watch is open, and 10,000 Namespaces.
//
// Every wait polls a condition with a generous bound; none is an assertion
// by itself.
#include "webhook/kube/watcher.h"

#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/certificates.h"
#include "tests/support/files.h"
#include "tests/webhook/kube/fake_kube_api.h"

namespace keyward::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr char kToken[] = "watch-token";

json Namespace(const std::string& name, const std::string& tenant = "team-a") {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata",
           {{"name", name},
            {"labels", {{"kubernetes.io/metadata.name", name}, {"tenant", tenant}}},
            {"annotations", {{"keyward.io/owner", tenant + "@example.com"}}}}},
          {"spec", {{"finalizers", {"kubernetes"}}}},
          {"status", {{"phase", "Active"}}}};
}

// What the watcher handed over, in order: "REPLACE a,b,c" (a complete list)
// and "ADDED a 4243".
class RecordingSink : public WatchSink {
 public:
  void OnListItem(json item) override { pending_.push_back(std::move(item)); }
  void OnListEnd(bool complete) override {
    std::vector<json> items = std::move(pending_);
    pending_.clear();
    if (!complete) return;
    std::string names;
    for (const json& item : items) names += (names.empty() ? "" : ",") + item["metadata"].value("name", "?");
    std::lock_guard<std::mutex> lock(mutex_);
    log_.push_back("REPLACE " + names);
    last_items_ = std::move(items);
  }
  void OnEvent(WatchEventType type, json object) override {
    std::lock_guard<std::mutex> lock(mutex_);
    log_.push_back(std::string(WatchEventTypeName(type)) + " " + object["metadata"].value("name", "?") + " " +
                   object["metadata"].value("resourceVersion", "?"));
    last_object_ = std::move(object);
  }
  std::vector<std::string> log() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
  }
  std::vector<json> last_items() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_items_;
  }
  json last_object() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_object_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> log_;
  std::vector<json> last_items_;
  std::vector<json> pending_;  // the list being read (the watcher's thread only)
  json last_object_;
};

// Polls `condition` until it holds or `bound` passes.
bool WaitFor(const std::function<bool()>& condition, milliseconds bound = seconds(20)) {
  const steady_clock::time_point deadline = steady_clock::now() + bound;
  while (!condition()) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

class WatchTest : public ::testing::Test {
 protected:
  void StartApi(FakeKubeApi::Options options = {}) {
    options.token = kToken;
    api_ = std::make_unique<FakeKubeApi>(ca_, dir_.path(), options);
    std::vector<json> namespaces;
    for (const char* name : {"team-a", "team-a-dev", "team-b", "team-b-dev", "kube-system", "default", "keyward"}) {
      namespaces.push_back(Namespace(name, std::string(name).substr(0, 6)));
    }
    api_->Serve("", "v1", "namespaces", "Namespace", namespaces);
  }

  ClusterAccess Access() const {
    ClusterAccess access;
    access.server = api_->server();
    access.host = "127.0.0.1";
    access.port = api_->port();
    access.ca_pem = ReadFile(dir_.File("ca.crt"));
    access.token = kToken;
    return access;
  }

  WatchOptions Options() const {
    WatchOptions options;
    options.watch_timeout = seconds(60);
    options.random = [] { return 0.5; };  // no jitter: the delays are the policy's
    return options;
  }

  void StartWatcher(WatchOptions options) {
    Result<std::unique_ptr<KubeClient>> client = KubeClient::Connect(Access());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    watcher_ = std::make_unique<Watcher>(std::move(client.value()), WatchedResource{"", "v1", "namespaces"}, &sink_,
                                         std::move(options));
    watcher_->Start();
  }

  // Synced, and the first watch is open at the server.
  void StartSynced(WatchOptions options) {
    StartWatcher(std::move(options));
    ASSERT_TRUE(WaitFor([&] { return watcher_->state().synced; })) << watcher_->state().last_problem.ToString();
    ASSERT_TRUE(WaitFor([&] { return api_->open_watches() >= 1 && api_->watch_resource_versions().size() >= 1; }));
  }

  // Until `count` watch requests have reached the server.
  bool WaitForWatches(size_t count) {
    return WaitFor([&] { return api_->watch_resource_versions().size() >= count; });
  }

  bool WaitForLog(size_t entries) {
    return WaitFor([&] { return sink_.log().size() >= entries; });
  }

  void SetUp() override { ca_.WriteCertificate(dir_.File("ca.crt")); }
  void TearDown() override { watcher_.reset(); }  // before the server

  TempDir dir_;
  TestCertificateAuthority ca_;
  std::unique_ptr<FakeKubeApi> api_;
  RecordingSink sink_;
  std::unique_ptr<Watcher> watcher_;
};

TEST_F(WatchTest, TheFirstSyncDeliversEveryNamespace) {
  StartApi();  // three to a page: the list takes three pages
  const steady_clock::time_point before = steady_clock::now();
  StartSynced(Options());
  EXPECT_EQ(sink_.log(),
            std::vector<std::string>{"REPLACE team-a,team-a-dev,team-b,team-b-dev,kube-system,default,keyward"});
  const std::vector<json> items = sink_.last_items();
  ASSERT_EQ(items.size(), 7u);
  EXPECT_EQ(items[0]["apiVersion"], "v1");  // filled in from the list's kind, as for the audit
  EXPECT_EQ(items[0]["kind"], "Namespace");
  EXPECT_EQ(items[2]["metadata"]["labels"]["tenant"], "team-b");
  EXPECT_EQ(items[2]["metadata"]["annotations"]["keyward.io/owner"], "team-b@example.com");
  const WatchState state = watcher_->state();
  EXPECT_TRUE(state.synced);
  EXPECT_EQ(state.lists, 1u);
  EXPECT_EQ(state.failures, 0u) << state.last_problem.ToString();
  ASSERT_TRUE(state.last_contact.has_value());
  EXPECT_GE(*state.last_contact, before);
  EXPECT_EQ(api_->lists_served(), 1u);
  // The watch starts where the list was taken.
  EXPECT_EQ(api_->watch_resource_versions(), std::vector<std::string>{api_->resource_version()});
  EXPECT_EQ(state.resource_version, api_->resource_version());
}

TEST_F(WatchTest, ChangesReachTheSinkInTheServersOrder) {
  StartApi();
  StartSynced(Options());
  const std::string added = api_->Push("ADDED", Namespace("team-c"));
  json relabelled = Namespace("team-c", "team-d");
  const std::string modified = api_->Push("MODIFIED", relabelled);
  const std::string deleted = api_->Push("DELETED", Namespace("team-b-dev"));
  ASSERT_TRUE(WaitForLog(4));
  EXPECT_EQ(sink_.log(), (std::vector<std::string>{sink_.log()[0], "ADDED team-c " + added,
                                                   "MODIFIED team-c " + modified, "DELETED team-b-dev " + deleted}));
  EXPECT_EQ(sink_.last_object()["kind"], "Namespace");
  ASSERT_TRUE(WaitFor([&] { return watcher_->state().resource_version == deleted; }));
  EXPECT_EQ(watcher_->state().events, 3u);
  EXPECT_EQ(watcher_->state().failures, 0u);
}

TEST_F(WatchTest, ADroppedConnectionResumesFromTheLastEventWithoutLossOrDuplicates) {
  StartApi();
  StartSynced(Options());
  const std::string first = api_->Push("ADDED", Namespace("one"));
  ASSERT_TRUE(WaitForLog(2));
  api_->DropMidEvent();
  const std::string second = api_->Push("ADDED", Namespace("two"));  // half of it, then the connection closes
  const std::string third = api_->Push("ADDED", Namespace("three"));
  ASSERT_TRUE(WaitForLog(4));
  ASSERT_TRUE(WaitFor([&] { return watcher_->state().resource_version == third; }));
  const std::vector<std::string> log = sink_.log();
  EXPECT_EQ(log, (std::vector<std::string>{log[0], "ADDED one " + first, "ADDED two " + second,
                                           "ADDED three " + third}));
  const std::vector<std::string> watches = api_->watch_resource_versions();
  ASSERT_EQ(watches.size(), 2u);
  EXPECT_EQ(watches[1], first);  // the last event read whole
  EXPECT_EQ(api_->lists_served(), 1u);
  const WatchState state = watcher_->state();
  EXPECT_EQ(state.failures, 1u);
  EXPECT_NE(state.last_problem.what().find("bytes into an event"), std::string::npos) << state.last_problem.ToString();
}

// The open watch keeps going after a compaction; the next one, from the
// version before it, is Gone.
void ExpectGoneLeadsToAListAgain(FakeKubeApi& api, Watcher& watcher, RecordingSink& sink) {
  const std::string kept = api.Push("ADDED", Namespace("before-compaction"));
  ASSERT_TRUE(WaitFor([&] { return sink.log().size() >= 2; }));
  api.AdvanceResourceVersion(5);
  api.Compact();
  api.DropMidEvent();
  api.Push("ADDED", Namespace("after-compaction"));
  ASSERT_TRUE(WaitFor([&] { return watcher.state().lists >= 2; })) << watcher.state().last_problem.ToString();
  EXPECT_EQ(api.lists_served(), 2u);
  EXPECT_EQ(api.watch_resource_versions()[1], kept);
  const std::vector<std::string> log = sink.log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[2], "REPLACE team-a,team-a-dev,team-b,team-b-dev,kube-system,default,keyward,before-compaction,"
                    "after-compaction");
  // And the watch goes on from the new list.
  ASSERT_TRUE(WaitFor([&] { return api.watch_resource_versions().size() >= 3; }));
  EXPECT_EQ(api.watch_resource_versions()[2], api.resource_version());
  const std::string later = api.Push("ADDED", Namespace("later"));
  ASSERT_TRUE(WaitFor([&] { return sink.log().size() >= 4; }));
  EXPECT_EQ(sink.log()[3], "ADDED later " + later);
}

TEST_F(WatchTest, GoneAsAnErrorEventLeadsToAListAgain) {
  StartApi();
  StartSynced(Options());
  ExpectGoneLeadsToAListAgain(*api_, *watcher_, sink_);
}

TEST_F(WatchTest, GoneAsHttp410LeadsToAListAgain) {
  StartApi({.gone_as_http_status = true});
  StartSynced(Options());
  ExpectGoneLeadsToAListAgain(*api_, *watcher_, sink_);
}

TEST_F(WatchTest, ABookmarkAdvancesTheResourceVersionSoTheNextWatchIsNotGone) {
  StartApi();
  StartSynced(Options());
  api_->AdvanceResourceVersion(10);  // writes to other resources
  api_->Bookmark();
  const std::string bookmarked = api_->resource_version();
  ASSERT_TRUE(WaitFor([&] { return watcher_->state().resource_version == bookmarked; }));
  EXPECT_EQ(sink_.log().size(), 1u);  // a bookmark is no change
  // Compacted up to the bookmark: a watch resumed from the list's version
  // would be Gone, one resumed from the bookmark's is not.
  api_->Compact();
  api_->DropMidEvent();
  const std::string added = api_->Push("ADDED", Namespace("after-bookmark"));
  ASSERT_TRUE(WaitForLog(2));
  EXPECT_EQ(sink_.log()[1], "ADDED after-bookmark " + added);
  EXPECT_EQ(api_->watch_resource_versions()[1], bookmarked);
  EXPECT_EQ(api_->lists_served(), 1u);
  EXPECT_EQ(watcher_->state().lists, 1u);
}

TEST_F(WatchTest, AWatchEndedByTheServersTimeoutResumesAtOnce) {
  StartApi();
  WatchOptions options = Options();
  options.watch_timeout = seconds(1);
  StartSynced(options);
  ASSERT_TRUE(WaitForWatches(3));
  const std::vector<std::string> watches = api_->watch_resource_versions();
  EXPECT_EQ(watches[1], watches[0]);
  EXPECT_EQ(watches[2], watches[0]);
  EXPECT_EQ(api_->requests()[0].find("?watch"), std::string::npos);
  const WatchState state = watcher_->state();
  EXPECT_EQ(state.failures, 0u) << state.last_problem.ToString();
  EXPECT_EQ(state.lists, 1u);
  const std::string added = api_->Push("ADDED", Namespace("still-watching"));
  ASSERT_TRUE(WaitForLog(2));
  EXPECT_EQ(sink_.log()[1], "ADDED still-watching " + added);
}

TEST_F(WatchTest, AnEventOverTheBoundRestartsTheWatchWithoutReadingItAll) {
  StartApi();
  StartSynced(Options());  // 1 MiB at most
  // 32 MiB: more than the socket buffers of both ends hold, so the server
  // can write it all only if the watcher reads it all.
  api_->PushRaw(R"({"type":"ADDED","object":{"metadata":{"name":"huge","annotations":{"a":")" +
                std::string(32u << 20, 'x') + R"("}}}})");
  ASSERT_TRUE(WaitFor([&] { return watcher_->state().failures >= 1; }));
  EXPECT_NE(watcher_->state().last_problem.what().find("longer than 1048576 bytes"), std::string::npos)
      << watcher_->state().last_problem.ToString();
  ASSERT_TRUE(WaitFor([&] { return api_->watches_left_by_client() >= 1; }));
  ASSERT_TRUE(WaitForWatches(2));
  EXPECT_EQ(api_->watch_resource_versions()[1], api_->watch_resource_versions()[0]);
  const std::string added = api_->Push("ADDED", Namespace("after-the-huge-one"));
  ASSERT_TRUE(WaitForLog(2));
  EXPECT_EQ(sink_.log(), (std::vector<std::string>{sink_.log()[0], "ADDED after-the-huge-one " + added}));
  EXPECT_EQ(api_->lists_served(), 1u);
}

TEST_F(WatchTest, MalformedEventsRestartTheWatchAndNeverCrash) {
  StartApi();
  WatchOptions options = Options();
  options.backoff = {.initial = milliseconds(10), .max = milliseconds(100)};
  StartSynced(options);
  const std::vector<std::string> malformed = {
      "not json at all",
      "[1,2,3]",
      R"({"type":"ADDED"})",
      R"({"type":"ADDED","object":"team-z"})",
      R"({"type":7,"object":{}})",
      R"({"type":"RENAMED","object":{"metadata":{"resourceVersion":"1"}}})",
      R"({"type":"ADDED","object":{"metadata":{"name":"no-version"}}})",
      R"({"type":"MODIFIED","object":{"metadata":{"name":"n","resourceVersion":77}}})",
      R"({"type":"ERROR","object":{"kind":"Status","code":"410"}})",
      R"({"type":"ERROR","object":{"kind":"Status","code":500,"message":"etcd is sad"}})",
      std::string(5000, '[') + std::string(5000, ']'),
      R"({"type":"ADDED","object":{"metadata":{"name":"cut")",  // an event cut short
  };
  for (size_t i = 0; i < malformed.size(); ++i) {
    ASSERT_TRUE(WaitForWatches(i + 1));
    ASSERT_TRUE(WaitFor([&] { return api_->open_watches() >= 1; }));
    api_->PushRaw(malformed[i]);
    ASSERT_TRUE(WaitFor([&] { return watcher_->state().failures >= i + 1; })) << malformed[i];
  }
  EXPECT_NE(watcher_->state().last_problem.ToString().find("the watch of namespaces"), std::string::npos);
  ASSERT_TRUE(WaitForWatches(malformed.size() + 1));
  const std::string added = api_->Push("ADDED", Namespace("fine-again"));
  ASSERT_TRUE(WaitForLog(2));
  EXPECT_EQ(sink_.log(), (std::vector<std::string>{sink_.log()[0], "ADDED fine-again " + added}));
  EXPECT_EQ(watcher_->state().lists, 1u);  // none was a 410
}

TEST_F(WatchTest, StopReturnsPromptlyWhileAWatchIsOpen) {
  StartApi();
  WatchOptions options = Options();
  options.watch_timeout = seconds(300);
  StartSynced(options);
  const steady_clock::time_point before = steady_clock::now();
  watcher_->Stop();
  const milliseconds took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - before);
  std::cout << "Stop() with a watch open took " << took.count() << " ms\n";
  EXPECT_LT(took, seconds(3));
  watcher_->Stop();  // again: nothing to do
}

TEST_F(WatchTest, StopReturnsPromptlyWhileBackingOff) {
  StartApi();
  WatchOptions options = Options();
  options.backoff = {.initial = seconds(20), .max = seconds(30)};
  api_->Forbid("namespaces");  // every list fails, then the watcher waits 20 s
  StartWatcher(options);
  ASSERT_TRUE(WaitFor([&] { return watcher_->state().failures >= 1; }));
  EXPECT_NE(watcher_->state().last_problem.what().find("forbidden to list namespaces"), std::string::npos)
      << watcher_->state().last_problem.ToString();
  EXPECT_FALSE(watcher_->state().synced);
  const steady_clock::time_point before = steady_clock::now();
  watcher_->Stop();
  EXPECT_LT(steady_clock::now() - before, seconds(3));
}

TEST(WatchScaleTest, TenThousandNamespacesSync) {
  TempDir dir;
  TestCertificateAuthority ca;
  ca.WriteCertificate(dir.File("ca.crt"));
  FakeKubeApi api(ca, dir.path(), {.page_cap = 500});
  std::vector<json> namespaces;
  for (int i = 0; i < 10'000; ++i) namespaces.push_back(Namespace("tenant-" + std::to_string(i), "t" + std::to_string(i % 50)));
  api.Serve("", "v1", "namespaces", "Namespace", std::move(namespaces));
  ClusterAccess access;
  access.server = api.server();
  access.host = "127.0.0.1";
  access.port = api.port();
  access.ca_pem = ReadFile(dir.File("ca.crt"));
  Result<std::unique_ptr<KubeClient>> client = KubeClient::Connect(access);
  ASSERT_TRUE(client.ok());
  RecordingSink sink;
  const steady_clock::time_point before = steady_clock::now();
  Watcher watcher(std::move(client.value()), {"", "v1", "namespaces"}, &sink);
  watcher.Start();
  ASSERT_TRUE(WaitFor([&] { return watcher.state().synced; }, seconds(120)));
  const milliseconds took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - before);
  std::cout << "10,000 Namespaces listed (20 pages of 500) and synced in " << took.count() << " ms\n";
  ::testing::Test::RecordProperty("sync_ms", static_cast<int>(took.count()));
  EXPECT_EQ(sink.last_items().size(), 10'000u);
  EXPECT_EQ(sink.last_items()[9'999]["metadata"]["name"], "tenant-9999");
  EXPECT_LT(took, seconds(60));  // wide: Debug, sanitizers, a shared machine
  watcher.Stop();
}

}  // namespace
}  // namespace keyward::testing
