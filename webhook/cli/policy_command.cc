// keyward policy lint: validates KeyPolicy files before they reach a cluster.
#include <iostream>

#include "webhook/cli/commands.h"
#include "webhook/admission/policy_file.h"

namespace keyward {

void AddPolicyCommand(CLI::App& app, int* exit_code) {
  CLI::App* policy = app.add_subcommand("policy", "Work with KeyPolicy files");
  policy->require_subcommand(1);
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* lint = policy->add_subcommand(
      "lint", "Validate policy files; prints file:line:column, the field and a fix for every problem");
  lint->add_option("files", *files, "Policy files")->required();
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
