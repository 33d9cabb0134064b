#include "webhook/cli/test_suite.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "policy/catalog/violation_codes.h"
#include "webhook/admission/admission_codec.h"
#include "webhook/admission/as_the_apiserver.h"
#include "webhook/admission/policy_file.h"
#include "webhook/base/json_member.h"
#include "webhook/base/text_file.h"
#include "webhook/base/yaml_json.h"
#include "webhook/cli/manifest_reader.h"

namespace keyward {
namespace {

namespace fs = std::filesystem;

// A suite is a few dozen cases; this bounds a wrong file given as one.
inline constexpr YamlLimits kSuiteYamlLimits{200'000, 64};
inline constexpr size_t kMaxSuiteBytes = 16 * 1024 * 1024;

template <typename Words>
std::string Joined(const Words& words) {
  std::string out;
  for (std::string_view word : words) {
    if (!out.empty()) out += ", ";
    out += word;
  }
  return out;
}
std::string Joined(std::initializer_list<std::string_view> words) { return Joined<decltype(words)>(words); }

// Reads one suite file, collecting every mistake.
class SuiteReader {
 public:
  explicit SuiteReader(std::string path) : path_(std::move(path)), folder_(fs::path(path_).parent_path()) {}

  SuiteReadResult Read() {
    result_.suite->path = path_;
    Result<std::string> text = ReadTextFile(path_, kMaxSuiteBytes);
    if (!text.ok()) {
      result_.errors.push_back(text.status());
      return std::move(result_);
    }
    size_t documents = 0;
    std::optional<YamlError> error = ReadYaml(text.value(), kSuiteYamlLimits, [&](const YamlNode& root) {
      if (root.IsNull()) return true;
      if (++documents > 1) {
        Fail(root, "a suite file holds one KeyPolicyTest document", "put each suite in a file of its own");
        return false;
      }
      try {
        ReadRoot(root);
      } catch (const UnsupportedYamlKey& e) {
        result_.errors.push_back(Status::Error(e.what(), YamlPosition(path_, e.mark)));
      }
      return true;
    });
    if (error) result_.errors.push_back(Status::Error(error->message, YamlPosition(path_, error->mark)));
    if (!error && documents == 0) {
      result_.errors.push_back(Status::Error("the file is empty", path_, "write a KeyPolicyTest (see the README)"));
    }
    return std::move(result_);
  }

 private:
  void Fail(const YamlNode& at, std::string what, std::string fix = {}) {
    result_.errors.push_back(Status::Error(std::move(what), YamlPosition(path_, at.Mark()), std::move(fix)));
  }

  // The mapping's entries by key; unknown keys are mistakes.
  std::map<std::string, YamlNode> Entries(const YamlNode& node, std::string_view what,
                                          std::initializer_list<std::string_view> known) {
    std::map<std::string, YamlNode> entries;
    if (!node.IsMap()) {
      Fail(node, std::string(what) + " must be a mapping", "its keys are " + Joined(known));
      return entries;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string& key = node.Key(i).Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        Fail(node.Key(i), "unknown key \"" + key + "\" in " + std::string(what), "the keys are " + Joined(known));
        continue;
      }
      if (!entries.emplace(key, node.Value(i)).second) Fail(node.Key(i), "\"" + key + "\" is given twice");
    }
    return entries;
  }

  // A string value, or "" with a mistake reported when it is not one.
  std::string StringAt(const YamlNode& node, std::string_view key) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      Fail(node, std::string(key) + " must be a non-empty string");
      return "";
    }
    return node.Scalar();
  }

  // A path of the suite, relative to its folder.
  std::string Resolve(const std::string& relative) const {
    fs::path path(relative);
    return path.is_absolute() ? relative : (folder_ / path).lexically_normal().string();
  }

