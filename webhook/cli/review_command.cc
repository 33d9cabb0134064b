// `keyward review`: sends manifests through a running server's /mutate and
// /validate as the apiserver would, and prints each decision.
#include <iostream>
#include <memory>

#include "policy/rules/decision.h"
#include "webhook/base/json_member.h"
#include "webhook/cli/commands.h"
#include "webhook/cli/manifest_reader.h"
#include "webhook/cli/review_client.h"

namespace keyward {
namespace {

struct ReviewFlags {
  std::string server = "https://127.0.0.1:8443";
  std::string ca_file;
  std::string namespace_name = "default";
  std::string user = "kubernetes-admin";
  std::vector<std::string> inputs;
};

// "Kind namespace/name", or "Kind name" when the manifest names no namespace.
std::string ManifestLabel(const nlohmann::json& object) {
  const AdmissionRequest request = CreateRequestFor(object);
  return request.kind + " " + (request.namespace_name.empty() ? "" : request.namespace_name + "/") + request.name;
}

void PrintIndented(std::string_view label, const std::string& text) {
  std::cout << "  " << label;
  for (char c : text) {
    std::cout << c;
    if (c == '\n') std::cout << "            ";
  }
  std::cout << "\n";
}

void PrintOutcome(const ReviewOutcome& outcome) {
  if (outcome.patch.empty()) {
    std::cout << "  mutate    nothing to inject\n";
  }
  for (const auto& op : outcome.patch) {
    auto value = op.find("value");
    const std::string value_text =
        value == op.end() ? "null" : value->is_string() ? value->get<std::string>() : value->dump();
    std::cout << "  mutate    " << StringMember(op, "op", "?") << " " << StringMember(op, "path", "?") << " = "
              << value_text << "\n";
  }
  for (const auto& warning : outcome.mutation_warnings) PrintIndented("  warning   ", warning);
  if (!outcome.allowed) {
    PrintIndented("validate  DENIED: ", outcome.message);
  } else if (!outcome.audit_annotations.empty()) {
    std::cout << "  validate  allowed (audited)\n";
    for (const auto& [key, value] : outcome.audit_annotations.items()) {
      PrintIndented("  audit     ", key + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
    }
  } else {
    std::cout << "  validate  allowed" << (outcome.warnings.empty() ? "" : " with warnings") << "\n";
  }
  for (const auto& warning : outcome.warnings) PrintIndented("  warning   ", warning);
}

int RunReview(const ReviewFlags& flags) {
  if (flags.inputs.empty()) {
    std::cerr << "keyward review: no manifests given; name files or directories with -f (or as arguments), or - "
                 "for standard input\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<ReviewClient>> connected = ReviewClient::Connect(flags.server, flags.ca_file);
  if (!connected.ok()) {
    std::cerr << "keyward review: " << connected.status().ToString() << "\n";
    return kExitUsage;
  }
  ReviewClient& client = *connected.value();
  ManifestReadResult read = ReadManifests(flags.inputs, std::cin);
  for (const Status& problem : read.errors) std::cerr << "keyward review: " << problem.ToString() << "\n";
  if (!read.errors.empty()) return kExitUsage;

  ReviewIdentity identity{flags.namespace_name, flags.user};
  size_t allowed = 0;
  size_t denied = 0;
  for (const Manifest& manifest : read.manifests) {
    std::cout << manifest.source << "  " << ManifestLabel(manifest.object) << "\n";
    ReviewOutcome outcome;
    if (Status reviewed = client.Review(manifest.object, identity, &outcome); !reviewed.ok()) {
      std::cerr << "keyward review: " << manifest.source << ": " << reviewed.ToString() << "\n";
      return kExitUsage;
    }
    PrintOutcome(outcome);
    ++(outcome.allowed ? allowed : denied);
  }
  std::cout << read.manifests.size() << " object(s): " << allowed << " allowed, " << denied << " denied\n";
  return denied > 0 ? kExitDenied : kExitOk;
}

}  // namespace

void AddReviewCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ReviewFlags>();
  CLI::App* review = app.add_subcommand(
      "review", "Send manifests through a running keyward server's /mutate and /validate, as the apiserver would");
  review->add_option("--server", flags->server, "the server's URL")->capture_default_str();
  review->add_option("--ca-file", flags->ca_file, "CA certificate (PEM) that signed the server's certificate")
      ->required();
  review->add_option("-n,--namespace", flags->namespace_name, "namespace for objects that name none")
      ->capture_default_str();
  review->add_option("--user", flags->user, "the requesting user (userInfo.username)")->capture_default_str();
  // Not required() for CLI11: one option with two spellings would be listed
  // as required twice; RunReview says what is missing instead.
  review->add_option("-f,--filename,inputs", flags->inputs,
                     "manifest files, directories, or - for standard input (at least one; -f or as arguments)");
  review->callback([flags, exit_code] { *exit_code = RunReview(*flags); });
}

}  // namespace keyward
