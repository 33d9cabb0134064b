// The fuzzers' seed corpora, made from the project's own inputs so the
// fuzzers start from real requests, policies and manifests: the test
// fixtures (AdmissionReviews, KeyPolicies, samples), examples/ and the fuzz
// policies. The regression test replays every seed through its target's
// property check; fuzz_seed_corpus writes them out for libFuzzer.
#include "fuzz/seed_corpora.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "fuzz/fuzz_policies.h"
#include "policy/catalog/catalog.h"
#include "policy/base/key_reference.h"
#include "webhook/base/json_member.h"
#include "webhook/cli/manifest_reader.h"

namespace keyward::fuzz {

namespace fs = std::filesystem;
namespace {

using Json = nlohmann::json;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One target's seeds, each kept once, in the order first added.
class Corpus {
 public:
  explicit Corpus(std::vector<std::string>* inputs) : inputs_(inputs) {}
  void Add(const std::string& bytes) {
    if (seen_.insert(bytes).second) inputs_->push_back(bytes);
  }
  size_t size() const { return inputs_->size(); }

 private:
  std::vector<std::string>* inputs_;
  std::set<std::string> seen_;
};

std::vector<fs::path> FilesUnder(const fs::path& root, std::string_view extension) {
  std::vector<fs::path> out;
  if (!fs::is_directory(root)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Json Review(std::string_view api_version, std::string_view operation, const Json& object, const Json& old_object,
            std::string_view ns) {
  const std::string api = StringMember(object, "apiVersion");
  const size_t slash = api.find('/');
  Json request = {
      {"uid", "00000000-0000-4000-8000-000000000001"},
      {"kind", {{"group", api.substr(0, slash)}, {"version", api.substr(slash + 1)}, {"kind", StringMember(object, "kind")}}},
      {"resource", {{"group", api.substr(0, slash)}, {"version", api.substr(slash + 1)}, {"resource", "things"}}},
      {"namespace", ns},
      {"name", "seed"},
      {"operation", operation},
      {"userInfo", {{"username", "admin"}}},
      {"object", object},
      {"oldObject", old_object},
      {"dryRun", false}};
  return {{"apiVersion", api_version}, {"kind", "AdmissionReview"}, {"request", request}};
}

void CollectKeyReferences(const Json& value, std::vector<std::string>* out) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s.starts_with("arn:") || s.starts_with("alias/") || keyward::ParseKeyReference(s).key) out->push_back(s);
  } else if (value.is_structured()) {
    for (const Json& child : value) CollectKeyReferences(child, out);
  }
}

std::set<std::string> CatalogTokens(bool quoted) {
  std::set<std::string> tokens;
  auto add = [&](std::string_view token) {
    if (!token.empty()) tokens.insert(quoted ? "\"" + std::string(token) + "\"" : std::string(token));
  };
  for (const keyward::CatalogKind& kind : keyward::Catalog()) {
    add(kind.group);
    add(std::string(kind.group) + "/" + std::string(kind.version));
    add(kind.kind);
    for (const keyward::KmsField& field : kind.fields) {
      std::string_view path = field.path;
      std::vector<std::string_view> paths = field.instance_type_paths;
      paths.push_back(path);
      for (std::string_view p : paths) {
        size_t start = 0;
        while (start <= p.size()) {
          size_t dot = p.find('.', start);
          std::string_view segment = p.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
          if (segment.ends_with("[]")) segment.remove_suffix(2);
          add(segment);
          if (dot == std::string_view::npos) break;
          start = dot + 1;
        }
      }
    }
  }
  return tokens;
}

void AddDictionaries(std::map<std::string, std::set<std::string>>& dictionaries) {
  std::set<std::string> json = CatalogTokens(true);
  for (const char* token : {"{", "}", "[", "]", ":", ",", "\"\"", "null", "true", "false", "0", "-1", "1e999",
                            "\"\\u0000\"", "\"\\ud800\"", "\"apiVersion\"", "\"kind\"", "\"request\"", "\"uid\"",
                            "\"operation\"", "\"CREATE\"", "\"UPDATE\"", "\"DELETE\"", "\"CONNECT\"", "\"object\"",
                            "\"oldObject\"", "\"namespace\"", "\"name\"", "\"subResource\"", "\"dryRun\"",
                            "\"userInfo\"", "\"username\"", "\"group\"", "\"version\"", "\"metadata\"",
                            "\"annotations\"", "\"services.k8s.aws/region\"", "\"admission.k8s.io/v1\"",
                            "\"admission.k8s.io/v1beta1\"", "\"AdmissionReview\"", "\"team-a\"", "\"team-b\"",
                            "\"kube-system\"", "\"ml.m5.large\"", "\"ml.p4d.24xlarge\"", "\"ml.g5.xlarge\"",
                            "\"alias/aws/sagemaker\"",
                            "\"arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab\""}) {
    json.insert(token);
  }
  dictionaries["fuzz_admission_review"] = json;
  dictionaries["fuzz_json_patch"] = json;
  std::set<std::string> definition = json;
  for (const char* token : {"\"Steps\"", "\"Parameters\"", "\"Arguments\"", "\"Type\"", "\"Name\"",
                            "\"DefaultValue\"", "\"Get\"", "\"Parameters.", "\"Training\"", "\"Processing\"",
                            "\"Condition\"", "\"IfSteps\"", "\"ElseSteps\"", "\"Lambda\"", "\"Endpoint\"",
                            "\"ProductionVariants\"", "\"KmsKeyId\"", "\"VolumeKmsKeyId\"", "\"RoleArn\"",
                            "\"OutputDataConfig\"", "\"ResourceConfig\"", "\"InstanceType\""}) {
    definition.insert(token);
  }
  dictionaries["fuzz_pipeline_definition"] = definition;

  std::set<std::string> yaml = CatalogTokens(false);
  for (const char* token : {"apiVersion: ", "kind: ", "KeyPolicy", "keyward.dev/v1alpha1", "spec:", "defaultRegion: ",
                            "enforcement: ", "mutation: ", "keyReferences: ", "unmatchedNamespaces: ",
                            "exemptNamespaces: ", "trustedUsers: ", "localStorageInstanceTypes: ", "tenants:",
                            "- name: ", "namespaces: ", "region: ", "keys:", "default: ", "volume: ", "output: ",
                            "allowedKeys: ", "deny", "warn", "audit", "inject", "disabled", "arn", "any", "allow",
                            "off", "no", "yes", "~", "null", "\n", "\n  ", "\n    ", "- ", ": ", "&a ", "*a", "<<: ",
                            "!!str ", "!!map", "---\n", "...\n", "[", "]", "{", "}", "|\n", ">\n", "'", "\"", "#",
                            "metadata:", "name: ", "namespace: ", "us-east-1", "eu-west-1", "ml.*", "team-*",
                            "arn:aws:kms:us-east-1:111122223333:key/", "arn:aws:kms:us-east-1:111122223333:alias/",
                            "0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab", "mrk-0123456789abcdef0123456789abcdef"}) {
    yaml.insert(token);
  }
  dictionaries["fuzz_policy_loader"] = yaml;
  dictionaries["fuzz_manifest_reader"] = yaml;

  dictionaries["fuzz_key_reference"] = std::set<std::string>{"arn:", "aws", "aws-cn", "aws-us-gov", "aws-iso-b", ":kms:", "kms", "us-east-1", "us-gov-west-1",
                   "cn-north-1", "eu-isoe-west-1", ":111122223333:", "key/", "alias/", "alias/aws/", "aws/", "mrk-",
                   "0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab", "0123456789abcdef0123456789abcdef", ":", "/", "-",
                   "\xC3\xA9", std::string(1, '\0')};
}

}  // namespace