  // The manifests of the file `key` names; nullopt, with the mistakes
  // reported, when it cannot be read.
  std::optional<std::vector<Manifest>> ManifestsAt(const YamlNode& node, std::string_view key) {
    const std::string relative = StringAt(node, key);
    if (relative.empty()) return std::nullopt;
    const std::string file = Resolve(relative);
    std::istringstream no_input;
    ManifestReadResult read = ReadManifests({file}, no_input);
    for (const Status& error : read.errors) {
      Fail(node, std::string(key) + " " + relative + ": " + error.ToString(),
           "paths are relative to the suite's folder");
    }
    if (!read.errors.empty()) return std::nullopt;
    return std::move(read.manifests);
  }

  // One object: a file holding exactly one (`file_key`), or inline.
  std::optional<nlohmann::json> OneObject(const YamlNode& node, std::string_view key, bool inline_object) {
    if (inline_object) {
      if (!node.IsMap()) {
        Fail(node, std::string(key) + " must be a mapping: the object itself");
        return std::nullopt;
      }
      return YamlToJson(node);
    }
    std::optional<std::vector<Manifest>> manifests = ManifestsAt(node, key);
    if (!manifests) return std::nullopt;
    if (manifests->size() != 1) {
      Fail(node, std::string(key) + " " + node.Scalar() + " holds " + std::to_string(manifests->size()) +
                     " objects, not one",
           "give it a file with exactly one object");
      return std::nullopt;
    }
    return std::move(manifests->front().object);
  }

  void ReadRoot(const YamlNode& root) {
    auto entries = Entries(root, "a KeyPolicyTest", {"apiVersion", "kind", "policy", "namespaces", "pipelines", "cases"});
    if (!root.IsMap()) return;
    auto expect_word = [&](const char* key, std::string_view word) {
      auto it = entries.find(key);
      if (it == entries.end()) {
        Fail(root, std::string(key) + " is missing", std::string(key) + ": " + std::string(word));
      } else if (it->second.Scalar() != word) {
        Fail(it->second, std::string(key) + " is \"" + it->second.Scalar() + "\"",
             "write " + std::string(key) + ": " + std::string(word));
      }
    };
    expect_word("apiVersion", kTestSuiteApiVersion);
    expect_word("kind", kTestSuiteKind);
    if (auto it = entries.find("policy"); it == entries.end()) {
      Fail(root, "policy is missing", "name the KeyPolicy file, relative to this file: policy: ../policy.yaml");
    } else if (std::string relative = StringAt(it->second, "policy"); !relative.empty()) {
      result_.suite->policy_path = Resolve(relative);
      Result<std::shared_ptr<const Policy>> policy = LoadPolicyFile(result_.suite->policy_path);
      if (policy.ok()) {
        result_.suite->policy = policy.value();
      } else {
        Fail(it->second, "the policy " + relative + " does not load: " + policy.status().ToString(),
             "check it with keyward policy lint");
      }
    }
    if (auto it = entries.find("namespaces"); it != entries.end()) {
      for (const Manifest& manifest : ManifestsAt(it->second, "namespaces").value_or(std::vector<Manifest>{})) {
        if (!result_.suite->namespaces.Add(manifest.object)) {
          Fail(it->second, manifest.source + " is a " + StringMember(manifest.object, "kind") + ", not a Namespace",
               "namespaces holds Namespace objects only (kubectl get ns -o yaml)");
        }
      }
    }
    if (auto it = entries.find("pipelines"); it != entries.end()) {
      for (Manifest& manifest : ManifestsAt(it->second, "pipelines").value_or(std::vector<Manifest>{})) {
        TestSuite& suite = *result_.suite;
        const nlohmann::json& kept = suite.pipeline_objects.emplace_back(std::move(manifest.object));
        const std::string ns = CreateRequestFor(kept).namespace_name;
        if (!suite.pipelines.Add(&kept, ns.empty() ? "default" : ns, suite.namespaces.Find(ns))) {
          Fail(it->second, manifest.source + " is a " + StringMember(kept, "kind") + ", not an ACK Pipeline",
               "pipelines holds the Pipelines (sagemaker.services.k8s.aws) that PipelineExecutions name");
        }
      }
    }
    auto cases = entries.find("cases");
    if (cases == entries.end() || !cases->second.IsSequence() || cases->second.size() == 0) {
      Fail(cases == entries.end() ? root : cases->second, "cases must be a non-empty list",
           "add a case: - {name: ..., resource: ..., expect: {verdict: allowed}}");
      return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < cases->second.size(); ++i) {
      std::optional<TestCase> read = ReadCase(cases->second[i], i);
      if (!read) continue;
      if (!names.insert(read->name).second) {
        Fail(cases->second[i], "a case named \"" + read->name + "\" comes earlier in this suite",
             "give each case a name of its own: reports name cases by it");
      }
      result_.suite->cases.push_back(std::move(*read));
    }
  }

