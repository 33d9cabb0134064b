// keyward check: what the apiserver would do with each manifest (mutate,
// then validate the mutated object, through the server's Admit:
// as_the_apiserver.h), without a cluster. An AdmissionReview
// among the inputs is judged as the request it holds (operation, oldObject
// and user included), so a captured review can be replayed.
#include <iostream>

#include "policy/rules/evaluate.h"
#include "policy/rules/known_pipelines.h"
#include "webhook/admission/admission_codec.h"
#include "webhook/admission/as_the_apiserver.h"
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
  // What was decided about, from the review sent (or given).
  std::string api_version;
  std::string kind;
  std::string namespace_name;
  std::string name;
  Operation operation = Operation::kCreate;
  ApiServerRun run;
  std::string skip_reason;  // with Outcome::kSkipped

  const AdmissionOutcome& validation() const { return run.validation; }
  Outcome verdict() const { return run.validation.outcome; }
  bool allowed() const { return run.error.empty() && run.validation.decision != VerdictName(Verdict::kDenied); }
  std::string tenant() const { return run.validation.tenant.empty() ? run.mutation.tenant : run.validation.tenant; }
};

bool IsAdmissionReview(const nlohmann::json& object) {
  const std::string api_version = StringMember(object, "apiVersion");
  return StringMember(object, "kind") == "AdmissionReview" &&
         (api_version == kAdmissionV1 || api_version == kAdmissionV1beta1);
}

// The review a CREATE of the manifest makes, as the apiserver sends it.
nlohmann::json CreateReviewFor(const nlohmann::json& object, const CheckOptions& options) {
  ReviewRequest request;
  request.namespace_name = options.namespace_name;
  const std::string own = CreateRequestFor(object).namespace_name;
  if (!own.empty()) request.namespace_name = own;
  request.username = options.user;
  request.write_namespace = false;  // -o yaml prints the manifests as written
  return ReviewFor(object, request);
}

nlohmann::json ToJson(const CheckedObject& checked) {
  nlohmann::json violations = nlohmann::json::array();
  for (const Violation& v : checked.validation().violations) {
    violations.push_back(
        {{"path", v.path}, {"code", v.code}, {"message", v.message}, {"enforcement", EnforcementName(v.enforcement)}});
  }
  std::vector<std::string> warnings = checked.run.warnings;
  if (!checked.skip_reason.empty()) warnings.push_back(checked.skip_reason);
  return {{"apiVersion", checked.api_version},
          {"kind", checked.kind},
          {"namespace", checked.namespace_name},
          {"name", checked.name},
          {"source", checked.manifest->source},
          {"tenant", checked.tenant()},
          {"allowed", checked.allowed()},
          {"enforcement", EnforcementName(checked.validation().enforcement)},
          {"violations", std::move(violations)},
          {"warnings", std::move(warnings)},
          {"patch", checked.run.patch},
          {"verdict", WordOf<Outcome>(kOutcomeWords, checked.verdict())},
          {"exempt", checked.verdict() == Outcome::kExempt},
          {"operation", OperationName(checked.operation)}};
}

