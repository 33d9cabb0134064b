// The ValidatingAdmissionPolicies keyward compiles (policy/compile/vap.h),
// evaluated by an independent CEL implementation (@bufbuild/cel, through
// tests/vap/evaluate.mjs), against the core's own decision on the same
// request:
//   - sound: a policy denies only what the core denies too, so the
//     apiserver never refuses what the webhook admits;
//   - complete: where the core denies with a code the policies cover, they
//     deny too;
//   - safe: no expression ever fails to evaluate.
// Every upstream sample (EBS and local-NVMe instance types), example
// manifest and captured UPDATE review, under every fixture policy, in each
// tenant's namespace, an unclaimed one and an exempt one: as sent (the
// webhook down, nothing injected) and as the mutating webhook leaves it.
#include <stdlib.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/catalog/catalog.h"
#include "policy/compile/vap.h"
#include "policy/rules/evaluate.h"
#include "tests/policy/samples.h"
#include "webhook/admission/admission_codec.h"
#include "webhook/cli/manifest_reader.h"

namespace keyward::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ToolsDir() {
  const char* set = std::getenv("KEYWARD_TOOLS_DIR");
  return set != nullptr && *set != '\0' ? set : std::string(KEYWARD_SOURCE_DIR) + "/.tools";
}

// A scratch folder of its own, removed with it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "keyward-vap-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<const Policy> LoadFile(const fs::path& path) {
  PolicyLoadResult loaded = LoadPolicy(Slurp(path), path.string());
  EXPECT_TRUE(loaded.diagnostics.empty()) << path << ": " << loaded.diagnostics.front().ToString();
  return loaded.policy;
}

std::vector<json> ManifestsIn(const fs::path& dir) {
  std::vector<json> out;
  std::istringstream no_input;
  ManifestReadResult read = ReadManifests({dir.string()}, no_input);
  EXPECT_TRUE(read.errors.empty()) << read.errors.front().ToString();
  for (Manifest& manifest : read.manifests) out.push_back(std::move(manifest.object));
  return out;
}

// One request, with what the core decided.
struct Case {
  std::string name;
  json request;  // AdmissionRequest as the apiserver sends it (kind, resource, operation, namespace, userInfo)
  json object;
  json old_object;
  json namespace_object;
  bool core_denied = false;
  std::set<std::string> covered;  // codes the core denies with that a policy must deny too
};

// Decides `request` with the core, as the webhook validates (no mutation).
void Decide(const Policy& policy, const CompiledVap& compiled, const AdmissionRequest& request, Case* c) {
  const ValidationResult result = Validate(policy, request);
  c->core_denied = !result.allowed;
  const CatalogKind* kind = FindCatalogKind(request.group, request.kind);
  for (const Violation& v : result.violations) {
    if (v.enforcement != Enforcement::kDeny) continue;
    if (std::find(compiled.covered_codes.begin(), compiled.covered_codes.end(), v.code) ==
        compiled.covered_codes.end()) {
      continue;
    }
    // What the policies leave to the webhook (CompiledVap::not_expressed).
    if (kind != nullptr && !kind->embedded_path.empty() && v.path.starts_with(kind->embedded_path)) continue;
    const bool is_update = request.operation == Operation::kUpdate;
    if (is_update && v.code != kImmutableKey && v.code != kAmbiguousTenant) continue;
    if (v.code == kImmutableKey) {
      const KmsField* field = nullptr;
      for (const KmsField& f : kind->fields) field = f.path == v.path ? &f : field;
      if (field == nullptr || field->anchor_depth != 0) continue;  // in an array or below an anchor
    }
    c->covered.insert(v.code + " at " + v.path);
  }
}

json NamespaceObject(const std::string& name, const NamespaceInfo* info) {
  json metadata = {{"name", name}};
  if (info != nullptr && !info->labels.empty()) metadata["labels"] = info->labels;
  if (info != nullptr && !info->annotations.empty()) metadata["annotations"] = info->annotations;
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", metadata}};
}

json RequestJson(const AdmissionRequest& r, const std::string& resource) {
  return {{"operation", OperationName(r.operation)},
          {"namespace", r.namespace_name},
          {"name", r.name},
          {"kind", {{"group", r.group}, {"version", r.version}, {"kind", r.kind}}},
          {"resource", {{"group", r.group}, {"version", r.version}, {"resource", resource}}},
          {"userInfo", {{"username", r.username}}}};
}