  std::optional<TestCase> ReadCase(const YamlNode& node, size_t index) {
    const size_t errors_before = result_.errors.size();
    auto entries = Entries(node, "a case",
                           {"name", "resource", "object", "review", "namespace", "operation", "oldResource",
                            "oldObject", "user", "expect"});
    if (!node.IsMap()) return std::nullopt;
    TestCase test_case;
    test_case.source = path_ + ":" + std::to_string(node.Mark().line + 1);
    auto has = [&](const char* key) { return entries.count(key) != 0; };
    if (has("name")) {
      test_case.name = StringAt(entries["name"], "name");
    } else {
      Fail(node, "the case has no name", "add name: what the case shows");
    }
    const int sources = int{has("resource")} + int{has("object")} + int{has("review")};
    if (sources != 1) {
      Fail(node, sources == 0 ? "the case names no resource" : "the case names more than one resource",
           "give exactly one of resource (a file), object (inline) and review (an AdmissionReview file)");
    }
    if (has("expect")) {
      test_case.expect = ReadExpectation(entries["expect"]);
    } else {
      Fail(node, "the case has no expect", "add expect: {verdict: allowed} (or denied, warned, ...)");
    }
    if (has("review")) {
      for (const char* key : {"namespace", "operation", "oldResource", "oldObject", "user"}) {
        if (has(key)) Fail(entries[key], std::string(key) + " comes from the review", "remove it from this case");
      }
      if (std::optional<nlohmann::json> review = OneObject(entries["review"], "review", false)) {
        DecodedReview decoded;
        if (Status status = DecodeAdmissionReview(*review, &decoded);
            StringMember(*review, "kind") != "AdmissionReview" || !status.ok()) {
          Fail(entries["review"], "review " + entries["review"].Scalar() + " is not an AdmissionReview request" +
                                      (status.ok() ? "" : ": " + status.ToString()),
               "capture one with keyward's decision log or the API server's audit log");
        } else {
          test_case.review = std::move(*review);
        }
      }
    } else if (sources == 1) {
      BuildReview(entries, index, &test_case);
    }
    if (result_.errors.size() != errors_before) return std::nullopt;
    return test_case;
  }

  void BuildReview(std::map<std::string, YamlNode>& entries, size_t index, TestCase* test_case) {
    auto has = [&](const char* key) { return entries.count(key) != 0; };
    const bool inline_object = has("object");
    std::optional<nlohmann::json> object =
        OneObject(entries[inline_object ? "object" : "resource"], inline_object ? "object" : "resource", inline_object);
    Operation operation = Operation::kCreate;
    if (has("operation")) {
      const std::string word = entries["operation"].Scalar();
      if (!ParseOperation(word, &operation) || operation == Operation::kConnect) {
        Fail(entries["operation"], "operation is \"" + word + "\"", "write CREATE, UPDATE or DELETE");
      }
    }
    if (has("oldResource") && has("oldObject")) {
      Fail(entries["oldObject"], "the case gives both oldResource and oldObject", "keep one");
    }
    std::optional<nlohmann::json> old_object;
    if (has("oldResource") || has("oldObject")) {
      const bool inline_old = has("oldObject");
      const char* key = inline_old ? "oldObject" : "oldResource";
      if (operation != Operation::kUpdate) {
        Fail(entries[key], std::string(key) + " is for an UPDATE",
             "set operation: UPDATE, or remove it (a DELETE deletes the resource itself)");
      }
      old_object = OneObject(entries[key], key, inline_old);
    } else if (operation == Operation::kUpdate) {
      Fail(entries.count("operation") ? entries["operation"] : entries.begin()->second,
           "an UPDATE needs the stored object", "add oldResource: FILE or oldObject: {...}");
    }
    std::string user = "kubernetes-user";
    if (has("user")) user = StringAt(entries["user"], "user");
    if (!object) return;

    ReviewRequest request;
    request.operation = operation;
    request.namespace_name = has("namespace") ? StringAt(entries["namespace"], "namespace") : "";
    request.username = user;
    request.old_object = old_object ? &*old_object : nullptr;
    request.uid = "keyward-test-" + std::to_string(index + 1);
    test_case->review = ReviewFor(*object, request);
  }

