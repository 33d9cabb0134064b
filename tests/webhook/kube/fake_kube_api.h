// A Kubernetes API server in the test, over HTTPS on 127.0.0.1, speaking the
// protocol as its documentation describes: discovery (/apis/GROUP/VERSION:
// an APIResourceList, 404 for a group that is not installed), lists with
// limit/continue pagination (the server may return fewer items than asked,
// and does: at most 3 per page unless told otherwise), the core group at
// /api/v1 (Namespaces, listed or one by name), Status objects for 401, 403 and 404, and
// authentication by bearer token or client certificate.
//
// And watches (?watch=1, fake_kube_watch.cc): one resourceVersion counter
// for the whole server, as etcd's, stamped on every object served or
// pushed; a list answers the current one; a watch from a resourceVersion
// streams, as a chunked answer of one JSON event a line, every pushed event
// after it, then those pushed while it is open, BOOKMARK events when the
// test asks (and the client allowed them), and ends after timeoutSeconds. A
// watch from a version older than Compact() left answers 410 Gone: an ERROR
// event holding a Status with code 410 (what a real server's watch cache
// does), or with gone_as_http_status, HTTP 410.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/certificates.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace keyward::testing {

class FakeKubeApi {
 public:
  struct Options {
    std::string token = {};           // required bearer token ("" = none required)
    std::string client_ca_file = {};  // require client certificates signed by this CA ("" = none)
    std::string discovery_body = {};  // served as every discovery answer instead of the real one ("" = real)
    size_t page_cap = 3;              // the most items a page holds, whatever the limit asked
    bool gone_as_http_status = false; // a watch from a compacted version answers HTTP 410, not an ERROR event
  };
  FakeKubeApi(TestCertificateAuthority& ca, const std::string& directory, Options options);
  ~FakeKubeApi();

  // Serves `resource` (kind `kind`) in group/version ("" = the core group,
  // /api/v1) with these objects, each stamped with a resourceVersion.
  void Serve(const std::string& group, const std::string& version, const std::string& resource, const std::string& kind,
             std::vector<nlohmann::json> items);
  // Lists of this resource (and for namespaces, a GET of one) answer 403.
  void Forbid(const std::string& resource);
  // Lists of this resource in every namespace answer 403; a namespace's own
  // list is served (a Role in that namespace, no ClusterRole).
  void ForbidAtClusterScope(const std::string& resource);
  // GET /api/v1/namespaces/NAME, one Namespace (404 when it is not served):
  // answers `status` with a Status instead when non-zero, and first waits
  // `delay` (a slow API server).
  void AnswerNamespaceGets(int status, std::chrono::milliseconds delay = {});
  // Namespace GETs answered so far.
  size_t namespace_gets() const { return Locked(namespace_gets_); }

  // Watches. The object's apiVersion and kind name the served resource.
  // Stamps a new resourceVersion on it, applies it to what lists return
  // (ADDED, MODIFIED: by name; DELETED), and sends the event to the watches.
  // Returns the resourceVersion.
  std::string Push(const std::string& type, nlohmann::json object);
  // Adds `object` to what lists and GETs return, with no watch event: an
  // object created a moment ago whose event the watches have not had yet.
  void AddWithoutEvent(nlohmann::json object);
  // Sends a BOOKMARK with the current resourceVersion to every open watch
  // that allowed bookmarks.
  void Bookmark();
  // Moves the resourceVersion on by `count`, as writes to other resources do.
  void AdvanceResourceVersion(int count);
  // Forgets the history: a watch from an older resourceVersion than the
  // current one is answered 410 Gone.
  void Compact();
  // The next event line a watch writes is cut in the middle, then the
  // connection is closed (that event stays in the history).
  void DropMidEvent();
  // Writes `line` (and "\n") as is to the watches open now; later watches
  // never see it.
  void PushRaw(std::string line);

  std::string server() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::vector<std::string> requests() const { return Locked(requests_); }
  std::set<std::string> tokens_seen() const { return Locked(tokens_); }
  std::string resource_version() const;
  // The resourceVersion each watch asked for, in order.
  std::vector<std::string> watch_resource_versions() const { return Locked(watch_resource_versions_); }
  // Complete lists (the last page answered).
  size_t lists_served() const { return Locked(lists_served_); }
  // Watches still streaming (one whose client left counts until its next write).
  size_t open_watches() const { return Locked(open_watches_); }
  // Watches that ended because the client went away while one was being written.
  size_t watches_left_by_client() const { return Locked(watches_left_by_client_); }

 private:
  template <typename T>
  T Locked(const T& member) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return member;
  }

  // One line of a resource's watch history, or a raw line for the watches
  // open when it was pushed (`replayable` false).
  struct FeedEntry {
    int64_t resource_version = 0;
    std::shared_ptr<const std::string> line;  // shared by every watch writing it (some are 32 MiB)
    bool replayable = true;
  };
  struct Resource {
    std::string kind;
    std::vector<nlohmann::json> items;
    std::vector<FeedEntry> feed;
  };
  struct WatchCursor;

  void HandleList(const httplib::Request& req, httplib::Response& res, const std::string& api_version,
                  const std::string& group, const std::string& namespace_name, const std::string& resource_name);
  // GET /api/v1/namespaces/NAME: the Namespace served under that name, or 404.
  void HandleGetNamespace(const httplib::Request& req, httplib::Response& res, const std::string& name);
  // Answers 401 for a wrong token and 403 for a forbidden resource (true
  // then), recording the token seen. Called with mutex_ held.
  bool Refused(const httplib::Request& req, httplib::Response& res, const std::string& group,
               const std::string& resource_name, const std::string& verb);
  void StartWatch(const httplib::Request& req, httplib::Response& res, const std::string& api_version,
                  const std::string& resource_name);
  // Waits for the lines `cursor` has to write next; false when the watch is
  // over. `cut_last`: write the last one half, then drop the connection.
  bool NextLines(WatchCursor& cursor, std::unique_lock<std::mutex>& lock,
                 std::vector<std::shared_ptr<const std::string>>* lines, bool* cut_last);
  std::string Stamp(nlohmann::json& object);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;  // a push, a bookmark, or shutdown
  bool stopping_ = false;
  std::map<std::string, std::map<std::string, Resource>> groups_;  // apiVersion ("v1", "group/version") -> resource
  std::set<std::string> forbidden_;
  std::set<std::string> forbidden_at_cluster_scope_;
  std::vector<std::string> requests_;
  std::set<std::string> tokens_;
  int64_t resource_version_ = 4242;
  int64_t compacted_before_ = 0;  // watches from older versions are Gone
  uint64_t bookmarks_ = 0;        // Bookmark() calls so far
  bool drop_mid_event_ = false;
  std::vector<std::string> watch_resource_versions_;
  int namespace_get_status_ = 0;
  std::chrono::milliseconds namespace_get_delay_{0};
  size_t namespace_gets_ = 0;
  size_t lists_served_ = 0;
  size_t open_watches_ = 0;
  size_t watches_left_by_client_ = 0;
};

}  // namespace keyward::testing
