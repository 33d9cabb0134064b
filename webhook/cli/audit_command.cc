// keyward audit: the compliance report for resources that already exist,
// read from files (`kubectl get ... -A -o json|yaml` output, Lists,
// manifests) or a live cluster. Each object is judged by the core as it is
// stored (policy/report/audit.h), with its namespace's labels and
// annotations where they are known (Namespace objects among the inputs or
// in --namespaces; the cluster's namespaces); the report goes to standard
// output.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <iostream>
#include <map>
#include <set>

#include <openssl/evp.h>

#include "policy/report/audit.h"
#include "policy/rules/known_pipelines.h"
#include "webhook/admission/policy_file.h"
#include "webhook/base/bounded_json.h"
#include "webhook/base/json_member.h"
#include "webhook/base/text_file.h"
#include "webhook/cli/audit_input.h"
#include "webhook/cli/audit_report.h"
#include "webhook/cli/commands.h"
#include "webhook/kube/kube_client.h"
#include "webhook/kube/namespace_object.h"

namespace keyward {
namespace {

// Exit status 3: something could not be listed (a live cluster's 403), so
// the report does not see everything; a gate must not pass silently.
constexpr int kExitIncomplete = 3;

struct AuditOptions {
  std::string policy;
  std::vector<std::string> inputs;
  std::vector<std::string> namespace_files;  // Namespace objects: the cluster context
  // Live mode (no -f): a cluster, through a kubeconfig or from inside a pod.
  ClusterFlags cluster;
  std::string namespace_name;
  bool all_namespaces = false;
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

// metadata.namespace, or "".
std::string NamespaceOf(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  return metadata != object.end() && metadata->is_object() ? StringMember(*metadata, "namespace") : "";
}

// The Pipelines read so far, kept for the PipelineExecutions that name them.
class AuditPipelines {
 public:
  // Keeps `object` when it is a Pipeline, with its namespace's context.
  void Keep(const nlohmann::json& object, const NamespaceContext& namespaces) {
    if (!IsPipelineObject(object)) return;
    const nlohmann::json& kept = objects_.emplace_back(object);
    known_.Add(&kept, NamespaceOf(kept), namespaces.Of(kept));
  }
  // Null while none is known: executions are then judged by their values alone.
  const PipelineDirectory* directory() const { return known_.empty() ? nullptr : &known_; }

