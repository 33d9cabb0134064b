// In the fuzzers, a broken property aborts: libFuzzer saves the input.
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_check.h"

namespace keyward::fuzz {

void PropertyFailed(std::string_view property, std::string_view detail) {
  std::fprintf(stderr, "\nPROPERTY BROKEN: %.*s\n%.*s\n", static_cast<int>(property.size()), property.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace keyward::fuzz
