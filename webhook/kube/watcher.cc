#include "webhook/kube/watcher.h"

#include <exception>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <utility>

#include "webhook/base/bounded_json.h"
#include "webhook/base/json_member.h"
#include "webhook/observe/log.h"

namespace keyward {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

// A read may wait this much longer than timeoutSeconds: the server ends the
// watch by then, so a longer silence is a connection that died unseen.
constexpr std::chrono::seconds kIdleSlack{30};
// A watch that ends sooner, with nothing read, is a server refusing quietly
// (client-go's "very short watch"): back off rather than spin.
constexpr std::chrono::seconds kShortestWatch{1};
// How often Stop() shuts the socket again, for a request that was just
// being sent when it first did.
constexpr std::chrono::milliseconds kCancelInterval{50};

std::string QualifiedName(const WatchedResource& resource) {
  return resource.group.empty() ? resource.resource : resource.resource + "." + resource.group;
}

// The message of a Status object in an error answer, or "".
std::string StatusMessage(const std::string& body) {
  Result<json> status = ParseBoundedJson(body);
  return status.ok() ? StringMember(status.value(), "message") : "";
}

// A list of thousands of objects leaves the memory of its pages free but
// held by the allocator (in this thread's arena); give it back, so the
// process's resident size is what the sink keeps.
void ReturnFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace

Watcher::Watcher(std::unique_ptr<KubeClient> client, WatchedResource resource, WatchSink* sink, WatchOptions options)
    : client_(std::move(client)),
      resource_(std::move(resource)),
      name_(QualifiedName(resource_)),
      sink_(sink),
      options_(std::move(options)) {}

Watcher::~Watcher() { Stop(); }

void Watcher::Start() {
  thread_ = std::thread([this] {
    Run();
    std::lock_guard<std::mutex> lock(mutex_);
    exited_ = true;
    wake_.notify_all();
  });
}

void Watcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!exited_) {
    lock.unlock();
    client_->Cancel();
    lock.lock();
    wake_.wait_for(lock, kCancelInterval, [this] { return exited_; });
  }
  lock.unlock();
  thread_.join();
}

WatchState Watcher::state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_;
}

bool Watcher::stopping() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

bool Watcher::Pause(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void Watcher::Touch() {
  std::lock_guard<std::mutex> lock(mutex_);
  state_.last_contact = steady_clock::now();
}

void Watcher::Advance(const std::string& resource_version) {
  std::lock_guard<std::mutex> lock(mutex_);
  state_.resource_version = resource_version;
  state_.last_contact = steady_clock::now();
}

void Watcher::Fail(const Status& problem, std::chrono::milliseconds retry_in) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++state_.failures;
    state_.last_problem = problem;
  }
  LogLine("watching the cluster failed; trying again")
      .Add("resource", name_)
      .Add("problem", problem.ToString())
      .Add("retry_in_ms", static_cast<int64_t>(retry_in.count()))
      .Warn();
}

void Watcher::Run() {
  Backoff backoff(options_.backoff, options_.random);
  bool list_needed = true;
  bool just_listed = false;
  while (!stopping()) {
    bool progress = false;
    Status failure;
    try {
      if (list_needed) {
        failure = List();
        list_needed = !failure.ok();
        progress = just_listed = failure.ok();
      } else {
        const WatchEnd end = Watch(&failure);
        progress = end.progress;
        if (end.gone) {
          list_needed = true;
          if (just_listed && !end.progress) {  // list, 410, list...: back off rather than hammer the server
            failure = Status::IoError("410 Gone for the resourceVersion of the list just made", "the watch of " + name_);
          } else {
            LogLine("the watch's resourceVersion is too old (410 Gone); listing again").Add("resource", name_).Info();
          }
        }
        just_listed = false;
      }
    } catch (const std::exception& e) {  // a sink's, or a bug's: the view may have missed a change
      failure = Status::Error(std::string("watching failed unexpectedly: ") + e.what());
      list_needed = true;
    }
    if (progress) backoff.Reset();
    if (failure.ok() || stopping()) continue;
    const std::chrono::milliseconds delay = backoff.Next();
    Fail(failure, delay);
    if (!Pause(delay)) break;
  }
}

