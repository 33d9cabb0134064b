// Deciding with the cluster's context: tenants claimed by namespace labels
// (Kubernetes selector semantics), a namespace two tenants claim, and the
// region ACK will use (the resource's annotation, then the namespace's
// services.k8s.aws/default-region, then the tenant's region). Real samples,
// every patch applied.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/rules/evaluate.h"
#include "tests/policy/samples.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using namespace keyward::testing;
using nlohmann::json;
using CodeList = std::vector<std::string>;

constexpr char kLabelKey[] = "platform.example.com/tenant";

// team-a and team-b as in the test policy, plus team-l, which claims the
// namespaces labelled platform.example.com/tenant=l.
std::string ContextPolicyYaml(const std::string& extra_spec = "") {
  std::string yaml = TestPolicyYaml(extra_spec);
  yaml += R"(    - name: team-l
      namespaceSelector:
        matchLabels: {platform.example.com/tenant: l}
        matchExpressions:
          - {key: platform.example.com/stage, operator: NotIn, values: [retired]}
      keys:
        default: arn:aws:kms:us-east-1:121212121212:key/11111111-0000-4000-8000-000000000001
)";
  return yaml;
}

NamespaceInfo Namespace(const std::string& name, LabelMap labels = {}, LabelMap annotations = {}) {
  return {name, std::move(labels), std::move(annotations)};
}

class ContextTest : public ::testing::Test {
 protected:
  Evaluation Judge(const json& object, const std::string& ns, const NamespaceInfo* info) {
    auto request = MakeRequest(object, ns);
    request->request.namespace_info = info;
    Evaluation evaluation = Evaluate(*policy_, request->request);
    if (!evaluation.mutation.patch.empty()) {
      EXPECT_EQ(evaluation.mutated_object, ApplyPatch(object, evaluation.mutation.patch));
    }
    return evaluation;
  }
  std::shared_ptr<const Policy> policy_ = MustLoadPolicy(ContextPolicyYaml());
  json job_ = LoadSample("xgboost_trainingjob.yaml");
};

TEST(LabelSelectorTest, KubernetesSemantics) {
  LabelSelector selector;
  selector.match_labels = {{"tier", "ml"}};
  selector.match_expressions = {{"env", SelectorOperator::kIn, {"prod", "stage"}},
                                {"retired", SelectorOperator::kDoesNotExist, {}},
                                {"owner", SelectorOperator::kExists, {}},
                                {"zone", SelectorOperator::kNotIn, {"x"}}};
  EXPECT_TRUE(selector.Matches({{"tier", "ml"}, {"env", "prod"}, {"owner", "a"}}));
  EXPECT_TRUE(selector.Matches({{"tier", "ml"}, {"env", "stage"}, {"owner", ""}, {"zone", "y"}}));
  EXPECT_FALSE(selector.Matches({{"tier", "ml"}, {"env", "dev"}, {"owner", "a"}}));       // In
  EXPECT_FALSE(selector.Matches({{"tier", "ml"}, {"env", "prod"}}));                       // Exists
  EXPECT_FALSE(selector.Matches({{"tier", "ml"}, {"env", "prod"}, {"owner", "a"}, {"retired", "1"}}));
  EXPECT_FALSE(selector.Matches({{"tier", "ml"}, {"env", "prod"}, {"owner", "a"}, {"zone", "x"}}));  // NotIn
  EXPECT_FALSE(selector.Matches({{"tier", "cpu"}, {"env", "prod"}, {"owner", "a"}}));      // matchLabels
}

TEST_F(ContextTest, ALabelledNamespaceBelongsToTheSelectingTenant) {
  NamespaceInfo ns = Namespace("ml-1", {{kLabelKey, "l"}});
  Evaluation evaluation = Judge(job_, "ml-1", &ns);
  EXPECT_EQ(evaluation.mutation.tenant, "team-l");
  EXPECT_EQ(evaluation.mutated_object["spec"]["outputDataConfig"]["kmsKeyID"],
            "arn:aws:kms:us-east-1:121212121212:key/11111111-0000-4000-8000-000000000001");
  EXPECT_TRUE(evaluation.validation.allowed) << evaluation.validation.message;

  // Without the cluster's view the labels are unknown: no tenant claims it.
  Evaluation blind = Judge(job_, "ml-1", nullptr);
  EXPECT_EQ(CodesAt(blind.validation.violations, "metadata.namespace"), CodeList{std::string(kNoTenant)});

  // The labels change: the next request follows them.
  NamespaceInfo retired = Namespace("ml-1", {{kLabelKey, "l"}, {"platform.example.com/stage", "retired"}});
  Evaluation after = Judge(job_, "ml-1", &retired);
  EXPECT_TRUE(after.mutation.patch.empty());
  EXPECT_EQ(CodesAt(after.validation.violations, "metadata.namespace"), CodeList{std::string(kNoTenant)});
}

