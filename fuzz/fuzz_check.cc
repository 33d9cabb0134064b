#include "fuzz/fuzz_check.h"

#include <nlohmann/json.hpp>

namespace keyward::fuzz {

bool IsValidUtf8(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();  // the strict handler throws on bad UTF-8
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace keyward::fuzz