class Corpus {
 public:
  Corpus(const Policy& policy, const CompiledVap& compiled) : policy_(policy), compiled_(compiled) {}

  // `object` created in `ns` (its labels from `info`): as sent and as mutated.
  void AddCreate(const std::string& name, json object, const std::string& ns, const NamespaceInfo* info) {
    if (object.contains("metadata") && object["metadata"].is_object()) object["metadata"]["namespace"] = ns;
    AdmissionRequest request = CreateRequestFor(object);
    request.namespace_name = ns;
    request.username = "alice@example.com";
    request.namespace_info = info;
    const CatalogKind* kind = FindCatalogKind(request.group, request.kind);
    if (kind == nullptr) return;
    Add(name + " as sent", request, object, json(), ns, info, kind);
    const Evaluation evaluation = Evaluate(policy_, request);
    if (!evaluation.mutation.patch.empty()) Add(name + " mutated", request, evaluation.mutated_object, json(), ns, info, kind);
  }

  // An UPDATE of `old_object` to `object`, as sent and as mutated.
  void AddUpdate(const std::string& name, const json& object, const json& old_object, const std::string& user,
                 const NamespaceInfo* info) {
    AdmissionRequest request = CreateRequestFor(object);
    request.operation = Operation::kUpdate;
    request.username = user;
    request.namespace_info = info;
    request.old_object = &old_object;
    const CatalogKind* kind = FindCatalogKind(request.group, request.kind);
    if (kind == nullptr) return;
    Add(name + " as sent", request, object, old_object, request.namespace_name, info, kind);
    const Evaluation evaluation = Evaluate(policy_, request);
    if (!evaluation.mutation.patch.empty()) {
      Add(name + " mutated", request, evaluation.mutated_object, old_object, request.namespace_name, info, kind);
    }
  }

  std::vector<Case>& cases() { return cases_; }

 private:
  void Add(const std::string& name, AdmissionRequest request, const json& object, const json& old_object,
           const std::string& ns, const NamespaceInfo* info, const CatalogKind* kind) {
    Case c;
    c.name = name;
    c.object = object;
    c.old_object = old_object;
    request.object = &c.object;
    request.old_object = old_object.is_null() ? nullptr : &c.old_object;
    Decide(policy_, compiled_, request, &c);
    c.request = RequestJson(request, std::string(kind->resource));
    c.namespace_object = NamespaceObject(ns, info);
    cases_.push_back(std::move(c));
  }

  const Policy& policy_;
  const CompiledVap& compiled_;
  std::vector<Case> cases_;
};

struct Verdict {
  bool denied = false;
  std::vector<std::string> errors;
  std::vector<std::string> messages;
  long expression_cost = 0;  // the costliest expression, in cel-go's runtime cost units (evaluate.mjs)
  long policy_cost = 0;      // the costliest policy, all its expressions
};

// The apiserver's runtime cost limits (k8s.io/apiserver/pkg/apis/cel):
// PerCallLimit per expression, RuntimeCELCostBudget per admission request.
constexpr long kPerExpressionLimit = 1'000'000;
constexpr long kRequestBudget = 10'000'000;

// The policies' verdict on every case, from evaluate.mjs.
std::vector<Verdict> EvaluateWithCel(const CompiledVap& compiled, const std::vector<Case>& cases, const TempDir& dir) {
  json input = {{"policies", json::array()}, {"cases", json::array()}};
  for (const json& object : compiled.objects) {
    if (object["kind"] == "ValidatingAdmissionPolicy") input["policies"].push_back(object);
    if (object["kind"] == kParamsKind) input["params"] = object;
  }
  for (const Case& c : cases) {
    input["cases"].push_back({{"request", c.request},
                              {"object", c.object},
                              {"oldObject", c.old_object},
                              {"namespaceObject", c.namespace_object}});
  }
  WriteFile(dir.File("input.json"), input.dump());
  const std::string command = "timeout 600 node " + std::string(KEYWARD_SOURCE_DIR) + "/tests/vap/evaluate.mjs '" +
                              ToolsDir() + "' '" + dir.File("input.json") + "' > '" + dir.File("output.json") +
                              "' 2> '" + dir.File("errors.txt") + "'";
  const int status = std::system(command.c_str());
  EXPECT_EQ(status, 0) << "node failed (run scripts/get-test-tools.sh first): " << Slurp(dir.File("errors.txt"));
  const json output = json::parse(Slurp(dir.File("output.json")), nullptr, false);
  std::vector<Verdict> verdicts;
  if (!output.is_array()) return verdicts;
  for (const json& v : output) {
    verdicts.push_back({v["denied"].get<bool>(), v["errors"].get<std::vector<std::string>>(),
                        v["messages"].get<std::vector<std::string>>(), v["cost"]["expression"].get<long>(),
                        v["cost"]["policy"].get<long>()});
  }
  return verdicts;
}

