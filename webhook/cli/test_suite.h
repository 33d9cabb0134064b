// keyward test's suites: `keyward-test.yaml` files of kind KeyPolicyTest
// (the format is in the README, "Policy tests"). Reading one checks all of
// it and reports every mistake, each at file:line with its fix, so that a
// broken suite is mended in one pass; nothing runs until a suite reads clean.
//
// Each case becomes the AdmissionReview the kube-apiserver would send the
// mutating webhook, so that running it is running the server's Admit.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/model/policy.h"
#include "policy/rules/evaluate.h"
#include "policy/rules/known_pipelines.h"
#include "webhook/base/status.h"
#include "webhook/kube/namespace_object.h"

namespace keyward {

inline constexpr std::string_view kTestSuiteFileName = "keyward-test.yaml";
inline constexpr std::string_view kTestSuiteApiVersion = "keyward.dev/v1alpha1";
inline constexpr std::string_view kTestSuiteKind = "KeyPolicyTest";

// What a case asserts; only `verdict` is required.
struct CaseExpectation {
  Outcome verdict = Outcome::kAllowed;
  std::optional<std::set<std::string>> codes;  // exactly these codes, in any order
  std::vector<std::string> paths;              // each is the path of some violation
  std::optional<nlohmann::json> patched;       // the object after the mutating webhook's patch
  std::optional<size_t> warnings;              // warnings of both webhooks, as kubectl prints them
};

struct TestCase {
  std::string name;
  std::string source;     // "file:line" of the case
  nlohmann::json review;  // the AdmissionReview sent to the mutating webhook
  CaseExpectation expect;
};

// Not copied or moved once read: `pipelines` borrows from the objects and
// namespaces beside it.
struct TestSuite {
  std::string path;
  std::string policy_path;  // as resolved against the suite's folder
  std::shared_ptr<const Policy> policy;
  NamespaceContext namespaces;  // the cluster context the cases are judged with
  std::deque<nlohmann::json> pipeline_objects;
  KnownPipelines pipelines;  // what PipelineExecutions may name, as the server's watched Pipelines
  std::vector<TestCase> cases;
};

struct SuiteReadResult {
  std::unique_ptr<TestSuite> suite = std::make_unique<TestSuite>();
  std::vector<Status> errors;  // every mistake found; the suite is usable only when empty
};

SuiteReadResult ReadTestSuite(const std::string& path);

// The suite files under `paths`: a file is taken as it is named, a folder is
// searched (recursively) for files named keyward-test.yaml. Sorted, each
// once. A path that does not exist is an error.
std::vector<std::string> FindTestSuites(const std::vector<std::string>& paths, std::vector<Status>* errors);

}  // namespace keyward