 private:
  std::deque<nlohmann::json> objects_;  // stable addresses, for known_
  KnownPipelines known_;
};

// What the report says of objects judged without their namespaces.
constexpr std::string_view kWithoutNamespaces =
    "; without them tenants chosen by namespaceSelector and the namespaces' region and account annotations are not "
    "seen, and objects are judged by namespace names alone";

// The namespaces' labels and annotations, the context each object is judged
// with (as the server has it from its watch): every namespace (list), or
// with -n the one (get, which a RoleBinding in that namespace can grant;
// listing namespaces takes a ClusterRole). When they cannot be read the
// report is incomplete, and every object is judged by names alone.
void ReadNamespaces(KubeClient& client, const std::string& namespace_name, NamespaceContext* namespaces,
                    AuditRun* run) {
  std::string problem;
  if (namespace_name.empty()) {
    ListOutcome outcome = client.List("", "v1", "namespaces", "", [&](nlohmann::json item) { namespaces->Add(item); });
    if (outcome.complete) return;
    problem = outcome.http_status == 403
                  ? "forbidden to list namespaces: grant the RBAC verb list on namespaces (a ClusterRole; check with "
                    "kubectl auth can-i list namespaces)"
                  : outcome.problem;
  } else {
    Result<KubeResponse> got = client.Get(CollectionPath("", "v1", "namespaces") + "/" + namespace_name);
    const int status = got.ok() ? got.value().status : 0;
    if (status == 200) {
      Result<nlohmann::json> parsed = ParseBoundedJson(got.value().body);
      if (parsed.ok() && namespaces->Add(parsed.value())) return;
      problem = "reading namespace " + namespace_name + " did not answer a Namespace";
    } else if (status == 404) {
      return;  // no such namespace: nothing in it to judge
    } else if (status == 403) {
      problem = "forbidden to get namespace " + namespace_name + ": grant the RBAC verb get on namespaces (a " +
                "RoleBinding in " + namespace_name + " will do; check with kubectl auth can-i get namespaces/" +
                namespace_name + " -n " + namespace_name + ")";
    } else if (status == 401) {
      problem = "unauthorized reading namespace " + namespace_name + ": the credentials were refused; renew them";
    } else if (!got.ok()) {
      problem = "namespace " + namespace_name + ": " + got.status().ToString();
    } else {
      problem = "reading namespace " + namespace_name + " answered HTTP " + std::to_string(status);
    }
  }
  namespaces->Clear();
  run->meta.incomplete.push_back(problem + std::string(kWithoutNamespaces));
}

// Reads every catalog kind the cluster serves, page by page, auditing items
// as they arrive, each with its namespace's labels and annotations. A kind
// (or the namespaces) that cannot be listed makes the report incomplete.
Status ReadCluster(const AuditOptions& options, const Policy& policy, AuditRun* run) {
  Result<ClusterAccess> access = ResolveClusterAccess(options.cluster);
  if (!access.ok()) return access.status();
  // A server closing a connection mid-write (a refused client certificate)
  // must end in an error the report shows, not kill the process.
  ::signal(SIGPIPE, SIG_IGN);
  if (access.value().insecure_skip_tls_verify) {
    std::cerr << "warning: insecure-skip-tls-verify is set for cluster " << access.value().cluster_name
              << ": the API server's certificate is not checked\n";
  }
  Result<std::unique_ptr<KubeClient>> client = KubeClient::Connect(access.value());
  if (!client.ok()) return client.status();
  run->meta.cluster = access.value().cluster_name;
  run->meta.context = access.value().context_name;
  const bool progress = ::isatty(STDERR_FILENO) != 0;
  NamespaceContext namespaces;
  ReadNamespaces(*client.value(), options.namespace_name, &namespaces, run);
  if (progress) std::cerr << "read " << namespaces.size() << " namespaces\n";
  std::map<std::pair<std::string, std::string>, std::set<std::string>> served;  // group/version -> resources
  AuditPipelines pipelines;
  for (const CatalogKind& kind : Catalog()) {
    const std::pair<std::string, std::string> group_version{std::string(kind.group), std::string(kind.version)};
    if (!served.count(group_version)) {
      bool installed = false;
      Result<std::set<std::string>> resources =
          client.value()->ServedResources(group_version.first, group_version.second, &installed);
      if (!resources.ok()) return resources.status();
      served[group_version] = resources.value();
    }
    const std::string name = std::string(kind.resource) + "." + std::string(kind.group);
    if (!served[group_version].count(std::string(kind.resource))) {
      run->meta.not_installed.push_back(name);
      continue;
    }
    auto audit_item = [&](nlohmann::json item) {
      // The catalog lists Pipeline before PipelineExecution (by group,
      // then kind): each execution finds the pipeline it names.
      pipelines.Keep(item, namespaces);
      if (!options.namespace_name.empty() && NamespaceOf(item) != options.namespace_name) return;
      std::optional<AuditedObject> audited = AuditObject(policy, item, namespaces.Of(item), pipelines.directory());
      if (!audited) return;
      audited->source = "cluster:" + name;
      run->objects.push_back(std::move(*audited));
    };
    // An execution may name a pipeline of any namespace (another tenant's
    // is ForeignPipeline), so with -n the Pipelines of every namespace are
    // read, and only those of the namespace audited.
    const bool every_pipeline = !options.namespace_name.empty() && kind.group == kAckGroup && kind.kind == "Pipeline";
    ListOutcome outcome = client.value()->List(group_version.first, group_version.second,
                                               std::string(kind.resource),
                                               every_pipeline ? std::string() : options.namespace_name, audit_item);
    if (every_pipeline && !outcome.complete && outcome.items == 0) {
      run->meta.incomplete.push_back(
          "PipelineExecutions of " + options.namespace_name + " were judged knowing only the Pipelines of " +
          options.namespace_name + " (" + outcome.problem +
          "); to see a run of another tenant's pipeline, grant list on pipelines.sagemaker.services.k8s.aws in every "
          "namespace (a ClusterRole)");
      outcome = client.value()->List(group_version.first, group_version.second, std::string(kind.resource),
                                     options.namespace_name, audit_item);
    }
    if (!outcome.complete) run->meta.incomplete.push_back(outcome.problem);
    if (progress) std::cerr << "listed " << outcome.items << " " << name << "\n";
  }
  return Status::Ok();
}

// Reads the inputs three times: first only their Namespace objects (and
// those of --namespaces), the context, so that one counts wherever it
// stands, even after the objects in it; then their Pipelines (what the
// executions name); then every object, judged with its namespace's.
// Files are read again rather than kept; standard input is kept (it is read
// whole either way). Namespace objects get no verdict of their own.
std::vector<Status> ReadFiles(const AuditOptions& options, const Policy& policy, AuditRun* run) {
  StandardInput standard_input(std::cin);
  NamespaceContext namespaces;
  auto keep_namespace = [&](nlohmann::json object, const std::string&) { namespaces.Add(object); };
  std::vector<Status> errors = ReadAuditInputs(options.namespace_files, standard_input, keep_namespace);
  for (Status& error : ReadAuditInputs(options.inputs, standard_input, keep_namespace, "Namespace")) {
    errors.push_back(std::move(error));
  }
  // The Pipelines too, so that an execution finds the pipeline it names
  // wherever it stands.
  AuditPipelines pipelines;
  auto keep_pipeline = [&](nlohmann::json object, const std::string&) { pipelines.Keep(object, namespaces); };
  for (Status& error : ReadAuditInputs(options.inputs, standard_input, keep_pipeline, "Pipeline")) {
    errors.push_back(std::move(error));
  }
  if (!errors.empty()) return errors;
  return ReadAuditInputs(options.inputs, standard_input, [&](nlohmann::json object, const std::string& where) {
    if (IsNamespaceObject(object)) return;  // context, read above
    std::optional<AuditedObject> audited = AuditObject(policy, object, namespaces.Of(object), pipelines.directory());
    if (!audited) return;  // outside the catalog
    audited->source = where;
    run->objects.push_back(std::move(*audited));
  });
}

int RunAudit(const AuditOptions& options) {
  const bool live_options = !options.namespace_name.empty() || options.all_namespaces || options.cluster.in_cluster ||
                            !options.cluster.kubeconfig.empty() || !options.cluster.context.empty();
  if (!options.namespace_files.empty() && options.inputs.empty()) {
    std::cerr << "--namespaces goes with -f; on a live cluster the namespaces are read from the cluster\n";
    return kExitUsage;
  }
  if (!options.inputs.empty() && live_options) {
    std::cerr << "-n, -A, --kubeconfig, --context and --in-cluster read a live cluster; drop them, or drop -f\n";
    return kExitUsage;
  }
  if (!options.namespace_name.empty() && options.all_namespaces) {
    std::cerr << "give -n NAMESPACE or -A, not both\n";
    return kExitUsage;
  }
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
    if (!parsed.ok() || !parsed.value().is_object() || StringMember(parsed.value(), "kind") != kAuditReportKind) {
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
  run.meta.inputs.insert(run.meta.inputs.end(), options.namespace_files.begin(), options.namespace_files.end());
  std::vector<Status> errors;
  if (options.inputs.empty()) {
    if (Status read = ReadCluster(options, *policy.value(), &run); !read.ok()) errors.push_back(read);
  } else {
    errors = ReadFiles(options, *policy.value(), &run);
  }
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
                                                      "directory or - (repeatable); without it, a live cluster");
  audit->add_option("--namespaces", options->namespace_files,
                    "Namespace objects (kubectl get ns -o yaml|json) whose labels and annotations decide as the "
                    "server's cluster context does; Namespace objects among the -f inputs count too");
  audit->add_option("--kubeconfig", options->cluster.kubeconfig, "kubeconfig file (else $KUBECONFIG, else ~/.kube/config)");
  audit->add_option("--context", options->cluster.context, "kubeconfig context (else its current-context)");
  audit->add_option("-n,--namespace", options->namespace_name, "list in this namespace only");
  audit->add_flag("-A,--all-namespaces", options->all_namespaces, "list in all namespaces (the default)");
  audit->add_flag("--in-cluster", options->cluster.in_cluster, "use the pod's service account");
  audit->add_option("--in-cluster-token-file", options->cluster.in_cluster_paths.token_file, "the service account token");
  audit->add_option("--in-cluster-ca-file", options->cluster.in_cluster_paths.ca_file, "the cluster CA");
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
