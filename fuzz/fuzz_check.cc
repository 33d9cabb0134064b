#include "fuzz/fuzz_check.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace keyward::fuzz {

void PropertyFailed(std::string_view property, std::string_view detail) {
  std::fprintf(stderr, "\nPROPERTY BROKEN: %.*s\n%.*s\n", static_cast<int>(property.size()), property.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

bool IsValidUtf8(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();  // the strict handler throws on bad UTF-8
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace keyward::fuzz
