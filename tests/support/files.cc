#include "tests/support/files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace keyward::testing {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

void ReplaceFile(const std::string& path, std::string_view text) {
  const std::string temporary = path + ".new";
  WriteFile(temporary, text);
  fs::rename(temporary, path);
}

void RewriteInPlace(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text.substr(0, text.size() / 2) << std::flush;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  out << text.substr(text.size() / 2) << std::flush;
}

ProjectedVolume::ProjectedVolume(std::string dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

void ProjectedVolume::Publish(const std::map<std::string, std::string>& files) {
  const std::string version = "..v" + std::to_string(++generation_);
  fs::create_directory(Path(version));
  for (const auto& [name, text] : files) WriteFile(Path(version + "/" + name), text);
  fs::create_directory_symlink(version, Path("..data_tmp"));
  fs::rename(Path("..data_tmp"), Path("..data"));
  for (const auto& [name, text] : files) {
    if (fs::is_symlink(Path(name))) continue;
    fs::create_symlink(fs::path("..data") / name, Path(name + ".link"));
    fs::rename(Path(name + ".link"), Path(name));
  }
  if (generation_ > 1) fs::remove_all(Path("..v" + std::to_string(generation_ - 1)));
}

std::string PolicyFixturePath(const std::string& name) {
  return std::string(KEYWARD_FIXTURES_DIR) + "/policies/" + name;
}

std::string PolicyFixture(const std::string& name) {
  const std::string path = PolicyFixturePath(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("no policy fixture " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "keyward-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

}  // namespace keyward::testing
