// Standard base64 (RFC 4648, padded, no line breaks), as AdmissionReview
// carries JSON patches.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keyward {

std::string Base64Encode(std::string_view bytes);
// Appends the encoding to *out (which then needs no JSON escaping).
void AppendBase64(std::string_view bytes, std::string* out);
// nullopt when `text` is not valid padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace keyward
