// Keeps a caller's view of one resource (e.g. every Namespace) current, the
// way the Kubernetes API documentation describes ("Efficient detection of
// changes") and client-go's reflector does it:
//
//   list (paginated), then watch from the list's resourceVersion, with
//   bookmarks; when a watch ends (the server's timeoutSeconds, a dropped
//   connection, a malformed event), watch again from the last
//   resourceVersion seen, a BOOKMARK's included; when the server answers
//   410 Gone (that version is compacted away), list again.
//
// Failed attempts are retried after a delay that doubles from 0.2 s to 30 s,
// with jitter; each is logged. Nothing the API server sends can crash the
// watcher or make it hold more than one event (1 MiB by default) at a time.
//
// Thread safety: between Start() and Stop() the watcher runs on a thread of
// its own. The sink is called from that thread only, one call at a time;
// it must not call Stop(). state() and Stop() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/base/status.h"
#include "webhook/kube/backoff.h"
#include "webhook/kube/kube_client.h"
#include "webhook/kube/watch_event.h"

namespace keyward {

struct WatchedResource {
  std::string group;     // "" is the core group (/api/v1)
  std::string version;   // "v1"
  std::string resource;  // the plural: "namespaces"
};

struct WatchOptions {
  std::chrono::seconds watch_timeout{300};  // asked as timeoutSeconds: the server ends each watch by then
  size_t max_event_bytes = 1u << 20;        // a longer event is an error that restarts the watch
  size_t page_size = 500;
  BackoffPolicy backoff;
  std::function<double()> random;  // uniform in [0, 1), for the backoff's jitter ({}: a seeded generator)
};

class WatchSink {
 public:
  virtual ~WatchSink() = default;
  // The objects of a list (after the first one, and after each list again),
  // one call each as its pages arrive, so a list of 10,000 objects is never
  // held whole; items carry apiVersion and kind.
  virtual void OnListItem(nlohmann::json item) = 0;
  // The list ended. Complete: the view becomes exactly its items. Not
  // complete (it failed midway): its items are forgotten and the view
  // stays as it was.
  virtual void OnListEnd(bool complete) = 0;
  // One change (kAdded, kModified or kDeleted: never a bookmark or an
  // error), in the server's order, each once, following the last complete
  // list.
  virtual void OnEvent(WatchEventType type, nlohmann::json object) = 0;
};

struct WatchState {
  bool synced = false;           // a list has arrived; stays true when later attempts fail (the view is stale then)
  std::string resource_version;  // where the next watch resumes
  std::optional<std::chrono::steady_clock::time_point> last_contact;  // the latest answer or event read
  uint64_t lists = 0;            // complete lists handed to the sink
  uint64_t watches = 0;          // watch requests sent
  uint64_t events = 0;           // events handed to OnEvent
  uint64_t failures = 0;         // failed attempts (each logged)
  Status last_problem;           // the latest failure
};

class Watcher {
 public:
  // `sink` must outlive the watcher.
  Watcher(std::unique_ptr<KubeClient> client, WatchedResource resource, WatchSink* sink, WatchOptions options = {});
  ~Watcher();  // Stop()s

  // Starts the thread; once.
  void Start();
  // Ends the request in flight (its socket is shut, so a blocked read ends
  // at once), then joins the thread. Returns within about a second, unless
  // a connection is being opened then (up to its 10 s timeout). Idempotent.
  void Stop();

  WatchState state() const;

 private:
  struct WatchEnd {
    bool gone = false;      // 410: list again
    bool progress = false;  // an event or bookmark arrived
  };

  void Run();
  Status List();
  WatchEnd Watch(Status* failure);
  bool HandleLine(std::string_view line, WatchEnd* end, Status* problem, uint64_t* events);
  void Advance(const std::string& resource_version);
  void Touch();
  void Fail(const Status& problem, std::chrono::milliseconds retry_in);
  bool stopping() const;
  // Waits `delay` or until Stop(); false when stopping.
  bool Pause(std::chrono::milliseconds delay);

  const std::unique_ptr<KubeClient> client_;
  const WatchedResource resource_;
  const std::string name_;  // "namespaces", "pipelines.sagemaker.services.k8s.aws": for messages
  WatchSink* const sink_;
  const WatchOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool exited_ = false;
  WatchState state_;
  std::thread thread_;
};

}  // namespace keyward
