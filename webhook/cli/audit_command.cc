// keyward audit: the compliance report for resources that already exist,
// read from files (`kubectl get ... -A -o json|yaml` output, Lists,
// manifests). Each object is judged by the core as it is stored
// (policy/audit.h); the report goes to standard output.
#include <chrono>
#include <ctime>
#include <iostream>

#include <openssl/evp.h>

#include "policy/audit.h"
#include "webhook/admission/bounded_json.h"
#include "webhook/admission/policy_file.h"
#include "webhook/admission/text_file.h"
#include "webhook/cli/audit_input.h"
#include "webhook/cli/audit_report.h"
#include "webhook/cli/commands.h"

namespace keyward {
namespace {

// Exit status 3: something could not be listed (a live cluster's 403), so
// the report does not see everything; a gate must not pass silently.
constexpr int kExitIncomplete = 3;

struct AuditOptions {
  std::string policy;
  std::vector<std::string> inputs;
  std::string output = "text";
  std::string baseline;
  std::string fail_on = "noncompliant";
  bool allow_incomplete = false;
};

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string UtcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

int RunAudit(const AuditOptions& options) {
  Result<std::string> policy_text = ReadTextFile(options.policy, 16u << 20);
  if (!policy_text.ok()) {
    std::cerr << policy_text.status().ToString() << "\n";
    return kExitUsage;
  }
  Result<std::shared_ptr<const Policy>> policy = LoadPolicyFile(options.policy);
  if (!policy.ok()) {
    std::cerr << policy.status().ToString() << "\n";
    return kExitUsage;
  }
  std::optional<nlohmann::json> baseline;
  if (!options.baseline.empty()) {
    Result<std::string> text = ReadTextFile(options.baseline, 1ull << 30);
    Result<nlohmann::json> parsed = text.ok() ? ParseBoundedJson(text.value()) : Result<nlohmann::json>(text.status());
    if (!parsed.ok() || !parsed.value().is_object() || parsed.value().value("kind", "") != kAuditReportKind) {
      std::cerr << options.baseline << ": not a keyward audit report in JSON"
                << (parsed.ok() ? "" : " (" + parsed.status().ToString() + ")")
                << "; give the output of an earlier `keyward audit -o json`\n";
      return kExitUsage;
    }
    baseline = std::move(parsed.value());
  }

  AuditRun run;
  run.meta.generated_at = UtcNow();
  run.meta.keyward_version = KEYWARD_VERSION;
  run.meta.policy_file = options.policy;
  run.meta.policy_sha256 = Sha256Hex(policy_text.value());
  run.meta.inputs = options.inputs;
  std::vector<Status> errors =
      ReadAuditInputs(options.inputs, std::cin, [&](nlohmann::json object, const std::string& where) {
        std::optional<AuditedObject> audited = AuditObject(*policy.value(), object);
        if (!audited) return;  // outside the catalog
        audited->source = where;
        run.objects.push_back(std::move(*audited));
      });
  if (!errors.empty()) {
    for (const Status& error : errors) std::cerr << error.ToString() << "\n";
    return kExitUsage;
  }
  run.summary = SummarizeAudit(run.objects, run.meta.generated_at, baseline ? &*baseline : nullptr);

  if (options.output == "json") {
    std::cout << AuditJson(run).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (options.output == "markdown") {
    std::cout << AuditMarkdown(run);
  } else if (options.output == "html") {
    std::cout << AuditHtml(run);
  } else if (options.output == "policyreport" || options.output == "openreports") {
    std::cout << AuditPolicyReports(run, options.output == "openreports");
  } else {
    std::cout << AuditText(run);
  }
  if (!run.meta.incomplete.empty() && !options.allow_incomplete) return kExitIncomplete;
  if (options.fail_on == "noncompliant" && run.summary.noncompliant > 0) return kExitDenied;
  return kExitOk;
}

}  // namespace

void AddAuditCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<AuditOptions>();
  CLI::App* audit = app.add_subcommand(
      "audit", "Report how existing SageMaker resources stand against the policy, with KPIs and audit evidence");
  audit->add_option("--policy", options->policy, "KeyPolicy file")->required();
  audit->add_option("-f,--filename", options->inputs, "kubectl get -o json|yaml output, Lists, manifests; a file, "
                                                      "directory or - (repeatable)")
      ->required();
  audit->add_option("-o,--output", options->output, "text, json, markdown, html, policyreport or openreports")
      ->check(CLI::IsMember({"text", "json", "markdown", "html", "policyreport", "openreports"}));
  audit->add_option("--baseline", options->baseline, "an earlier `-o json` report: new, fixed and open findings");
  audit->add_option("--fail-on", options->fail_on, "exit 1 when something is non-compliant (noncompliant) or never "
                                                   "(none)")
      ->check(CLI::IsMember({"none", "noncompliant"}));
  audit->add_flag("--allow-incomplete", options->allow_incomplete,
                  "exit 0/1 even when a kind could not be listed (otherwise 3)");
  audit->callback([options, exit_code] { *exit_code = RunAudit(*options); });
}

}  // namespace keyward
