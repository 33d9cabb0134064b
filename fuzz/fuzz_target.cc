// The libFuzzer entry point of one target; CMake compiles this file once per
// target with KEYWARD_FUZZ_PROPERTY naming its check (properties.h).
#include "fuzz/properties.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  keyward::fuzz::KEYWARD_FUZZ_PROPERTY(data, size);
  return 0;
}