  CaseExpectation ReadExpectation(const YamlNode& node) {
    CaseExpectation expect;
    auto entries = Entries(node, "expect", {"verdict", "codes", "paths", "patched", "warnings"});
    if (!node.IsMap()) return expect;
    if (auto it = entries.find("verdict"); it == entries.end()) {
      Fail(node, "expect has no verdict", "add verdict: allowed, denied, warned, audited, exempt or skipped");
    } else if (const Outcome* verdict = ValueOf<Outcome>(kOutcomeWords, it->second.Scalar())) {
      expect.verdict = *verdict;
    } else {
      Fail(it->second, "verdict \"" + it->second.Scalar() + "\" is not one keyward gives",
           "write allowed, denied, warned, audited, exempt or skipped");
    }
    if (auto it = entries.find("codes"); it != entries.end()) {
      expect.codes.emplace();
      for (const std::string& code : Strings(it->second, "codes")) {
        if (FindViolationCode(code) == nullptr) {
          Fail(it->second, "\"" + code + "\" is not a violation code",
               "the codes are in the README's table of violation codes (check -o json prints them too)");
        }
        expect.codes->insert(code);
      }
    }
    if (auto it = entries.find("paths"); it != entries.end()) expect.paths = Strings(it->second, "paths");
    if (auto it = entries.find("patched"); it != entries.end()) {
      expect.patched = OneObject(it->second, "patched", it->second.IsMap());
    }
    if (auto it = entries.find("warnings"); it != entries.end()) {
      const std::string& text = it->second.Scalar();
      if (text.empty() || text.size() > 6 || !std::all_of(text.begin(), text.end(), ::isdigit)) {
        Fail(it->second, "warnings must be a whole number: how many warnings kubectl prints");
      } else {
        expect.warnings = std::stoul(text);
      }
    }
    return expect;
  }

  std::vector<std::string> Strings(const YamlNode& node, std::string_view key) {
    std::vector<std::string> out;
    if (!node.IsSequence()) {
      Fail(node, std::string(key) + " must be a list", "write " + std::string(key) + ": [a, b]");
      return out;
    }
    for (size_t i = 0; i < node.size(); ++i) out.push_back(StringAt(node[i], "each of " + std::string(key)));
    return out;
  }

  std::string path_;
  fs::path folder_;
  SuiteReadResult result_;
};

}  // namespace

SuiteReadResult ReadTestSuite(const std::string& path) { return SuiteReader(path).Read(); }

std::vector<std::string> FindTestSuites(const std::vector<std::string>& paths, std::vector<Status>* errors) {
  std::set<std::string> found;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      found.insert(fs::path(path).lexically_normal().string());
      continue;
    }
    if (!fs::is_directory(path, ec)) {
      errors->push_back(Status::IoError("no such file or folder", path));
      continue;
    }
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file() && it->path().filename() == kTestSuiteFileName) {
        found.insert(it->path().lexically_normal().string());
      }
    }
    if (ec) errors->push_back(Status::IoError(ec.message(), path));
  }
  if (found.empty() && errors->empty()) {
    errors->push_back(Status::Error("no " + std::string(kTestSuiteFileName) + " found", Joined(paths),
                                    "write one (see examples/tests) or name the folder that holds them"));
  }
  return {found.begin(), found.end()};
}

}  // namespace keyward
