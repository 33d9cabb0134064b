// keyward catalog: the kinds, KMS fields and role fields keyward knows, for humans and for
// tooling that must agree with it (the Helm chart's webhook rules).
#include <iostream>

#include <nlohmann/json.hpp>

#include "policy/catalog/catalog.h"
#include "webhook/cli/commands.h"

namespace keyward {
namespace {

std::string_view LocalStorageRuleName(LocalStorageRule rule) {
  return WordOf<LocalStorageRule>(kLocalStorageRuleWords, rule);
}

nlohmann::json CatalogJson() {
  nlohmann::json kinds = nlohmann::json::array();
  for (const CatalogKind& kind : Catalog()) {
    nlohmann::json fields = nlohmann::json::array();
    for (const KmsField& field : kind.fields) {
      fields.push_back({{"path", field.path},
                        {"purpose", KeyPurposeName(field.purpose)},
                        {"createOnly", field.create_only},
                        {"deprecated", field.deprecated},
                        {"localStorage", LocalStorageRuleName(field.local_storage)},
                        {"instanceTypePaths", field.instance_type_paths},
                        {"anchor", field.anchor.empty() ? "" : field.anchor},
                        {"anchorSwitch", field.anchor_switch},
                        {"acceptedForms", KeyFormsText(field.accepted_forms)}});
    }
    nlohmann::json roles = nlohmann::json::array();
    for (const RoleField& role : kind.roles) roles.push_back(role.path);
    kinds.push_back({{"group", kind.group},
                     {"version", kind.version},
                     {"kind", kind.kind},
                     {"resource", kind.resource},
                     {"regionPath", kind.region_path},
                     {"fields", std::move(fields)},
                     {"roles", std::move(roles)}});
  }
  return kinds;
}

}  // namespace

void AddCatalogCommand(CLI::App& app, int* exit_code) {
  auto output = std::make_shared<std::string>("text");
  CLI::App* catalog = app.add_subcommand("catalog", "List the SageMaker kinds, KMS fields and role fields keyward handles");
  catalog->add_option("-o,--output", *output, "text or json")->check(CLI::IsMember({"text", "json"}));
  catalog->callback([output, exit_code] {
    if (*output == "json") {
      std::cout << CatalogJson().dump(2) << "\n";
    } else {
      for (const CatalogKind& kind : Catalog()) {
        std::cout << kind.group << "/" << kind.version << " " << kind.kind << " (" << kind.resource << ")\n";
        for (const KmsField& field : kind.fields) {
          std::cout << "  " << field.path << "  " << KeyPurposeName(field.purpose)
                    << (field.create_only ? ", create-only" : ", updatable")
                    << (field.deprecated ? ", deprecated" : "")
                    << (field.anchor.empty() ? "" : ", anchor " + std::string(field.anchor)) << "\n";
        }
        for (const RoleField& role : kind.roles) std::cout << "  " << role.path << "  role\n";
      }
    }
    *exit_code = kExitOk;
  });
}

}  // namespace keyward