TEST_F(ContextTest, ANamespaceTwoTenantsClaimIsDeniedAndNothingIsInjected) {
  NamespaceInfo ns = Namespace("team-a", {{kLabelKey, "l"}});  // team-a by name, team-l by label
  Evaluation evaluation = Judge(job_, "team-a", &ns);
  EXPECT_TRUE(evaluation.mutation.patch.empty()) << evaluation.mutation.patch.dump();
  EXPECT_FALSE(evaluation.validation.allowed);
  const Violation* ambiguous = FindViolation(evaluation.validation.violations, kAmbiguousTenant, "metadata.namespace");
  ASSERT_NE(ambiguous, nullptr) << evaluation.validation.message;
  EXPECT_EQ(ambiguous->enforcement, Enforcement::kDeny);
  EXPECT_NE(ambiguous->message.find("team-a, team-l"), std::string::npos) << ambiguous->message;

  // Under revealOtherTenants: false the message names no tenant; the log does.
  policy_ = MustLoadPolicy(ContextPolicyYaml("revealOtherTenants: false\n"));
  Evaluation hidden = Judge(job_, "team-a", &ns);
  const Violation* quiet = FindViolation(hidden.validation.violations, kAmbiguousTenant, "metadata.namespace");
  ASSERT_NE(quiet, nullptr);
  EXPECT_EQ(quiet->message.find("team-l"), std::string::npos) << quiet->message;
  EXPECT_EQ(quiet->owners, "team-a, team-l");
}

