#include "webhook/base/text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace keyward {

Result<std::string> ReadTextFile(const std::string& path, size_t max_bytes) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return Status::IoError(std::strerror(errno), path);
  }
  if (S_ISDIR(info.st_mode)) {
    return Status::IoError("is a directory, expected a file", path);
  }
  if (static_cast<size_t>(info.st_size) > max_bytes) {
    return Status::IoError("is " + std::to_string(info.st_size) + " bytes, more than the limit of " +
                             std::to_string(max_bytes),
                         path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IoError(std::strerror(errno), path);
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return Status::IoError("read failed", path);
  }
  std::string text = std::move(content).str();
  if (text.size() > max_bytes) {
    return Status::IoError("grew beyond the limit of " + std::to_string(max_bytes) + " bytes while being read", path);
  }
  return text;
}

}  // namespace keyward
