// The keyward command line: each subcommand lives in its own file and
// registers itself on the CLI11 app. A command stores its exit status in
// *exit_code when it runs; exit statuses: 0 success, 1 a denied object or a
// failed check, 2 usage or input errors.
#pragma once

#include <CLI/CLI.hpp>

namespace keyward {

inline constexpr int kExitOk = 0;
inline constexpr int kExitDenied = 1;
inline constexpr int kExitUsage = 2;

void AddCheckCommand(CLI::App& app, int* exit_code);    // check_command.cc
void AddTestCommand(CLI::App& app, int* exit_code);     // test_command.cc
void AddPolicyCommand(CLI::App& app, int* exit_code);   // policy_command.cc (policy lint)
void AddCatalogCommand(CLI::App& app, int* exit_code);  // catalog_command.cc
void AddServeCommand(CLI::App& app, int* exit_code);    // serve_command.cc
void AddReviewCommand(CLI::App& app, int* exit_code);   // review_command.cc
void AddAuditCommand(CLI::App& app, int* exit_code);    // audit_command.cc

}  // namespace keyward
