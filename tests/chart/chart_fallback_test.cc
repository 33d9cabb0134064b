// The ValidatingAdmissionPolicy fallback in the chart, and the webhooks'
// matchConditions: the compiled policies installed from
// --set-file fallback.vap.manifest, the webhooks then failing open (Ignore)
// unless told otherwise, the KeyPolicyParams CRD shipped in crds/ equal to
// the compiler's, and the trusted users' UPDATEs skipping keyward on 1.28
// and later, with exactly the users the policy trusts (the condition is
// evaluated with @bufbuild/cel against Policy::IsTrustedUser).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/model/policy.h"
#include "tests/chart/chart_support.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ChartFallbackTest : public ::testing::Test {
 protected:
  // keyward policy compile --target vap for `policy`, into a file.
  std::string Compile(const std::string& policy, const std::string& api_version = "v1") {
    const std::string path = dir_.File("vap-" + api_version + ".yaml");
    ProcessResult compiled = RunProcess({KEYWARD_BINARY, "policy", "compile", "--target", "vap", "--api-version",
                                         api_version, policy});
    EXPECT_EQ(compiled.exit_code, 0) << compiled.error_output;
    WriteFile(path, compiled.output);
    return path;
  }

  static std::vector<std::string> FailurePolicies(const Objects& objects) {
    std::vector<std::string> out;
    for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
      out.push_back(At(objects.One(kind), "webhooks").begin()->operator[]("failurePolicy").as<std::string>());
    }
    return out;
  }

  const std::string example_policy_ = SourcePath("examples/policy.yaml");
  TempDir dir_;
};

TEST_F(ChartFallbackTest, WithoutTheFallbackTheWebhooksFailClosedAndNoPolicyIsRendered) {
  const Objects objects = MustRender({"--set-file", "policy=" + example_policy_});
  EXPECT_TRUE(objects.OfKind("ValidatingAdmissionPolicy").empty());
  EXPECT_EQ(FailurePolicies(objects), (std::vector<std::string>{"Fail", "Fail"}));
}

TEST_F(ChartFallbackTest, TheCompiledPoliciesAreInstalledAndTheWebhooksFailOpenToThem) {
  for (const auto& [api_version, kube_version] :
       std::vector<std::pair<std::string, std::string>>{{"v1", "1.30.0"}, {"v1beta1", "1.28.0"}}) {
    SCOPED_TRACE(api_version);
    const std::string manifest = Compile(example_policy_, api_version);
    const Objects on = MustRender({"--set-file", "policy=" + example_policy_, "--set-file",
                                   "fallback.vap.manifest=" + manifest, "--kube-version", kube_version});
    const std::vector<YAML::Node> policies = on.OfKind("ValidatingAdmissionPolicy");
    EXPECT_EQ(policies.size(), 5u);
    EXPECT_EQ(on.OfKind("ValidatingAdmissionPolicyBinding").size(), 5u);
    EXPECT_EQ(on.OfKind("KeyPolicyParams").size(), 1u);
    EXPECT_TRUE(on.OfKind("CustomResourceDefinition").empty()) << "the CRD comes from crds/, before the params";
    for (const YAML::Node& policy : policies) {
      EXPECT_EQ(policy["apiVersion"].as<std::string>(), "admissionregistration.k8s.io/" + api_version);
    }
    EXPECT_EQ(FailurePolicies(on), (std::vector<std::string>{"Ignore", "Ignore"}));

    const Objects kept = MustRender({"--set-file", "policy=" + example_policy_, "--set-file",
                                     "fallback.vap.manifest=" + manifest, "--set", "webhooks.failurePolicy=Fail"});
    EXPECT_EQ(FailurePolicies(kept), (std::vector<std::string>{"Fail", "Fail"}));
  }
}

