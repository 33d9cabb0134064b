// Runs keyward test's cases as the kube-apiserver runs a request through
// keyward: the review to the mutating webhook's Admit, its patch applied to
// the object, the patched object to the validating webhook's Admit. So a
// case's verdict, codes and patch are the server's on the same request.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/cli/test_suite.h"

namespace keyward {

struct FoundViolation {
  std::string code;
  std::string path;
};

// What happened to one case, and how that differs from what it expects.
struct CaseRun {
  const TestCase* test_case = nullptr;
  std::vector<std::string> failures;  // one line per unmet expectation; empty: passed
  // An answer no apiserver would take (an HTTP error, a patch that does not
  // apply): the case fails with it.
  std::string error;
  Outcome verdict = Outcome::kAllowed;
  std::vector<FoundViolation> violations;
  std::string message;                 // the validating webhook's denial message, if any
  std::vector<std::string> warnings;   // both webhooks', in the order kubectl prints them
  nlohmann::json patch = nlohmann::json::array();
  nlohmann::json patched;              // the object after the patch (null for a DELETE)
  std::string patch_difference;        // with a failed `patched`: expected -> actual, as JSON Patch ops

  bool passed() const { return failures.empty(); }
};

CaseRun RunCase(const TestSuite& suite, const TestCase& test_case);

}  // namespace keyward
