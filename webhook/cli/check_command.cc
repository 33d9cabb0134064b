// keyward check: what the apiserver would do with each manifest (mutate,
// then validate the mutated object), without a cluster. An AdmissionReview
// among the inputs is judged as the request it holds (operation, oldObject
// and user included), so a captured review can be replayed.
#include <iostream>

#include "policy/rules/evaluate.h"
#include "policy/rules/known_pipelines.h"
#include "webhook/admission/admission_codec.h"
#include "webhook/admission/policy_file.h"
#include "webhook/base/json_member.h"
#include "webhook/cli/commands.h"
#include "webhook/cli/json_to_yaml.h"
#include "webhook/cli/manifest_reader.h"
#include "webhook/kube/namespace_object.h"

namespace keyward {
namespace {

struct CheckOptions {
  std::string policy_path;
  std::vector<std::string> inputs;
  std::string output = "text";
  std::string namespace_name;
  std::string user = "kubernetes-user";
  std::vector<std::string> namespace_files;  // Namespace objects: the cluster context
};

struct CheckedObject {
  const Manifest* manifest;
  std::unique_ptr<DecodedReview> review;  // set for an AdmissionReview input; owns nothing, borrows the manifest
  AdmissionRequest request;
  Evaluation evaluation;
  Outcome verdict = Outcome::kAllowed;
  std::string skip_reason;  // with kSkipped
};

bool IsAdmissionReview(const nlohmann::json& object) {
  const std::string api_version = StringMember(object, "apiVersion");
  return StringMember(object, "kind") == "AdmissionReview" &&
         (api_version == kAdmissionV1 || api_version == kAdmissionV1beta1);
}

AdmissionRequest RequestFor(const nlohmann::json& object, const CheckOptions& options) {
  AdmissionRequest request = CreateRequestFor(object);
  if (request.namespace_name.empty()) request.namespace_name = options.namespace_name;
  if (request.namespace_name.empty()) request.namespace_name = "default";
  if (auto metadata = object.find("metadata"); request.name.empty() && metadata != object.end()) {
    request.name = StringMember(*metadata, "generateName");
  }
  request.username = options.user;
  return request;
}

std::vector<std::string> AllWarnings(const Evaluation& e) {
  std::vector<std::string> warnings = e.mutation.warnings;
  warnings.insert(warnings.end(), e.validation.warnings.begin(), e.validation.warnings.end());
  return warnings;
}

nlohmann::json ToJson(const CheckedObject& checked) {
  const Evaluation& e = checked.evaluation;
  nlohmann::json violations = nlohmann::json::array();
  for (const Violation& v : e.validation.violations) {
    violations.push_back(
        {{"path", v.path}, {"code", v.code}, {"message", v.message}, {"enforcement", EnforcementName(v.enforcement)}});
  }
  const nlohmann::json& object =
      checked.request.object != nullptr ? *checked.request.object : *checked.request.old_object;
  std::vector<std::string> warnings = AllWarnings(e);
  if (!checked.skip_reason.empty()) warnings.push_back(checked.skip_reason);
  return {{"apiVersion", StringMember(object, "apiVersion")},
          {"kind", checked.request.kind},
          {"namespace", checked.request.namespace_name},
          {"name", checked.request.name},
          {"source", checked.manifest->source},
          {"tenant", e.validation.tenant.empty() ? e.mutation.tenant : e.validation.tenant},
          {"allowed", e.validation.allowed},
          {"enforcement", EnforcementName(e.validation.enforcement)},
          {"violations", std::move(violations)},
          {"warnings", std::move(warnings)},
          {"patch", e.mutation.patch},
          {"verdict", WordOf<Outcome>(kOutcomeWords, checked.verdict)},
          {"exempt", checked.verdict == Outcome::kExempt},
          {"operation", OperationName(checked.request.operation)}};
}

void PrintText(const CheckedObject& checked, std::ostream& out) {
  const Evaluation& e = checked.evaluation;
  const AdmissionRequest& r = checked.request;
  std::string tenant = e.validation.tenant.empty() ? e.mutation.tenant : e.validation.tenant;
  out << r.kind << " " << r.namespace_name << "/" << r.name << " (" << checked.manifest->source << ")";
  if (r.operation != Operation::kCreate) out << " " << OperationName(r.operation);
  if (!tenant.empty()) out << " tenant " << tenant;
  switch (checked.verdict) {
    case Outcome::kDenied:
      out << ": DENIED\n";
      break;
    case Outcome::kWarned:
    case Outcome::kAudited:
      out << ": ALLOWED with violations (enforcement " << EnforcementName(e.validation.enforcement) << ")\n";
      break;
    case Outcome::kAllowed:
      out << ": ALLOWED\n";
      break;
    case Outcome::kExempt:
      out << ": EXEMPT (namespace " << r.namespace_name << " is in exemptNamespaces; keyward does not judge it)\n";
      return;
    case Outcome::kSkipped:
      out << ": SKIPPED\n  warning: " << checked.skip_reason << "\n";
      return;
  }
  for (const Injection& injection : e.mutation.injected) {
    out << "  injected " << injection.path << " = " << injection.key << "\n";
  }
  for (const std::string& path : e.mutation.guardrails_set) out << "  set " << path << " (guardrail)\n";
  for (const Violation& v : e.validation.violations) {
    out << "  " << v.code << " " << v.path << ": " << v.message << "\n";
  }
  for (const std::string& warning : e.validation.warnings) out << "  warning: " << warning << "\n";
}

int RunCheck(const CheckOptions& options) {
  const Result<std::shared_ptr<const Policy>> policy = LoadPolicyFile(options.policy_path);
  if (!policy.ok()) {
    std::cerr << policy.status().ToString() << "\n";
    return kExitUsage;
  }
  ManifestReadResult read = ReadManifests(options.inputs, std::cin);
  ManifestReadResult context = ReadManifests(options.namespace_files, std::cin);
  for (const Status& error : read.errors) std::cerr << "error: " << error.ToString() << "\n";
  for (const Status& error : context.errors) std::cerr << "error: " << error.ToString() << "\n";
  if (!read.errors.empty() || !context.errors.empty()) return kExitUsage;
  // Namespace objects, among the inputs or from --namespaces, are context,
  // used as the server uses its watched namespaces; they get no verdict.
  NamespaceContext namespaces;
  for (const ManifestReadResult* source : {&context, &read}) {
    for (const Manifest& manifest : source->manifests) namespaces.Add(manifest.object);
  }

  // Pipelines among the inputs are what the executions among them name, as
  // the server's watched Pipelines are (they get verdicts of their own too).
  KnownPipelines pipelines;
  for (const Manifest& manifest : read.manifests) {
    if (!IsPipelineObject(manifest.object)) continue;
    const std::string ns = RequestFor(manifest.object, options).namespace_name;
    pipelines.Add(&manifest.object, ns, namespaces.Find(ns));
  }
  std::vector<CheckedObject> checked;
  checked.reserve(read.manifests.size());
  for (const Manifest& manifest : read.manifests) {
    if (IsNamespaceObject(manifest.object)) continue;
    CheckedObject c{&manifest, nullptr, {}, {}, Outcome::kAllowed, {}};
    if (IsAdmissionReview(manifest.object)) {
      c.review = std::make_unique<DecodedReview>();
      if (Status decoded = DecodeAdmissionReview(manifest.object, c.review.get()); !decoded.ok()) {
        std::cerr << "error: " << manifest.source << ": " << decoded.ToString() << "\n";
        return kExitUsage;
      }
      c.request = c.review->request;
    } else {
      c.request = RequestFor(manifest.object, options);
    }
    c.request.namespace_info = namespaces.Find(c.request.namespace_name);
    // With no Pipeline given, executions are judged as a server without
    // cluster context judges them: by their values alone.
    if (!pipelines.empty()) c.request.pipelines = &pipelines;
    c.evaluation = Evaluate(*policy.value(), c.request);
    c.verdict = OutcomeOf(*policy.value(), c.request, c.evaluation.validation);
    if (c.verdict == Outcome::kSkipped) c.skip_reason = SkipReason(c.request);
    checked.push_back(std::move(c));
  }
  bool any_denied = std::any_of(checked.begin(), checked.end(),
                                [](const CheckedObject& c) { return !c.evaluation.validation.allowed; });
  if (options.output == "json") {
    nlohmann::json report = nlohmann::json::array();
    for (const CheckedObject& c : checked) report.push_back(ToJson(c));
    std::cout << report.dump(2) << "\n";
  } else if (options.output == "yaml") {
    // Mutated manifests on stdout (for kubectl apply), verdicts on stderr.
    for (const CheckedObject& c : checked) {
      if (c.request.object == nullptr) continue;  // a DELETE review: nothing is stored
      std::cout << "---\n" << JsonToYaml(c.evaluation.mutated_object);
      if (!c.evaluation.validation.allowed || !c.evaluation.validation.violations.empty()) PrintText(c, std::cerr);
    }
  } else {
    for (const CheckedObject& c : checked) PrintText(c, std::cout);
  }
  return any_denied ? kExitDenied : kExitOk;
}

}  // namespace

void AddCheckCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* check = app.add_subcommand(
      "check", "Mutate and validate manifests as the admission webhooks would (exit 0 allowed, 1 denied, 2 error)");
  check->add_option("--policy", options->policy_path, "KeyPolicy file")->required();
  check->add_option("-f,--filename", options->inputs, "Manifest file, directory or - for standard input")
      ->required();
  check->add_option("-o,--output", options->output, "text, json (verdicts) or yaml (mutated manifests)")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  check->add_option("-n,--namespace", options->namespace_name,
                    "Namespace for manifests without metadata.namespace (default: default)");
  check->add_option("--user", options->user, "User the CREATE is evaluated for");
  check->add_option("--namespaces", options->namespace_files,
                    "Namespace objects (kubectl get ns -o yaml) whose labels and annotations decide as the server's "
                    "cluster context does; Namespace objects among the manifests count too");
  check->callback([options, exit_code] { *exit_code = RunCheck(*options); });
}

}  // namespace keyward
