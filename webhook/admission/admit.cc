#include "webhook/admission/admit.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>

#include "policy/base/text.h"
#include "webhook/admission/admission_codec.h"
#include "webhook/admission/fast_review.h"
#include "webhook/admission/ignored_metadata.h"
#include "webhook/base/bounded_json.h"
#include "webhook/base/printable.h"

namespace keyward {
namespace {

AdmissionOutcome Refuse(int http_status, std::string_view decision, std::string message) {
  AdmissionOutcome outcome;
  outcome.http_status = http_status;
  outcome.decision = decision;
  outcome.body = EncodeHttpError(http_status, message);
  outcome.error = std::move(message);
  return outcome;
}

// Copies what was decided about into the outcome, for the server's metrics
// and log. Takes the review by value: once the answer is written, Admit
// moves it in.
void MoveRequestIntoOutcome(DecodedReview review, AdmissionOutcome* out) {
  AdmissionRequest& request = review.request;
  out->decoded = true;
  out->api_version = std::move(review.api_version);
  out->uid = std::move(review.uid);
  out->group = std::move(request.group);
  out->kind = std::move(request.kind);
  out->namespace_name = std::move(request.namespace_name);
  out->name = std::move(request.name);
  out->sub_resource = std::move(request.sub_resource);
  out->username = std::move(request.username);
  out->operation = request.operation;
  out->dry_run = request.dry_run;
}

// The whole review, when DecodeReviewFast did not decode it: the fast parse
// when it can (fast_review.h); otherwise, and for every
// error, the slow path: strip the ignored members from the text, then the
// depth-bounded nlohmann parse, whose messages are the ones users see.
Result<nlohmann::json> ParseReview(std::string_view body, ReviewPruning pruning, const AdmitOptions& options) {
  if (options.fast_decode) {
    if (std::optional<nlohmann::json> fast = ParseReviewFast(body, pruning)) return std::move(*fast);
  }
  std::string trimmed;
  const bool was_trimmed = options.strip_ignored_metadata && RemoveIgnoredMetadata(body, &trimmed);
  Result<nlohmann::json> parsed = ParseBoundedJson(was_trimmed ? std::string_view(trimmed) : body);
  // On an error, judge the text as it was sent (and report positions in it).
  if (!parsed.ok() && was_trimmed) parsed = ParseBoundedJson(body);
  return parsed;
}

}  // namespace

std::string_view LookupSourceName(LookupSource source) {
  switch (source) {
    case LookupSource::kCache:
      return "cache";
    case LookupSource::kFetched:
      return "fetched";
    case LookupSource::kUnavailable:
      break;
  }
  return "unavailable";
}

std::vector<std::string> CodesOf(const AdmissionOutcome& outcome) {
  std::vector<std::string> codes;
  for (const Violation& violation : outcome.violations) codes.push_back(violation.code);
  return codes;
}

std::string_view WebhookName(Webhook webhook) { return webhook == Webhook::kMutate ? "mutate" : "validate"; }

bool IsJsonContentType(std::string_view content_type) {
  std::string_view media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && (media_type.back() == ' ' || media_type.back() == '\t')) media_type.remove_suffix(1);
  return EqualsIgnoringAsciiCase(media_type, "application/json");
}

AdmissionOutcome Admit(Webhook webhook, const Policy& policy, std::string_view content_type, std::string_view body,
                       const AdmitOptions& options) {
  if (!IsJsonContentType(content_type)) {
    return Refuse(400, kDecisionInvalid,
                  "Content-Type is \"" + PrintablePrefix(content_type, 64) +
                      "\": send the AdmissionReview as application/json");
  }
  // The documents the decoded review borrows its objects from, freed depth
  // first once the answer is written (cheaper than nlohmann's destructor).
  struct Documents {
    nlohmann::json whole;  // the slow way: the whole review
    nlohmann::json object;
    nlohmann::json old_object;
    ~Documents() {
      ReleaseDocument(whole);
      ReleaseDocument(object);
      ReleaseDocument(old_object);
    }
  } documents;
  DecodedReview review;
  const ReviewPruning pruning =
      options.strip_ignored_metadata ? ReviewPruning::kIgnoredMembers : ReviewPruning::kNone;
  if (!options.fast_decode ||
      !DecodeReviewFast(body, pruning, &review, &documents.object, &documents.old_object)) {
    review = DecodedReview();
    Result<nlohmann::json> parsed = ParseReview(body, pruning, options);
    if (!parsed.ok()) return Refuse(400, kDecisionInvalid, "the body is not valid JSON: " + parsed.status().ToString());
    documents.whole = std::move(parsed.value());
    if (Status decoded = DecodeAdmissionReview(documents.whole, &review); !decoded.ok()) {
      return Refuse(400, kDecisionInvalid, "not a valid AdmissionReview: " + decoded.ToString());
    }
  }

  AdmissionOutcome outcome;
  try {
    // Held for the decision: the request borrows the namespace's info.
    std::shared_ptr<const NamespaceInfo> namespace_info;
    const bool subresource = IsSubresourceRequest(review.request);
    if (!subresource && options.namespaces != nullptr && !review.request.namespace_name.empty()) {
      NamespaceLookup lookup = options.namespaces->Lookup(review.request.namespace_name);
      outcome.namespace_lookup = lookup.source;
      namespace_info = std::move(lookup.info);
      if (lookup.source == LookupSource::kUnavailable) {
        outcome.decision = kDecisionUnavailable;
        outcome.body = EncodeUnavailableReview(review, lookup.problem);
        MoveRequestIntoOutcome(std::move(review), &outcome);
        return outcome;
      }
      review.request.namespace_info = namespace_info.get();
    }
    review.request.pipelines = options.pipelines;
    if (subresource) {
      outcome.decision = kDecisionSkipped;
      outcome.body = EncodeAllowedReview(review);
    } else if (webhook == Webhook::kMutate) {
      MutationResult result = Mutate(policy, review.request);
      outcome.decision = result.patch.empty() ? kDecisionUnchanged : kDecisionPatched;
      outcome.body = EncodeMutationReview(review, result);
      outcome.tenant = std::move(result.tenant);
      outcome.injected = std::move(result.injected);
      outcome.guardrails_set = std::move(result.guardrails_set);
    } else {
      ValidationResult result = Validate(policy, review.request);
      outcome.decision = VerdictName(VerdictOf(result));
      outcome.outcome = OutcomeOf(policy, review.request, result);
      for (const Violation& violation : result.violations) {
        std::vector<std::string>& others = outcome.other_tenants;
        if (!violation.owners.empty() && std::find(others.begin(), others.end(), violation.owners) == others.end()) {
          others.push_back(violation.owners);
        }
      }
      outcome.body = EncodeValidationReview(review, result);
      outcome.tenant = std::move(result.tenant);
      outcome.enforcement = result.enforcement;
      outcome.violations = std::move(result.violations);
    }
  } catch (const std::exception& e) {
    AdmissionOutcome failed = Refuse(500, kDecisionError, std::string("internal error while deciding: ") + e.what());
    MoveRequestIntoOutcome(std::move(review), &failed);
    return failed;
  }
  MoveRequestIntoOutcome(std::move(review), &outcome);
  return outcome;
}

}  // namespace keyward
