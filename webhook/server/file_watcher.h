// Notices when files change, by polling.
//
// Polling what a path resolves to (real path, device, inode, size, mtime,
// ctime) catches every way these files get replaced: in-place writes, atomic
// renames, and the `..data` symlink swap Kubernetes performs when it updates
// a mounted ConfigMap or Secret (where inotify on the path itself sees
// nothing). A few stat calls every half second cost nothing measurable.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace keyward {

struct FileVersion {
  bool exists = false;
  std::string resolved_path;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t modified_ns = 0;
  int64_t changed_ns = 0;

  bool operator==(const FileVersion&) const = default;
};

FileVersion CurrentFileVersion(const std::string& path);

class FileWatcher {
 public:
  explicit FileWatcher(std::chrono::milliseconds interval);
  ~FileWatcher();

  // Calls on_change (on the watcher's thread) whenever any of `paths`
  // changes. Register before Start().
  void Watch(std::vector<std::string> paths, std::function<void()> on_change);
  void Start();
  void Stop();

 private:
  struct Group {
    std::vector<std::string> paths;
    std::vector<FileVersion> versions;
    std::function<void()> on_change;
  };

  void Run();

  const std::chrono::milliseconds interval_;
  std::vector<Group> groups_;
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keyward
