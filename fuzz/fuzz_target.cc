// The libFuzzer entry point of one target; CMake compiles this file once per
// target with KEYWARD_FUZZ_PROPERTY naming its check (properties.h).
//
// When KEYWARD_FUZZ_CURRENT_INPUT names a file, every input is written there
// before it runs. libFuzzer saves an out-of-memory input only after printing
// AddressSanitizer's memory profile, which can take longer than anyone waits
// (seen: over 30 minutes at 1 GiB of small blocks). scripts/fuzz.sh then
// kills the fuzzer and keeps this file as the artifact, so the input that
// broke the bound is never lost.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "fuzz/properties.h"

namespace {

int CurrentInputFile() {
  static const int fd = [] {
    const char* path = std::getenv("KEYWARD_FUZZ_CURRENT_INPUT");
    return path == nullptr ? -1 : ::open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const int fd = CurrentInputFile(); fd >= 0) {
    (void)!::pwrite(fd, data, size, 0);
    (void)!::ftruncate(fd, static_cast<off_t>(size));
  }
  keyward::fuzz::KEYWARD_FUZZ_PROPERTY(data, size);
  return 0;
}
