// JSON parsing with a bound on nesting depth.
//
// nlohmann::json serialises, compares and patches values recursively, so a
// document nested a million levels deep would overflow the stack long after
// parsing succeeded. The bound is enforced while parsing, before any deep
// value exists: the parser stops at the first container that would exceed it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/base/status.h"

namespace keyward {

// A real AdmissionReview nests fewer than 40 levels (review, request, object,
// spec, managedFields mirrors of the spec); 128 leaves ample room for deep
// custom resources while keeping every recursive walk shallow.
inline constexpr size_t kMaxJsonDepth = 128;

// The document, or what is wrong and where (no partial value is kept).
Result<nlohmann::json> ParseBoundedJson(std::string_view text, size_t max_depth = kMaxJsonDepth);

// Frees a document's containers depth first, leaving `document` an empty
// container (or the scalar it was). For documents within kMaxJsonDepth
// (those parsed here), where recursion is safe: nlohmann's destructor
// guards against any depth by moving every value onto a heap stack first,
// which made freeing a review a sixth of a request's work.
void ReleaseDocument(nlohmann::json& document);

}  // namespace keyward
