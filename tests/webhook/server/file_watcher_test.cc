#include "webhook/server/file_watcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace keyward {
namespace {

namespace fs = std::filesystem;

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "keyward-watch-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Waits (bounded) until the change count reaches `count`.
  bool WaitForChanges(const std::atomic<int>& changes, int count) {
    for (int i = 0; i < 200 && changes < count; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return changes == count;
  }

  std::string dir_;
};

TEST_F(FileWatcherTest, VersionTellsReplacedContentApart) {
  std::ofstream(Path("a")) << "one";
  const FileVersion first = CurrentFileVersion(Path("a"));
  EXPECT_TRUE(first.exists);
  EXPECT_EQ(first, CurrentFileVersion(Path("a")));
  std::ofstream(Path("b")) << "two";
  fs::rename(Path("b"), Path("a"));
  EXPECT_NE(first, CurrentFileVersion(Path("a")));
  EXPECT_FALSE(CurrentFileVersion(Path("missing")).exists);
}

TEST_F(FileWatcherTest, SeesEditsRenamesRemovalsAndSymlinkSwaps) {
  fs::create_directory(Path("v1"));
  fs::create_directory(Path("v2"));
  std::ofstream(Path("v1/policy.yaml")) << "first";
  std::ofstream(Path("v2/policy.yaml")) << "first";  // same size and content: only the target differs
  fs::create_directory_symlink("v1", Path("..data"));
  fs::create_symlink("..data/policy.yaml", Path("policy.yaml"));
  std::ofstream(Path("plain")) << "x";

  std::atomic<int> policy_changes{0};
  std::atomic<int> plain_changes{0};
  FileWatcher watcher(std::chrono::milliseconds(10));
  watcher.Watch({Path("policy.yaml")}, [&] { ++policy_changes; });
  watcher.Watch({Path("plain")}, [&] { ++plain_changes; });
  watcher.Start();

  fs::create_directory_symlink("v2", Path("..data_tmp"));
  fs::rename(Path("..data_tmp"), Path("..data"));
  EXPECT_TRUE(WaitForChanges(policy_changes, 1));

  std::ofstream(Path("plain"), std::ios::app) << "y";
  EXPECT_TRUE(WaitForChanges(plain_changes, 1));
  fs::remove(Path("plain"));
  EXPECT_TRUE(WaitForChanges(plain_changes, 2));
  std::ofstream(Path("plain")) << "back";
  EXPECT_TRUE(WaitForChanges(plain_changes, 3));

  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(policy_changes, 1) << "no change, no callback";
  watcher.Stop();
}

}  // namespace
}  // namespace keyward
