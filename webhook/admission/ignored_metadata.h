// Removing, before parsing, the parts of an AdmissionReview that no rule
// reads but that make up much of its bytes: `metadata.managedFields` (the
// apiserver's field-ownership bookkeeping) and the
// `kubectl.kubernetes.io/last-applied-configuration` annotation (a copy of
// the whole manifest) of request.object and request.oldObject. They are a
// third to a half of a typical review, and parsing dominates the cost of a
// request.
//
// The scan is structural only (strings, brackets, commas): anything it does
// not understand, or nesting deeper than kMaxJsonDepth, leaves the text as
// it is for the real parser to judge.
#pragma once

#include <string>
#include <string_view>

namespace keyward {

// Writes the text without those members to *out and returns true, or
// returns false when there is nothing to remove (or the text is malformed).
bool RemoveIgnoredMetadata(std::string_view review, std::string* out);

}  // namespace keyward