void PrintText(const CheckedObject& checked, std::ostream& out) {
  const std::string tenant = checked.tenant();
  out << checked.kind << " " << checked.namespace_name << "/" << checked.name << " (" << checked.manifest->source
      << ")";
  if (checked.operation != Operation::kCreate) out << " " << OperationName(checked.operation);
  if (!tenant.empty()) out << " tenant " << tenant;
  switch (checked.verdict()) {
    case Outcome::kDenied:
      out << ": DENIED\n";
      break;
    case Outcome::kWarned:
    case Outcome::kAudited:
      out << ": ALLOWED with violations (enforcement " << EnforcementName(checked.validation().enforcement) << ")\n";
      break;
    case Outcome::kAllowed:
      out << ": ALLOWED\n";
      break;
    case Outcome::kExempt:
      out << ": EXEMPT (namespace " << checked.namespace_name
          << " is in exemptNamespaces; keyward does not judge it)\n";
      return;
    case Outcome::kSkipped:
      out << ": SKIPPED\n  warning: " << checked.skip_reason << "\n";
      return;
  }
  for (const Injection& injection : checked.run.mutation.injected) {
    out << "  injected " << injection.path << " = " << injection.key << "\n";
  }
  for (const std::string& path : checked.run.mutation.guardrails_set) out << "  set " << path << " (guardrail)\n";
  for (const Violation& v : checked.validation().violations) {
    out << "  " << v.code << " " << v.path << ": " << v.message << "\n";
  }
  // The mutating webhook's warnings are the injections printed above.
  for (size_t i = checked.run.mutation_warnings; i < checked.run.warnings.size(); ++i) {
    out << "  warning: " << checked.run.warnings[i] << "\n";
  }
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
    std::string ns = CreateRequestFor(manifest.object).namespace_name;
    if (ns.empty()) ns = options.namespace_name.empty() ? "default" : options.namespace_name;
    pipelines.Add(&manifest.object, ns, namespaces.Find(ns));
  }
  NamespaceContextSource namespace_source(namespaces);
  AdmitOptions admit;
  admit.namespaces = &namespace_source;
  // With no Pipeline given, executions are judged as a server without
  // cluster context judges them: by their values alone.
  if (!pipelines.empty()) admit.pipelines = &pipelines;
  std::vector<CheckedObject> checked;
  checked.reserve(read.manifests.size());
  for (const Manifest& manifest : read.manifests) {
    if (IsNamespaceObject(manifest.object)) continue;
    CheckedObject c{&manifest, StringMember(manifest.object, "apiVersion"), {}, {}, {}, Operation::kCreate, {}, {}};
    nlohmann::json review;
    if (IsAdmissionReview(manifest.object)) {
      DecodedReview decoded;
      if (Status status = DecodeAdmissionReview(manifest.object, &decoded); !status.ok()) {
        std::cerr << "error: " << manifest.source << ": " << status.ToString() << "\n";
        return kExitUsage;
      }
      const nlohmann::json* object = decoded.request.object != nullptr ? decoded.request.object
                                                                      : decoded.request.old_object;
      if (object != nullptr) c.api_version = StringMember(*object, "apiVersion");
      review = manifest.object;
    } else {
      review = CreateReviewFor(manifest.object, options);
    }
    const nlohmann::json& request = review["request"];
    c.kind = request["kind"]["kind"].get<std::string>();
    c.namespace_name = StringMember(request, "namespace");
    c.name = StringMember(request, "name");
    ParseOperation(StringMember(request, "operation"), &c.operation);
    c.run = AdmitAsTheApiServer(*policy.value(), std::move(review), admit);
    if (!c.run.error.empty()) {
      std::cerr << "error: " << manifest.source << ": " << c.run.error << "\n";
      return kExitUsage;
    }
    if (c.verdict() == Outcome::kSkipped) {
      AdmissionRequest skipped;
      skipped.group = c.run.validation.group;
      skipped.kind = c.kind;
      c.skip_reason = SkipReason(skipped);
    }
    checked.push_back(std::move(c));
  }
  bool any_denied =
      std::any_of(checked.begin(), checked.end(), [](const CheckedObject& c) { return !c.allowed(); });
  if (options.output == "json") {
    nlohmann::json report = nlohmann::json::array();
    for (const CheckedObject& c : checked) report.push_back(ToJson(c));
    std::cout << report.dump(2) << "\n";
  } else if (options.output == "yaml") {
    // Mutated manifests on stdout (for kubectl apply), verdicts on stderr.
    for (const CheckedObject& c : checked) {
      if (c.run.patched.is_null()) continue;  // a DELETE review: nothing is stored
      std::cout << "---\n" << JsonToYaml(c.run.patched);
      if (!c.allowed() || !c.validation().violations.empty()) PrintText(c, std::cerr);
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
