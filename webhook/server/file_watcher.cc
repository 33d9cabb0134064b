#include "webhook/server/file_watcher.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>

namespace keyward {

FileVersion CurrentFileVersion(const std::string& path) {
  FileVersion version;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return version;
  version.exists = true;
  if (char* resolved = ::realpath(path.c_str(), nullptr)) {
    version.resolved_path = resolved;
    std::free(resolved);
  }
  version.device = info.st_dev;
  version.inode = info.st_ino;
  version.size = info.st_size;
  version.modified_ns = int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec;
  version.changed_ns = int64_t{info.st_ctim.tv_sec} * 1'000'000'000 + info.st_ctim.tv_nsec;
  return version;
}

FileWatcher::FileWatcher(std::chrono::milliseconds interval) : interval_(interval) {}

FileWatcher::~FileWatcher() { Stop(); }

void FileWatcher::Watch(std::vector<std::string> paths, std::function<void()> on_change) {
  Group group{std::move(paths), {}, std::move(on_change)};
  for (const auto& path : group.paths) group.versions.push_back(CurrentFileVersion(path));
  groups_.push_back(std::move(group));
}

void FileWatcher::Start() { thread_ = std::thread([this] { Run(); }); }

void FileWatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FileWatcher::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_requested_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    for (Group& group : groups_) {
      bool changed = false;
      for (size_t i = 0; i < group.paths.size(); ++i) {
        FileVersion now = CurrentFileVersion(group.paths[i]);
        if (!(now == group.versions[i])) {
          group.versions[i] = std::move(now);
          changed = true;
        }
      }
      if (changed) group.on_change();
    }
    lock.lock();
  }
}

}  // namespace keyward