SeedCorpora MakeSeedCorpora(const fs::path& source) {
  SeedCorpora corpora;
  const fs::path fixtures = source / "tests" / "fixtures";
  Corpus reviews(&corpora.inputs["fuzz_admission_review"]);
  Corpus policies(&corpora.inputs["fuzz_policy_loader"]);
  Corpus keys(&corpora.inputs["fuzz_key_reference"]);
  Corpus patches(&corpora.inputs["fuzz_json_patch"]);
  Corpus manifests(&corpora.inputs["fuzz_manifest_reader"]);
  Corpus definitions(&corpora.inputs["fuzz_pipeline_definition"]);

  std::vector<Json> objects;
  std::vector<std::string> key_texts = {"alias/aws/sagemaker", "alias/team-a", "1234abcd-12ab-34cd-56ef-1234567890ab",
                                        "mrk-1234abcd12ab34cd56ef1234567890ab",
                                        "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
                                        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"};

  // Captured and hand-written AdmissionReviews.
  for (const fs::path& path : FilesUnder(fixtures, ".json")) {
    const std::string text = ReadFile(path);
    const Json json = Json::parse(text, nullptr, false);
    if (!json.is_object() || StringMember(json, "kind") != "AdmissionReview") continue;
    reviews.Add(text);
    const Json& request = json["request"];
    if (request.is_object() && request.contains("object") && request["object"].is_object()) {
      objects.push_back(request["object"]);
    }
  }
  // Manifests: samples, examples.
  std::vector<fs::path> yaml_files = FilesUnder(fixtures / "samples", ".yaml");
  for (const fs::path& path : FilesUnder(source / "examples", ".yaml")) yaml_files.push_back(path);
  for (const fs::path& path : yaml_files) {
    const std::string text = ReadFile(path);
    if (text.find("kind: KeyPolicy") != std::string::npos) continue;
    manifests.Add(text);
    for (const keyward::Manifest& m : keyward::ParseManifests(text, path.string()).manifests) {
      if (m.object.is_object()) objects.push_back(m.object);
    }
  }
  // Policies: fixtures, examples, the fuzz policies.
  std::vector<std::string> policy_texts;
  for (const fs::path& path : FilesUnder(fixtures, ".yaml")) policy_texts.push_back(ReadFile(path));
  for (const fs::path& path : FilesUnder(source / "examples", ".yaml")) policy_texts.push_back(ReadFile(path));
  for (const auto& fp : FuzzPolicies()) policy_texts.emplace_back(fp.yaml);
  for (const std::string& text : policy_texts) {
    if (text.find("kind: KeyPolicy") == std::string::npos) continue;
    policies.Add(text);
    for (const keyward::Manifest& m : keyward::ParseManifests(text, "policy").manifests) {
      CollectKeyReferences(m.object, &key_texts);
    }
  }

  // Pipeline definitions: the fixtures' and those inside Pipeline objects.
  std::vector<std::string> definition_texts;
  for (const fs::path& path : FilesUnder(fixtures / "pipelines", ".json")) definition_texts.push_back(ReadFile(path));
  for (const Json& object : objects) {
    const Json* text = object.contains("spec") && object["spec"].is_object() && object["spec"].contains("pipelineDefinition")
                           ? &object["spec"]["pipelineDefinition"]
                           : nullptr;
    if (text != nullptr && text->is_string()) definition_texts.push_back(text->get<std::string>());
  }
  for (const std::string& text : definition_texts) {
    for (uint8_t policy = 0; policy < FuzzPolicies().size(); ++policy) {
      definitions.Add(std::string{char(policy), char(0)} + text);
    }
  }

  const auto namespaces = FuzzNamespaces();
  for (const Json& object : objects) {
    CollectKeyReferences(object, &key_texts);
    const std::string json = object.dump();
    for (uint8_t policy = 0; policy < FuzzPolicies().size(); ++policy) {
      for (uint8_t ns : {0, 2, 3}) patches.Add(std::string{char(policy), char(ns), char(0)} + json);
    }
    reviews.Add(Review("admission.k8s.io/v1", "CREATE", object, nullptr, namespaces[0]).dump());
    reviews.Add(Review("admission.k8s.io/v1beta1", "CREATE", object, nullptr, namespaces[2]).dump());
    reviews.Add(Review("admission.k8s.io/v1", "UPDATE", object, object, namespaces[3]).dump());
  }
  for (const std::string& key : key_texts) keys.Add(key);
  AddDictionaries(corpora.dictionaries);
  return corpora;
}

}  // namespace keyward::fuzz
