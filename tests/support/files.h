// Files for tests: reading and writing whole files, replacing them the way
// kubelet and cert-manager do, and the fixtures under tests/fixtures/
// (valid test policies are read from tests/fixtures/policies/, never
// written inline).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace keyward::testing {

// The whole file; "" when it cannot be read.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, std::string_view text);
// Writes `text` to `path` atomically (a temporary file, then rename), as
// kubelet and cert-manager replace mounted files.
void ReplaceFile(const std::string& path, std::string_view text);
// Rewrites `path` in place (truncate, then write in two halves with a pause),
// the worst case for a reader: it may see an empty or half file.
void RewriteInPlace(const std::string& path, std::string_view text);

// A directory updated the way the kubelet updates a mounted ConfigMap or
// Secret: files live in a versioned directory, `..data` points at it, and
// each visible name is a symlink through `..data`; Publish swaps `..data`
// with one rename (and turns a visible name that is a plain file into the
// symlink, atomically too), then removes the previous version.
class ProjectedVolume {
 public:
  explicit ProjectedVolume(std::string dir);
  void Publish(const std::map<std::string, std::string>& files);
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
  int generation_ = 0;
};

// tests/fixtures/policies/<name>, e.g. "team-a-b.yaml". Throws when missing.
std::string PolicyFixture(const std::string& name);
std::string PolicyFixturePath(const std::string& name);

// A fresh directory under the system's temporary directory, removed with
// everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace keyward::testing
