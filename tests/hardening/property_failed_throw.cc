// In the regression test, a broken property throws, so the test names the
// input and the property instead of aborting the whole test binary.
#include <stdexcept>
#include <string>

#include "fuzz/fuzz_check.h"

namespace keyward::fuzz {

void PropertyFailed(std::string_view property, std::string_view detail) {
  throw std::runtime_error("property broken: " + std::string(property) + "\n" + std::string(detail));
}

}  // namespace keyward::fuzz
