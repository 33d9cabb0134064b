// A fast first attempt at parsing an AdmissionReview body: simdjson reads
// the text, and only the members a rule can read become nlohmann::json.
//
// Why: nlohmann's lexer and its per-value allocations were most of the cost
// of a request, and much of a review is bookkeeping no rule reads. simdjson
// validates the whole text (UTF-8, syntax, nesting) several times faster,
// and the conversion then leaves out, of request.object and
// request.oldObject, `metadata.managedFields`, the
// `kubectl.kubernetes.io/last-applied-configuration` annotation (what
// ignored_metadata.h strips from the text on the slow path) and the
// top-level `status` but for its `ackResourceMetadata` (the core, policy/,
// reads spec and metadata, and the region ACK recorded there), and
// of the request the members the decoder (admission_codec.h) never reads:
// `resource`, `requestKind`, `requestResource`, `requestSubResource`,
// `options`, and `userInfo` but for its `username`.
//
// The contract: a value is returned only for a body that the slow path
// (ParseBoundedJson, bounded_json.h) parses too, and it is the document that
// path would build, less the members above. For anything else (malformed
// or non-UTF-8 text, nesting deeper than kMaxJsonDepth, an integer beyond
// 64 bits, anything simdjson refuses) it returns nullopt and the caller runs
// the slow path, which keeps the exact error messages. Duplicate keys: the
// last one wins, as with nlohmann. Numbers get nlohmann's types: a
// non-negative integer is number_unsigned, a negative one number_integer,
// any with a fraction or exponent number_float. One spelling differs in
// type only: `-0` is number_unsigned 0 here, number_integer 0 there (equal,
// and both dump as 0).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/admission/admission_codec.h"

namespace keyward {

// Bodies larger than this take the slow path. simdjson holds about fifteen
// times the body while it parses (the padded copy, the structural index,
// the tape and the strings), every loop may parse at once, and an UPDATE of
// two 3 MiB objects would take about 100 MiB. The slow path holds the body's
// trimmed copy and the document, a few times the body. Reviews this large
// are rare (a pipeline's inline definition), and parsing one the slow way
// costs milliseconds, so the fast path keeps every ordinary review (a few
// KiB to some hundreds) and the memory of a huge one is bounded.
inline constexpr size_t kMaxFastReviewBytes = 1u << 20;

enum class ReviewPruning {
  kIgnoredMembers,  // leave out what no rule and no decoder reads (above)
  kNone,            // the whole document (the oracle's view)
};

// The review decoded in one pass, the fast path's first attempt: the
// envelope (apiVersion, kind, and what DecodeAdmissionReview reads of the
// request) straight from simdjson into *out, and only request.object and
// request.oldObject built as nlohmann::json, into *object and *old_object
// (which out->request's object pointers then name; an absent or null one is
// left alone and its pointer null). Building and freeing the envelope's
// members as nlohmann::json, only to copy a few strings out of them, was a
// fifth of a small review's cost.
//
// True only where ParseReviewFast gives a document and DecodeAdmissionReview
// decodes it, and then *out holds what that decode gives and the objects
// are that document's. False for anything else (any error included): *out
// and the objects are then partly written, to be discarded, and the caller
// takes ParseReviewFast and DecodeAdmissionReview, whose messages are the
// ones users see.
bool DecodeReviewFast(std::string_view body, ReviewPruning pruning, DecodedReview* out, nlohmann::json* object,
                      nlohmann::json* old_object);

// The review as nlohmann::json, or nullopt: then parse with the slow path
// (always for a body above kMaxFastReviewBytes).
std::optional<nlohmann::json> ParseReviewFast(std::string_view body,
                                              ReviewPruning pruning = ReviewPruning::kIgnoredMembers);

}  // namespace keyward
