#include <cstdio>
#include <exception>
#include <iostream>

#include "webhook/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"keyward: keeps SageMaker resources on their tenant's KMS key", "keyward"};
  app.set_version_flag("--version", std::string("keyward ") + KEYWARD_VERSION);
  app.require_subcommand(1);
  int exit_code = keyward::kExitOk;
  keyward::AddCheckCommand(app, &exit_code);
  keyward::AddTestCommand(app, &exit_code);
  keyward::AddPolicyCommand(app, &exit_code);
  keyward::AddCatalogCommand(app, &exit_code);
  keyward::AddServeCommand(app, &exit_code);
  keyward::AddReviewCommand(app, &exit_code);
  keyward::AddAuditCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return keyward::kExitUsage;
  } catch (const std::exception& e) {
    // Every input is checked where it is read; this is the last line of
    // defence, so that a missed case is an error message, never an abort.
    std::cerr << "keyward: internal error: " << e.what()
              << "; the input that caused it is not handled yet, please report it\n";
    return keyward::kExitUsage;
  }
  return exit_code;
}