Status Watcher::List() {
  const ListOutcome outcome = client_->List(
      resource_.group, resource_.version, resource_.resource, "",
      [this](json item) { sink_->OnListItem(std::move(item)); }, options_.page_size);
  if (!outcome.complete) {
    sink_->OnListEnd(false);
    if (outcome.http_status == 410) return Status::IoError("the list of " + name_ + " expired while being paged (HTTP 410)");
    return Status::IoError(outcome.problem);
  }
  if (outcome.resource_version.empty()) {
    sink_->OnListEnd(false);
    return Status::Error("the list of " + name_ + " has no metadata.resourceVersion to watch from", "",
                         "check that the server is a Kubernetes API server");
  }
  const bool first = !state().synced;
  sink_->OnListEnd(true);
  ReturnFreedMemory();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    state_.synced = true;
    state_.resource_version = outcome.resource_version;
    state_.last_contact = steady_clock::now();
    ++state_.lists;
  }
  LogLine(first ? "listed the cluster's objects" : "listed the cluster's objects again")
      .Add("resource", name_)
      .Add("items", static_cast<uint64_t>(outcome.items))
      .Add("resource_version", outcome.resource_version)
      .Info();
  return Status::Ok();
}

Watcher::WatchEnd Watcher::Watch(Status* failure) {
  std::string resource_version;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    resource_version = state_.resource_version;
    ++state_.watches;
  }
  const std::string path = CollectionPath(resource_.group, resource_.version, resource_.resource) +
                           "?watch=1&resourceVersion=" + QueryEscape(resource_version) +
                           "&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(options_.watch_timeout.count());
  WatchEnd end;
  Status problem;
  uint64_t events = 0;
  LineSplitter lines(options_.max_event_bytes);
  const steady_clock::time_point started = steady_clock::now();
  Result<KubeResponse> answer =
      client_->Stream(path, options_.watch_timeout + kIdleSlack, [&](std::string_view piece) {
        Touch();
        return lines.Feed(piece, [&](std::string_view line) { return HandleLine(line, &end, &problem, &events); });
      });
  const std::string where = "the watch of " + name_;
  if (stopping() || end.gone) return end;
  if (!problem.ok()) {
    *failure = problem;
  } else if (lines.too_long()) {
    *failure = Status::Error("an event is longer than " + std::to_string(options_.max_event_bytes) + " bytes", where);
  } else if (!answer.ok()) {
    // Appended piece by piece: " " + std::to_string(...) makes GCC 12 at -O2
    // raise a false -Wrestrict.
    std::string what = "the connection broke";
    if (lines.pending() > 0) {
      what += ' ';
      what += std::to_string(lines.pending());
      what += " bytes into an event";
    }
    what += ": ";
    what += answer.status().what();
    *failure = Status::IoError(std::move(what), where);
  } else if (answer.value().status == 410) {
    end.gone = true;
  } else if (answer.value().status == 403) {
    *failure = Status::Error("forbidden (HTTP 403): " + StatusMessage(answer.value().body), where,
                             "grant the RBAC verb watch on " + name_);
  } else if (answer.value().status != 200) {
    *failure = Status::IoError(
        "answered HTTP " + std::to_string(answer.value().status) + ": " + StatusMessage(answer.value().body), where);
  } else if (lines.pending() > 0) {
    *failure = Status::IoError("the server ended the answer in the middle of an event", where);
  } else if (!end.progress && steady_clock::now() - started < kShortestWatch) {
    *failure = Status::IoError("the server ended the watch at once, with no event", where);
  } else {
    Touch();  // ended by the server after timeoutSeconds: resume at once
  }
  return end;
}

bool Watcher::HandleLine(std::string_view line, WatchEnd* end, Status* problem, uint64_t* events) {
  Result<WatchEvent> parsed = ParseWatchEvent(line);
  const std::string where = "the watch of " + name_;
  if (!parsed.ok()) {
    *problem = Status::Error(parsed.status().what(), where);
    return false;
  }
  WatchEvent& event = parsed.value();
  switch (event.type) {
    case WatchEventType::kError:
      if (event.error_code == 410) {
        end->gone = true;
      } else {
        *problem = Status::IoError("the server ended it with an ERROR event" +
                                       (event.error_code != 0 ? " (code " + std::to_string(event.error_code) + ")" : "") +
                                       (event.error_message.empty() ? "" : ": " + event.error_message),
                                   where);
      }
      return false;
    case WatchEventType::kBookmark:
      break;
    case WatchEventType::kAdded:
    case WatchEventType::kModified:
    case WatchEventType::kDeleted:
      sink_->OnEvent(event.type, std::move(event.object));
      ++*events;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++state_.events;
      }
      break;
  }
  end->progress = true;
  Advance(event.resource_version);
  return !stopping();
}

}  // namespace keyward