// Every difference between the policies and the core, one line each.
std::vector<std::string> Differences(const std::vector<Case>& cases, const std::vector<Verdict>& verdicts) {
  std::vector<std::string> out;
  if (verdicts.size() != cases.size()) return {"evaluate.mjs answered " + std::to_string(verdicts.size()) + " of " +
                                               std::to_string(cases.size()) + " cases"};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const Verdict& v = verdicts[i];
    for (const std::string& error : v.errors) out.push_back(c.name + ": an expression failed: " + error);
    if (v.denied && !c.core_denied && v.errors.empty()) {
      out.push_back(c.name + ": the policies deny what the webhook admits: " + v.messages.front());
    }
    if (!v.denied && !c.covered.empty()) out.push_back(c.name + ": the core denies " + *c.covered.begin() +
                                                       ", the policies admit it");
  }
  return out;
}

std::string StringOr(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::vector<fs::path> Policies() {
  const fs::path fixtures = fs::path(KEYWARD_FIXTURES_DIR) / "policies";
  return {fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml",
          fs::path(KEYWARD_SOURCE_DIR) / "examples" / "tests" / "selectors-and-guardrails" / "policy.yaml",
          fixtures / "team-a-b.yaml", fixtures / "team-a-b-context.yaml", fixtures / "tenants-hidden.yaml"};
}

// Every upstream sample (EBS and local-NVMe instance types) and example
// manifest: the objects each corpus sends.
std::vector<json> CorpusObjects() {
  std::vector<json> objects;
  for (const std::string& file : SampleFiles()) {
    for (InstanceProfile profile : {InstanceProfile::kEbs, InstanceProfile::kLocalNvme}) {
      objects.push_back(LoadSample(file, profile));
    }
  }
  for (json& manifest : ManifestsIn(fs::path(KEYWARD_SOURCE_DIR) / "examples" / "manifests")) {
    objects.push_back(std::move(manifest));
  }
  return objects;
}

// The corpus under one policy: each object in each tenant's first named
// namespace, an unclaimed and an exempt one, with labels that select each
// selector tenant; the captured UPDATE reviews; and UPDATEs that swap or
// drop the keys the webhook set.
std::vector<Case> CorpusFor(const Policy& policy, const CompiledVap& compiled, std::vector<NamespaceInfo>& infos) {
  const std::vector<json> objects = CorpusObjects();
  infos.reserve(policy.tenants.size() + 4);
  for (const Tenant& tenant : policy.tenants) {
    NamespaceInfo info;
    for (const std::string& ns : tenant.namespaces) {
      if (ns.find_first_of("*?") == std::string::npos) info.name = ns;
    }
    if (tenant.namespace_selector) {
      if (info.name.empty()) info.name = "selected-" + tenant.name;
      for (const auto& [key, value] : tenant.namespace_selector->match_labels) info.labels[key] = value;
    }
    if (!info.name.empty()) infos.push_back(std::move(info));
  }
  infos.push_back({"nobody-claims-this", {}, {}});
  infos.push_back({"kube-system", {}, {}});
  infos.push_back({infos.front().name, {}, {{"services.k8s.aws/default-region", "eu-west-1"}}});
  Corpus corpus(policy, compiled);
  for (size_t o = 0; o < objects.size(); ++o) {
    for (const NamespaceInfo& info : infos) {
      corpus.AddCreate("object " + std::to_string(o) + " (" + StringOr(objects[o], "kind") + ") in " + info.name,
                       objects[o], info.name, &info);
    }
  }
  // UPDATEs: the keyed object re-applied without its keys, and with each
  // create-only key swapped for another key of the tenant's.
  const NamespaceInfo& home = infos.front();
  for (size_t o = 0; o < objects.size(); ++o) {
    json object = objects[o];
    object["metadata"]["namespace"] = home.name;
    AdmissionRequest create = CreateRequestFor(object);
    create.namespace_info = &home;
    create.username = "alice@example.com";
    const Evaluation stored = Evaluate(policy, create);
    if (stored.mutation.patch.empty()) continue;
    corpus.AddUpdate("update " + std::to_string(o) + " without keys", object, stored.mutated_object,
                     "alice@example.com", &home);
    json swapped = stored.mutated_object;
    for (const json& op : stored.mutation.patch) {
      if (op.value("op", "") == "add" && op["value"].is_string() && op["value"].get<std::string>().find(":kms:") !=
                                                                         std::string::npos) {
        swapped[json::json_pointer(op["path"].get<std::string>())] =
            "arn:aws:kms:us-east-1:111122223333:key/99999999-0000-4000-8000-000000000099";
      }
    }
    corpus.AddUpdate("update " + std::to_string(o) + " swapping keys", swapped, stored.mutated_object,
                     "alice@example.com", &home);
    for (const std::string& user : policy.trusted_users) {
      if (user.find_first_of("*?") != std::string::npos) continue;
      corpus.AddUpdate("update " + std::to_string(o) + " by " + user, swapped, stored.mutated_object, user, &home);
    }
  }
  // The captured reviews, as the apiserver sent them (operation, user,
  // oldObject), each in its namespace.
  std::deque<NamespaceInfo> review_namespaces;
  std::deque<json> reviews;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(KEYWARD_FIXTURES_DIR) / "admission-reviews")) {
    if (entry.path().extension() != ".json") continue;
    const json& review = reviews.emplace_back(json::parse(Slurp(entry.path()), nullptr, false));
    DecodedReview decoded;
    if (!DecodeAdmissionReview(review, &decoded).ok() || decoded.request.object == nullptr) continue;
    const AdmissionRequest& r = decoded.request;
    const NamespaceInfo& info = review_namespaces.emplace_back(NamespaceInfo{r.namespace_name, {}, {}});
    const std::string name = "review " + entry.path().parent_path().filename().string() + "/" +
                             entry.path().filename().string();
    if (r.operation == Operation::kUpdate && r.old_object != nullptr) {
      corpus.AddUpdate(name, *r.object, *r.old_object, r.username, &info);
    } else if (r.operation == Operation::kCreate) {
      corpus.AddCreate(name, *r.object, r.namespace_name, &info);
    }
  }
  return std::move(corpus.cases());
}