TEST_F(ChartFallbackTest, AManifestThatIsNotTheCompilersIsRefused) {
  WriteFile(dir_.File("other.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
  const ProcessResult refused = HelmTemplate({"--set-file", "fallback.vap.manifest=" + dir_.File("other.yaml")});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.error_output.find("fallback.vap.manifest holds a ConfigMap"), std::string::npos)
      << refused.error_output;
}

TEST_F(ChartFallbackTest, TheChartsParamsCrdIsTheCompilers) {
  const Objects compiled(ReadText(Compile(example_policy_)));
  const Objects shipped(ReadText(SourcePath("charts/keyward/crds/keypolicyparams.keyward.dev.yaml")));
  EXPECT_TRUE(SameYaml(compiled.One("CustomResourceDefinition"), shipped.One("CustomResourceDefinition")))
      << "re-write charts/keyward/crds/ from keyward policy compile --target vap";
}

// The matchCondition skips exactly the UPDATEs of the users the policy
// trusts (names and globs), on 1.28 and later; before 1.28 there is none.
TEST_F(ChartFallbackTest, TheTrustedUsersUpdatesSkipKeywardAsThePolicyTrustsThem) {
  const std::string policy_text = R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  trustedUsers: ["system:serviceaccount:ack-system:ack-sagemaker-controller", "system:serviceaccount:ml-*:ops?", "a.b"]
  tenants:
    - name: t
      namespaces: [t]
      keys: {default: "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab"}
)";
  WriteFile(dir_.File("policy.yaml"), policy_text);
  const Objects old_cluster =
      MustRender({"--set-file", "policy=" + dir_.File("policy.yaml"), "--kube-version", "1.27.0"});
  const YAML::Node old_webhook = *At(old_cluster.One("ValidatingWebhookConfiguration"), "webhooks").begin();
  EXPECT_FALSE(old_webhook["matchConditions"].IsDefined()) << "matchConditions are Kubernetes 1.28 and later";
  const Objects objects = MustRender({"--set-file", "policy=" + dir_.File("policy.yaml"), "--kube-version", "1.28.0"});
  std::vector<std::string> expressions;
  for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
    const YAML::Node conditions = At(objects.One(kind), "webhooks").begin()->operator[]("matchConditions");
    ASSERT_TRUE(conditions.IsSequence() && conditions.size() == 1) << kind;
    expressions.push_back(conditions[0]["expression"].as<std::string>());
  }
  ASSERT_EQ(expressions[0], expressions[1]);

  PolicyLoadResult loaded = LoadPolicy(policy_text, "policy.yaml");
  ASSERT_NE(loaded.policy, nullptr);
  const std::vector<std::string> users = {"system:serviceaccount:ack-system:ack-sagemaker-controller",
                                          "system:serviceaccount:ack-system:ack-sagemaker-controller2",
                                          "system:serviceaccount:ml-team:ops1",
                                          "system:serviceaccount:ml-team:ops12",
                                          "a.b",
                                          "axb",
                                          "alice@example.com"};
  json input = {{"params", nullptr}, {"cases", json::array()}};
  input["policies"] = json::array(
      {{{"metadata", {{"name", "matchCondition"}}},
        {"spec",
         {{"matchConstraints",
           {{"resourceRules",
             {{{"apiGroups", {"g"}}, {"operations", {"CREATE", "UPDATE"}}, {"resources", {"r"}}}}}}},
          {"validations", {{{"expression", expressions[0]}, {"message", "skipped"}}}}}}}});
  for (const char* operation : {"CREATE", "UPDATE"}) {
    for (const std::string& user : users) {
      input["cases"].push_back({{"request",
                                 {{"operation", operation},
                                  {"kind", {{"group", "g"}, {"version", "v1"}, {"kind", "K"}}},
                                  {"resource", {{"group", "g"}, {"version", "v1"}, {"resource", "r"}}},
                                  {"userInfo", {{"username", user}}}}}});
    }
  }
  WriteFile(dir_.File("input.json"), input.dump());
  const ProcessResult evaluated =
      RunProcess({"node", SourcePath("tests/vap/evaluate.mjs"), KEYWARD_DEFAULT_TOOLS_DIR, dir_.File("input.json")});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.error_output << " (run scripts/get-test-tools.sh)";
  const json verdicts = json::parse(evaluated.output);
  ASSERT_EQ(verdicts.size(), 2 * users.size());
  for (size_t i = 0; i < verdicts.size(); ++i) {
    const bool update = i >= users.size();
    const std::string& user = users[i % users.size()];
    const bool skipped = verdicts[i]["denied"].get<bool>();  // the condition is false: keyward is not called
    EXPECT_TRUE(verdicts[i]["errors"].empty()) << verdicts[i].dump();
    EXPECT_EQ(skipped, update && loaded.policy->IsTrustedUser(user)) << (update ? "UPDATE by " : "CREATE by ") << user;
  }
}

}  // namespace
}  // namespace keyward::testing