TEST_F(ContextTest, TheRegionFollowsTheNamespaceAnnotationUnlessTheResourceNamesOne) {
  // team-a's keys are in us-east-1; a namespace annotated for eu-west-1 makes
  // ACK create the job there, where those keys do not exist.
  NamespaceInfo ns = Namespace("team-a", {}, {{std::string(kNamespaceRegionAnnotation), "eu-west-1"}});
  json keyed = job_;
  keyed["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  keyed["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  Evaluation there = Judge(keyed, "team-a", &ns);
  EXPECT_EQ(CodesAt(there.validation.violations, "spec.outputDataConfig.kmsKeyID"),
            CodeList{std::string(kRegionMismatch)})
      << there.validation.message;

  // The resource's own annotation comes first.
  json annotated = keyed;
  annotated["metadata"]["annotations"][std::string(kResourceRegionAnnotation)] = "us-east-1";
  EXPECT_TRUE(Judge(annotated, "team-a", &ns).validation.allowed);
  // Without the namespace's annotation, the tenant's region.
  NamespaceInfo plain = Namespace("team-a");
  EXPECT_TRUE(Judge(keyed, "team-a", &plain).validation.allowed);
}

// An existing resource stays where ACK made it: the ACK runtime's getRegion
// reads status.ackResourceMetadata.region before any annotation. Only the
// stored object's (oldObject's) counts: the status a request sends is
// replaced by the stored one after the mutating webhooks.
TEST_F(ContextTest, AnExistingResourceKeepsTheRegionAckRecordedForIt) {
  NamespaceInfo moved = Namespace("team-a", {}, {{std::string(kNamespaceRegionAnnotation), "eu-west-1"}});
  json keyed = job_;
  keyed["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  keyed["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  json stored = keyed;
  stored["status"]["ackResourceMetadata"] = {{"region", "us-east-1"}, {"ownerAccountID", "111122223333"}};
  json changed = stored;
  changed["metadata"]["labels"]["touched"] = "yes";

  // Made in us-east-1 before the namespace was annotated: its keys still fit.
  auto update = MakeRequest(changed, "team-a", Operation::kUpdate, &stored);
  update->request.namespace_info = &moved;
  ValidationResult kept = CheckedValidate(*policy_, update->request);
  EXPECT_TRUE(kept.allowed) << kept.message;
  EXPECT_TRUE(kept.violations.empty()) << kept.violations[0].code;
  EXPECT_TRUE(kept.warnings.empty()) << kept.warnings[0];

  // A CREATE that claims a region in its own status gains nothing by it.
  auto create = MakeRequest(stored, "team-a");
  create->request.namespace_info = &moved;
  ValidationResult claimed = CheckedValidate(*policy_, create->request);
  EXPECT_EQ(CodesAt(claimed.violations, "spec.outputDataConfig.kmsKeyID"), CodeList{std::string(kRegionMismatch)})
      << claimed.message;
}

TEST(ContextPolicyTest, SelectorsAreReadAndCheckedAsKubernetesWritesThem) {
  auto policy = MustLoadPolicy(ContextPolicyYaml());
  const Tenant& selecting = policy->tenants.back();
  ASSERT_TRUE(selecting.namespace_selector.has_value());
  EXPECT_EQ(selecting.namespace_selector->match_labels.at(kLabelKey), "l");
  ASSERT_EQ(selecting.namespace_selector->match_expressions.size(), 1u);
  EXPECT_EQ(selecting.namespace_selector->match_expressions[0].op, SelectorOperator::kNotIn);
  EXPECT_TRUE(selecting.namespaces.empty());

  auto problems = [](const std::string& selector) {
    std::string yaml = TestPolicyYaml() + "    - name: team-x\n      namespaceSelector: " + selector +
                       "\n      keys: {default: " + std::string(kTeamCDefault) + "}\n";
    std::string all;
    for (const Diagnostic& d : LoadPolicy(yaml, "p.yaml").diagnostics) all += d.ToString() + "\n";
    return all;
  };
  EXPECT_NE(problems("{}").find("an empty selector matches every namespace"), std::string::npos);
  EXPECT_NE(problems("{matchExpressions: [{key: a, operator: In}]}").find("need at least one value"),
            std::string::npos);
  EXPECT_NE(problems("{matchExpressions: [{key: a, operator: Exists, values: [x]}]}").find("take no values"),
            std::string::npos);
  EXPECT_NE(problems("{matchExpressions: [{key: a, operator: Equals, values: [x]}]}").find("must be one of: In"),
            std::string::npos);
  EXPECT_NE(problems("{matchLabel: {a: b}}").find("did you mean \"matchLabels\""), std::string::npos);
  // The same selector as team-l: provably the same namespaces.
  std::string twice = ContextPolicyYaml() + R"(    - name: team-m
      namespaceSelector:
        matchLabels: {platform.example.com/tenant: l}
        matchExpressions:
          - {key: platform.example.com/stage, operator: NotIn, values: [retired]}
      keys: {default: )" + std::string(kTeamCDefault) + "}\n";
  PolicyLoadResult same = LoadPolicy(twice, "p.yaml");
  ASSERT_FALSE(same.diagnostics.empty());
  EXPECT_NE(same.diagnostics[0].message.find("is the namespaceSelector of tenant \"team-l\" too"), std::string::npos)
      << same.diagnostics[0].ToString();
}

TEST(ContextPolicyTest, LintWarnsOfSelectorLabelsNamespaceEditorsCanSet) {
  std::string yaml = TestPolicyYaml() + "    - name: team-x\n      namespaceSelector: {matchLabels: {team: x}}\n"
                     "      keys: {default: " + std::string(kTeamCDefault) + "}\n";
  auto policy = MustLoadPolicy(yaml);
  bool warned = false;
  for (const Diagnostic& notice : policy->notices) {
    warned = warned || notice.message.find("selects namespaces by label \"team\"") != std::string::npos;
  }
  EXPECT_TRUE(warned);
  // A prefixed label draws no such warning.
  const std::shared_ptr<const Policy> prefixed = MustLoadPolicy(ContextPolicyYaml());
  for (const Diagnostic& notice : prefixed->notices) {
    EXPECT_EQ(notice.message.find("selects namespaces by label"), std::string::npos) << notice.ToString();
  }
}

TEST_F(ContextTest, InjectionTakesTheKeyOfTheResourcesRegionOrNone) {
  policy_ = MustLoadPolicy(RegionalPolicyYaml());
  NamespaceInfo eu = Namespace("team-a", {}, {{std::string(kNamespaceRegionAnnotation), "eu-west-1"}});
  Evaluation there = Judge(job_, "team-a", &eu);
  EXPECT_EQ(there.mutated_object["spec"]["outputDataConfig"]["kmsKeyID"], kTeamAEuWest);
  EXPECT_EQ(there.mutated_object["spec"]["resourceConfig"]["volumeKMSKeyID"], kTeamAEuWest);
  EXPECT_TRUE(there.validation.allowed) << there.validation.message;

  // A region the tenant lists no key for: nothing injected (never a key
  // RegionMismatch would deny), and the violation names the region.
  json annotated = job_;
  annotated["metadata"]["annotations"][std::string(kResourceRegionAnnotation)] = "ap-south-1";
  Evaluation elsewhere = Judge(annotated, "team-a", &eu);
  EXPECT_TRUE(elsewhere.mutation.patch.empty()) << elsewhere.mutation.patch.dump();
  const Violation* missing =
      FindViolation(elsewhere.validation.violations, kMissingKey, "spec.outputDataConfig.kmsKeyID");
  ASSERT_NE(missing, nullptr) << elsewhere.validation.message;
  EXPECT_NE(missing->message.find("keys.regions.ap-south-1"), std::string::npos) << missing->message;
  EXPECT_TRUE(CodesAt(elsewhere.validation.violations, "spec.outputDataConfig.kmsKeyID") ==
              CodeList{std::string(kMissingKey)});

  // At home, the tenant's own keys.
  Evaluation home = Judge(job_, "team-a", nullptr);
  EXPECT_EQ(home.mutated_object["spec"]["outputDataConfig"]["kmsKeyID"], kTeamAOutput);
}

TEST(ContextPolicyTest, RegionalKeysAreKeysOfTheirRegion) {
  auto policy = MustLoadPolicy(RegionalPolicyYaml());
  EXPECT_EQ(policy->tenants[0].keys.regions.at("eu-west-1").default_key, kTeamAEuWest);
  auto problems = [](const std::string& regions) {
    std::string yaml = TestPolicyYaml();
    const std::string anchor = std::string("        output: ") + kTeamAOutput + "\n";
    yaml.replace(yaml.find(anchor), anchor.size(), anchor + "        regions:\n" + regions);
    std::string all;
    for (const Diagnostic& d : LoadPolicy(yaml, "p.yaml").diagnostics) all += d.ToString() + "\n";
    return all;
  };
  EXPECT_NE(problems("          eu-west-1: {default: " + std::string(kTeamAOutput) + "}\n")
                .find("the key is in region us-east-1"),
            std::string::npos);
  EXPECT_NE(problems("          us-east-1: {default: " + std::string(kTeamAOutput) + "}\n").find("own region"),
            std::string::npos);
  EXPECT_NE(problems("          moon-1: {default: x}\n").find("is not an AWS region name"), std::string::npos);
  EXPECT_NE(problems("          eu-west-1: {volume: " + std::string(kTeamAEuWest) + "}\n").find("default: missing"),
            std::string::npos);
}

// ACK's cross-account resource management: a namespace annotated
// services.k8s.aws/owner-account-id makes its resources in that account.
TEST_F(ContextTest, AKeyOfAnotherAccountThanTheOwnersIsCrossAccountKey) {
  NamespaceInfo other = Namespace("team-a", {}, {{std::string(kNamespaceOwnerAccountAnnotation), "999988887777"}});
  // team-a's keys are of account 111122223333: none is injected there.
  Evaluation evaluation = Judge(job_, "team-a", &other);
  EXPECT_TRUE(evaluation.mutation.patch.empty()) << evaluation.mutation.patch.dump();
  const Violation* missing =
      FindViolation(evaluation.validation.violations, kMissingKey, "spec.outputDataConfig.kmsKeyID");
  ASSERT_NE(missing, nullptr) << evaluation.validation.message;
  EXPECT_NE(missing->message.find("account 999988887777"), std::string::npos) << missing->message;
  EXPECT_NE(missing->message.find("allowedKeyAccounts"), std::string::npos) << missing->message;

  // Set by hand, the key is CrossAccountKey.
  json keyed = job_;
  keyed["spec"]["outputDataConfig"]["kmsKeyID"] = kTeamAOutput;
  keyed["spec"]["resourceConfig"]["volumeKMSKeyID"] = kTeamAVolume;
  EXPECT_EQ(CodesAt(Judge(keyed, "team-a", &other).validation.violations, "spec.outputDataConfig.kmsKeyID"),
            CodeList{std::string(kCrossAccountKey)});

  // The owner's own account, or one the tenant allows, is fine.
  NamespaceInfo same = Namespace("team-a", {}, {{std::string(kNamespaceOwnerAccountAnnotation), "111122223333"}});
  EXPECT_TRUE(Judge(keyed, "team-a", &same).validation.allowed);
  std::string yaml = TestPolicyYaml();
  const std::string anchor = "      allowedKeys:\n";
  yaml.replace(yaml.find(anchor), anchor.size(), "      allowedKeyAccounts: [\"111122223333\"]\n" + anchor);
  policy_ = MustLoadPolicy(yaml);
  Evaluation allowed = Judge(job_, "team-a", &other);
  EXPECT_EQ(allowed.mutated_object["spec"]["outputDataConfig"]["kmsKeyID"], kTeamAOutput);
  EXPECT_TRUE(allowed.validation.allowed) << allowed.validation.message;
  std::string bad = TestPolicyYaml();
  bad.replace(bad.find(anchor), anchor.size(), "      allowedKeyAccounts: [\"1111\"]\n" + anchor);
  EXPECT_FALSE(LoadPolicy(bad, "p.yaml").diagnostics.empty());
}

}  // namespace
}  // namespace keyward