struct CorpusRun {
  std::vector<Case> cases;
  std::vector<Verdict> verdicts;
};

CorpusRun RunCorpus(const Policy& policy, const CompiledVap& compiled, const TempDir& dir) {
  std::vector<NamespaceInfo> infos;
  CorpusRun run;
  run.cases = CorpusFor(policy, compiled, infos);
  run.verdicts = EvaluateWithCel(compiled, run.cases, dir);
  return run;
}

std::string FirstOf(const std::vector<std::string>& lines, size_t most = 15) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < most; ++i) out += lines[i] + "\n";
  if (lines.size() > most) out += "... and " + std::to_string(lines.size() - most) + " more\n";
  return out;
}

class VapDifferentialTest : public ::testing::TestWithParam<fs::path> {
 protected:
  TempDir dir_;
};

TEST_P(VapDifferentialTest, ThePoliciesDenyWhereTheCoreDeniesAndNowhereElse) {
  const std::shared_ptr<const Policy> policy = LoadFile(GetParam());
  ASSERT_NE(policy, nullptr);
  const CompiledVap compiled = CompileVap(*policy, VapApiVersion::kV1);
  const CorpusRun run = RunCorpus(*policy, compiled, dir_);
  const std::vector<std::string> differences = Differences(run.cases, run.verdicts);
  EXPECT_TRUE(differences.empty()) << differences.size() << " differences:\n" << FirstOf(differences);
  size_t denied = 0, covered = 0, core_denied = 0;
  long expression_cost = 0, policy_cost = 0;
  for (size_t i = 0; i < run.verdicts.size(); ++i) {
    denied += run.verdicts[i].denied;
    covered += !run.cases[i].covered.empty();
    core_denied += run.cases[i].core_denied;
    expression_cost = std::max(expression_cost, run.verdicts[i].expression_cost);
    policy_cost = std::max(policy_cost, run.verdicts[i].policy_cost);
  }
  std::cout << GetParam().filename() << ": " << run.cases.size() << " requests; the core denies " << core_denied
            << ", " << covered << " with a code the policies cover; the policies deny " << denied
            << "; runtime cost at most " << expression_cost << " for one expression, " << policy_cost
            << " for one policy\n";
  // A safety bound with a wide margin: an expression over the limit is an
  // error, and an error denies (failurePolicy: Fail).
  EXPECT_GT(expression_cost, 0) << "the cost is counted";
  EXPECT_LT(expression_cost, kPerExpressionLimit / 10);
  EXPECT_LT(policy_cost * 5, kRequestBudget / 10) << "five policies, each well inside the request's budget";
  EXPECT_GT(covered, 0u) << "the corpus must exercise the policies";
  EXPECT_LT(covered, run.cases.size()) << "and admit some requests";
}

