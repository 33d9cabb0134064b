// keyward policy lint: validates KeyPolicy files before they reach a cluster.
// keyward policy compile --target vap: the policy as ValidatingAdmissionPolicies
// (policy/compile/vap.h), as YAML for kubectl apply; --target aws: as IAM
// guardrails, SCPs and KMS key policy statements (policy/compile/aws.h), as
// JSON or Terraform JSON.
#include <iostream>

#include "policy/compile/aws.h"
#include "policy/compile/vap.h"
#include "webhook/admission/policy_file.h"
#include "webhook/cli/commands.h"
#include "webhook/cli/json_to_yaml.h"

namespace keyward {
namespace {

struct CompileOptions {
  std::string target = "vap";
  std::string api_version = "v1";
  std::string tenant;
  std::string output = "json";
  std::string policy_path;
};

int RunCompileAws(const CompileOptions& options, const Policy& policy) {
  const CompiledAws compiled = CompileAws(policy, options.tenant);
  if (!compiled.errors.empty()) {
    for (const std::string& error : compiled.errors) {
      std::cerr << "keyward policy compile --target aws: " << options.policy_path << ": " << error << "\n";
    }
    return kExitUsage;
  }
  const nlohmann::json out = options.output == "terraform" ? AwsTerraform(compiled.document) : compiled.document;
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

int RunCompile(const CompileOptions& options) {
  if (options.target == "vap" && (!options.tenant.empty() || options.output != "json")) {
    std::cerr << "keyward policy compile: --tenant and -o apply to --target aws; --target vap prints YAML for "
                 "every tenant\n";
    return kExitUsage;
  }
  const Result<std::shared_ptr<const Policy>> policy = LoadPolicyFile(options.policy_path);
  if (!policy.ok()) {
    std::cerr << policy.status().ToString() << "\n";
    return kExitUsage;
  }
  if (options.target == "aws") return RunCompileAws(options, *policy.value());
  const VapApiVersion version = *ValueOf<VapApiVersion>(kVapApiVersionWords, options.api_version);
  const CompiledVap compiled = CompileVap(*policy.value(), version);
  std::cout << "# keyward policy compile --target vap --api-version " << options.api_version << " "
            << options.policy_path << "\n"
            << "# Apply twice with kubectl apply -f: the first apply creates the KeyPolicyParams CRD, the second the\n"
            << "# params that need it. After a policy change, apply the output again: only the params change.\n"
            << "# Denied here: ";
  for (size_t i = 0; i < compiled.covered_codes.size(); ++i) std::cout << (i ? ", " : "") << compiled.covered_codes[i];
  std::cout << ".\n# Left to the webhook, because CEL cannot express them:\n";
  for (const std::string& reason : compiled.not_expressed) std::cout << "#   - " << reason << "\n";
  for (const nlohmann::json& object : compiled.objects) std::cout << "---\n" << JsonToYaml(object);
  return kExitOk;
}

void AddCompileCommand(CLI::App& policy, int* exit_code) {
  auto options = std::make_shared<CompileOptions>();
  CLI::App* compile = policy.add_subcommand(
      "compile",
      "Compile a policy for another enforcement point: --target vap prints ValidatingAdmissionPolicies, --target aws "
      "IAM guardrail policies, SCPs and KMS key policy statements");
  compile
      ->add_option("--target", options->target,
                   "vap: ValidatingAdmissionPolicies, their bindings and params; aws: per tenant, IAM guardrail "
                   "policies for its caller roles, SCPs and KMS key policy statements")
      ->check(CLI::IsMember({"vap", "aws"}));
  compile->add_option("--tenant", options->tenant, "--target aws: this tenant only");
  compile->add_option("-o,--output", options->output, "--target aws: json (default) or terraform (.tf.json)")
      ->check(CLI::IsMember({"json", "terraform"}));
  compile->add_option("--api-version", options->api_version,
                      "v1 (Kubernetes 1.30 and later) or v1beta1 (1.28 and 1.29, with the "
                      "ValidatingAdmissionPolicy feature gate)")
      ->check(CLI::IsMember({"v1", "v1beta1"}));
  compile->add_option("policy", options->policy_path, "KeyPolicy file")->required();
  compile->callback([options, exit_code] { *exit_code = RunCompile(*options); });
}

}  // namespace

void AddPolicyCommand(CLI::App& app, int* exit_code) {
  CLI::App* policy = app.add_subcommand("policy", "Work with KeyPolicy files");
  policy->require_subcommand(1);
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* lint = policy->add_subcommand(
      "lint", "Validate policy files; prints file:line:column, the field and a fix for every problem");
  lint->add_option("files", *files, "Policy files")->required();
  AddCompileCommand(*policy, exit_code);
  lint->callback([files, exit_code] {
    *exit_code = kExitOk;
    for (const std::string& file : *files) {
      const Result<std::shared_ptr<const Policy>> result = LoadPolicyFile(file);
      if (result.ok()) {
        const size_t tenants = result.value()->tenants.size();
        std::cout << file << ": ok (" << tenants << " tenant" << (tenants == 1 ? "" : "s") << ")\n";
        for (const Diagnostic& notice : result.value()->notices) std::cout << notice.ToString() << "\n";
        continue;
      }
      std::cerr << result.status().ToString() << "\n";
      // An unreadable file is a usage error; an invalid policy is a failed check.
      const bool unreadable = result.status().code() == Status::Code::kIoError;
      *exit_code = std::max(*exit_code, unreadable ? kExitUsage : kExitDenied);
    }
  });
}

}  // namespace keyward
