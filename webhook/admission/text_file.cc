#include "webhook/admission/text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace keyward {

bool ReadTextFile(const std::string& path, size_t max_bytes, std::string* out, std::string* error) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(info.st_mode)) {
    *error = path + ": is a directory, expected a file";
    return false;
  }
  if (static_cast<size_t>(info.st_size) > max_bytes) {
    *error = path + ": is " + std::to_string(info.st_size) + " bytes, more than the limit of " +
             std::to_string(max_bytes);
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    *error = path + ": read failed";
    return false;
  }
  *out = std::move(content).str();
  if (out->size() > max_bytes) {
    *error = path + ": grew beyond the limit of " + std::to_string(max_bytes) + " bytes while being read";
    return false;
  }
  return true;
}

}  // namespace keyward