INSTANTIATE_TEST_SUITE_P(FixturePolicies, VapDifferentialTest, ::testing::ValuesIn(Policies()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.parent_path().filename().string() + "_" +
                                              info.param.stem().string();
                           for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

// The cost grows with the policy (the params' lists the expressions walk)
// and the object (its arrays): every sample and manifest, under a policy of
// 300 tenants, each with an exact and a glob namespace, a key, a key glob and
// a role glob. The largest cost is reported in the README; the bound asserted
// is the apiserver's limit with a wide margin.
TEST(VapCostTest, ThreeHundredTenantsStayFarWithinTheApiserversBudget) {
  std::string yaml =
      "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  defaultRegion: us-east-1\n"
      "  enforcement: deny\n  keyReferences: arn\n  unmatchedNamespaces: deny\n  tenants:\n";
  for (int i = 0; i < 300; ++i) {
    char key[64];
    std::snprintf(key, sizeof key, "%08d-0000-4000-8000-000000000001", i);
    const std::string n = std::to_string(i);
    yaml += "    - name: team-" + n + "\n      namespaces: [team-" + n + ", \"team-" + n + "-*\"]\n" +
            "      keys: {default: \"arn:aws:kms:us-east-1:111122223333:key/" + key + "\"}\n" +
            "      allowedKeys: [\"arn:aws:kms:us-east-1:111122223333:key/" + std::string(key, 8) + "-*\"]\n" +
            "      roles: [\"arn:aws:iam::111122223333:role/team-" + n + "-*\"]\n";
  }
  PolicyLoadResult loaded = LoadPolicy(yaml, "three-hundred.yaml");
  ASSERT_TRUE(loaded.diagnostics.empty()) << loaded.diagnostics.front().ToString();
  const Policy& policy = *loaded.policy;
  const CompiledVap compiled = CompileVap(policy, VapApiVersion::kV1);
  const std::vector<json> objects = CorpusObjects();
  const std::vector<NamespaceInfo> infos = {{"team-299-dev", {}, {}}, {"team-150", {}, {}}};
  Corpus corpus(policy, compiled);
  for (size_t o = 0; o < objects.size(); ++o) {
    for (const NamespaceInfo& info : infos) corpus.AddCreate("object " + std::to_string(o), objects[o], info.name, &info);
  }
  TempDir dir;
  const std::vector<Verdict> verdicts = EvaluateWithCel(compiled, corpus.cases(), dir);
  const std::vector<std::string> differences = Differences(corpus.cases(), verdicts);
  EXPECT_TRUE(differences.empty()) << FirstOf(differences);
  long expression_cost = 0, policy_cost = 0;
  for (const Verdict& v : verdicts) {
    expression_cost = std::max(expression_cost, v.expression_cost);
    policy_cost = std::max(policy_cost, v.policy_cost);
  }
  std::cout << corpus.cases().size() << " requests under 300 tenants; runtime cost at most " << expression_cost
            << " for one expression, " << policy_cost << " for one policy\n";
  EXPECT_LT(expression_cost, kPerExpressionLimit / 10);
  EXPECT_LT(policy_cost * 5, kRequestBudget / 10);
}

// The differential catches a broken expression both ways: a rule that no
// longer denies, and one that denies what the webhook admits.
TEST(VapDifferentialSelfTest, ABrokenExpressionShowsAsDifferences) {
  const std::shared_ptr<const Policy> policy =
      LoadFile(fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml");
  ASSERT_NE(policy, nullptr);
  auto broken = [&](const std::string& policy_name, const std::string& from, const std::string& to) {
    CompiledVap compiled = CompileVap(*policy, VapApiVersion::kV1);
    for (json& object : compiled.objects) {
      if (object["kind"] != "ValidatingAdmissionPolicy" || object["metadata"]["name"] != policy_name) continue;
      for (json& validation : object["spec"]["validations"]) {
        std::string expression = validation["expression"];
        for (size_t at = expression.find(from); at != std::string::npos; at = expression.find(from, at + to.size())) {
          expression.replace(at, from.size(), to);
        }
        validation["expression"] = expression;
      }
    }
    TempDir dir;
    const CorpusRun run = RunCorpus(*policy, compiled, dir);
    return Differences(run.cases, run.verdicts);
  };
  const std::vector<std::string> lax = broken("keyward-keys", "!(variables.keysDeny && ", "!(false && ");
  ASSERT_FALSE(lax.empty()) << "key rules switched off must miss the core's denials";
  EXPECT_NE(lax.front().find("the policies admit it"), std::string::npos) << lax.front();
  const std::vector<std::string> strict = broken("keyward-tenancy", "size(variables.claimants) == 0", "true");
  ASSERT_FALSE(strict.empty()) << "NoTenant for every namespace must deny what the webhook admits";
  EXPECT_NE(FirstOf(strict, 1000).find("the policies deny what the webhook admits"), std::string::npos)
      << FirstOf(strict);
  const std::vector<std::string> failing = broken("keyward-roles", "r == ''", "r.nope == ''");
  EXPECT_NE(FirstOf(failing, 1000).find("an expression failed"), std::string::npos) << FirstOf(failing);
}

// Every object the compiler writes, but the params (a kind of keyward's
// own), validates against the Kubernetes OpenAPI schema of its kind. The
// v1beta1 policies (1.28 and 1.29) use only fields v1 kept, with the same
// shapes, so they are checked against the v1 schema under v1's apiVersion.
TEST(VapSchemaTest, EveryCompiledObjectValidatesAgainstItsKubernetesSchema) {
  TempDir dir;
  size_t checked = 0;
  for (const fs::path& file : Policies()) {
    const std::shared_ptr<const Policy> policy = LoadFile(file);
    ASSERT_NE(policy, nullptr);
    for (VapApiVersion version : {VapApiVersion::kV1, VapApiVersion::kV1beta1}) {
      json objects = json::array();
      for (json object : CompileVap(*policy, version).objects) {
        if (object["kind"] == kParamsKind) continue;
        if (version == VapApiVersion::kV1beta1 && object["kind"] != "CustomResourceDefinition") {
          EXPECT_EQ(object["apiVersion"], "admissionregistration.k8s.io/v1beta1");
          object["apiVersion"] = "admissionregistration.k8s.io/v1";
        }
        objects.push_back(std::move(object));
      }
      WriteFile(dir.File("objects.json"), objects.dump());
      const std::string command = "timeout 300 node " + std::string(KEYWARD_SOURCE_DIR) +
                                  "/tests/vap/validate_schema.mjs '" + ToolsDir() + "' '" + dir.File("objects.json") +
                                  "' > '" + dir.File("errors.json") + "' 2> '" + dir.File("stderr.txt") + "'";
      ASSERT_EQ(std::system(command.c_str()), 0) << Slurp(dir.File("stderr.txt")) << " (run scripts/get-test-tools.sh)";
      const json errors = json::parse(Slurp(dir.File("errors.json")));
      ASSERT_EQ(errors.size(), objects.size());
      for (size_t i = 0; i < errors.size(); ++i) {
        EXPECT_TRUE(errors[i].empty()) << file << " " << objects[i]["kind"] << " " << objects[i]["metadata"]["name"]
                                       << ": " << errors[i].dump();
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, Policies().size() * 2 * 11) << "the CRD, five policies and five bindings each";

  // The validator is not lenient: a binding without its policy name fails.
  WriteFile(dir.File("bad.json"),
            json::array({{{"apiVersion", "admissionregistration.k8s.io/v1"},
                          {"kind", "ValidatingAdmissionPolicyBinding"},
                          {"metadata", {{"name", "x"}}},
                          {"spec", {{"policyName", 3}}}}})
                .dump());
  const std::string bad = "timeout 300 node " + std::string(KEYWARD_SOURCE_DIR) + "/tests/vap/validate_schema.mjs '" +
                          ToolsDir() + "' '" + dir.File("bad.json") + "' > '" + dir.File("bad-errors.json") + "'";
  ASSERT_EQ(std::system(bad.c_str()), 0);
  EXPECT_FALSE(json::parse(Slurp(dir.File("bad-errors.json")))[0].empty());
}

// status.typeChecking: the apiserver types `object` as the schema of each
// kind a policy matches and reports every field a path names that the kind
// lacks. tests/vap/type_check.mjs does the same with the SageMaker CRDs of
// tests/fixtures/crds (every kind, where the apiserver stops at ten).
json TypeCheck(const std::vector<json>& objects, const TempDir& dir) {
  static const std::vector<json> crds = [] {
    std::vector<json> out;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(KEYWARD_FIXTURES_DIR) / "crds")) {
      if (entry.path().extension() != ".yaml") continue;
      for (json& object : ManifestsIn(entry.path())) {
        if (object["kind"] == "CustomResourceDefinition") out.push_back(std::move(object));
      }
    }
    return out;
  }();
  WriteFile(dir.File("type-check.json"), json({{"objects", objects}, {"crds", crds}}).dump());
  const std::string command = "timeout 300 node " + std::string(KEYWARD_SOURCE_DIR) + "/tests/vap/type_check.mjs '" +
                              ToolsDir() + "' '" + dir.File("type-check.json") + "' > '" + dir.File("warnings.json") +
                              "' 2> '" + dir.File("stderr.txt") + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << Slurp(dir.File("stderr.txt")) << " (run scripts/get-test-tools.sh)";
  return json::parse(Slurp(dir.File("warnings.json")), nullptr, false);
}

TEST(VapTypeCheckTest, EveryExpressionTypeChecksAgainstEveryKindThePolicyMatches) {
  TempDir dir;
  for (const fs::path& file : Policies()) {
    const std::shared_ptr<const Policy> policy = LoadFile(file);
    ASSERT_NE(policy, nullptr);
    for (VapApiVersion version : {VapApiVersion::kV1, VapApiVersion::kV1beta1}) {
      const json result = TypeCheck(CompileVap(*policy, version).objects, dir);
      ASSERT_TRUE(result.is_object()) << file;
      ASSERT_EQ(result["checked"].size(), 5u) << file;
      for (const auto& [name, kinds] : result["checked"].items()) {
        EXPECT_EQ(kinds.size(), Catalog().size()) << name << ": every catalogued kind has its CRD";
      }
      std::vector<std::string> warnings;
      for (const json& w : result["warnings"]) {
        warnings.push_back(w["policy"].get<std::string>() + " " + w["fieldRef"].get<std::string>() + " (" +
                           w["kind"].get<std::string>() + "): " + w["warning"].get<std::string>());
      }
      EXPECT_TRUE(warnings.empty()) << file << ": " << warnings.size() << " warnings:\n" << FirstOf(warnings);
    }
  }
}

// The check is not lenient: a kind's field read from the typed `object`
// warns on every other kind, and a misspelt variable or request field warns.
TEST(VapTypeCheckTest, AFieldTheKindLacksIsAWarning) {
  const std::shared_ptr<const Policy> policy = LoadFile(fs::path(KEYWARD_SOURCE_DIR) / "examples" / "policy.yaml");
  ASSERT_NE(policy, nullptr);
  std::vector<json> objects = CompileVap(*policy, VapApiVersion::kV1).objects;
  for (json& object : objects) {
    if (object["kind"] != "ValidatingAdmissionPolicy") continue;
    for (const char* list : {"variables", "validations"}) {
      for (json& entry : object["spec"][list]) {
        std::string expression = entry["expression"];
        for (const auto& [from, to] : {std::pair<std::string, std::string>{"variables.untypedObject.", "object."},
                                       {"request.userInfo.username", "request.userInfo.name"},
                                       {"variables.tenant ", "variables.tennant "}}) {
          for (size_t at = expression.find(from); at != std::string::npos; at = expression.find(from, at + to.size())) {
            expression.replace(at, from.size(), to);
          }
        }
        entry["expression"] = expression;
      }
    }
  }
  TempDir dir;
  const json result = TypeCheck(objects, dir);
  ASSERT_TRUE(result.is_object());
  std::set<std::string> seen;
  for (const json& w : result["warnings"]) seen.insert(w["warning"].get<std::string>());
  EXPECT_TRUE(seen.count("undefined field 'transformOutput'")) << result["warnings"].size() << " warnings";
  EXPECT_TRUE(seen.count("undefined field 'name'")) << "request.userInfo has no name";
  EXPECT_TRUE(seen.count("undefined field 'tennant'")) << "no such variable";
}

}  // namespace
}  // namespace keyward::testing
