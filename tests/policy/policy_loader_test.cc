// LoadPolicy: the example from the documentation loads, and every rejection
// names the file, the 1-based line and column, the path, and a fix.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "policy/base/text.h"
#include "policy/model/policy.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using testing::TestPolicyYaml;

constexpr char kFile[] = "policy.yaml";

struct Position {
  int line = 0;
  int column = 0;
};

// 1-based position of the `occurrence`-th (0-based) `needle` in `text`.
Position PositionOf(std::string_view text, std::string_view needle, int occurrence = 0) {
  size_t at = text.find(needle);
  for (int i = 0; i < occurrence && at != std::string_view::npos; ++i) at = text.find(needle, at + 1);
  EXPECT_NE(at, std::string_view::npos) << "test bug: '" << needle << "' not in policy";
  Position p;
  p.line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  size_t line_start = text.rfind('\n', at);
  p.column = static_cast<int>(at - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
  return p;
}

std::string AllDiagnostics(const PolicyLoadResult& result) {
  std::string all;
  for (const Diagnostic& d : result.diagnostics) all += "  " + d.ToString() + "\n";
  return all;
}

// The diagnostic for `path`; fails the test when there is none.
const Diagnostic* DiagnosticAt(const PolicyLoadResult& result, std::string_view path) {
  for (const Diagnostic& d : result.diagnostics) {
    if (d.path == path) return &d;
  }
  ADD_FAILURE() << "no diagnostic for " << path << "; got:\n" << AllDiagnostics(result);
  return nullptr;
}

PolicyLoadResult MustReject(std::string_view yaml) {
  PolicyLoadResult result = LoadPolicy(yaml, kFile);
  EXPECT_EQ(result.policy, nullptr) << "policy accepted:\n" << yaml;
  EXPECT_FALSE(result.diagnostics.empty());
  for (const Diagnostic& d : result.diagnostics) {
    EXPECT_EQ(d.file, kFile);
    EXPECT_FALSE(d.message.empty()) << d.ToString();
  }
  return result;
}

// Expects a diagnostic at `path`, positioned at `needle` in `yaml`, whose
// message contains every string in `words` (case-insensitive).
void ExpectDiagnostic(const PolicyLoadResult& result, std::string_view yaml, std::string_view path,
                      std::string_view needle, std::vector<std::string> words, int occurrence = 0) {
  const Diagnostic* d = DiagnosticAt(result, path);
  if (d == nullptr) return;
  Position expected = PositionOf(yaml, needle, occurrence);
  EXPECT_EQ(d->line, expected.line) << d->ToString();
  EXPECT_EQ(d->column, expected.column) << d->ToString();
  // The path is printed with the message, so either may carry a word.
  for (const std::string& word : words) {
    EXPECT_NE(AsciiLower(d->ToString()).find(AsciiLower(word)), std::string::npos)
        << "diagnostic lacks '" << word << "': " << d->ToString();
  }
}

constexpr char kKeyA[] = "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-0000-4000-8000-00000000000a";
constexpr char kKeyB[] = "arn:aws:kms:us-east-1:444455556666:key/0a1b2c3d-0000-4000-8000-00000000000b";

// The policy example from the documentation, with real values.
constexpr char kDocumentedExample[] = R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1      # the ACK controller's region
  enforcement: deny             # deny | warn | audit   (default deny)
  mutation: inject              # inject | disabled     (default inject)
  keyReferences: arn
  unmatchedNamespaces: deny
  exemptNamespaces: [kube-system]
  trustedUsers:
    - system:serviceaccount:ack-system:ack-sagemaker-controller
  localStorageInstanceTypes: []
  tenants:
    - name: team-a
      namespaces: [team-a, "team-a-*"]
      region: us-east-1
      enforcement: warn
      keys:
        default: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
        volume:  arn:aws:kms:us-east-1:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab
        output:  arn:aws:kms:us-east-1:111122223333:key/3234abcd-12ab-34cd-56ef-1234567890ab
      allowedKeys:
        - arn:aws:kms:us-east-1:111122223333:key/*
)";

TEST(PolicyLoaderTest, DocumentedExampleLoads) {
  PolicyLoadResult result = LoadPolicy(kDocumentedExample, kFile);
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  ASSERT_NE(result.policy, nullptr);
  const Policy& policy = *result.policy;
  EXPECT_EQ(policy.default_region, "us-east-1");
  EXPECT_EQ(policy.enforcement, Enforcement::kDeny);
  EXPECT_EQ(policy.mutation, MutationMode::kInject);
  EXPECT_EQ(policy.key_references, KeyReferencePolicy::kArnOnly);
  EXPECT_EQ(policy.unmatched_namespaces, UnmatchedNamespaces::kDeny);
  EXPECT_EQ(policy.exempt_namespaces, std::vector<std::string>{"kube-system"});
  EXPECT_EQ(policy.trusted_users,
            std::vector<std::string>{"system:serviceaccount:ack-system:ack-sagemaker-controller"});
  EXPECT_TRUE(policy.local_storage_instance_types.empty());
  ASSERT_EQ(policy.tenants.size(), 1u);
  const Tenant& tenant = policy.tenants[0];
  EXPECT_EQ(tenant.name, "team-a");
  EXPECT_EQ(tenant.namespaces, (std::vector<std::string>{"team-a", "team-a-*"}));
  EXPECT_EQ(tenant.region, "us-east-1");
  EXPECT_EQ(tenant.enforcement, Enforcement::kWarn);
  EXPECT_EQ(tenant.keys.default_key, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  EXPECT_EQ(tenant.keys.volume_key, "arn:aws:kms:us-east-1:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab");
  EXPECT_EQ(tenant.keys.output_key, "arn:aws:kms:us-east-1:111122223333:key/3234abcd-12ab-34cd-56ef-1234567890ab");
  EXPECT_EQ(tenant.allowed_keys, std::vector<std::string>{"arn:aws:kms:us-east-1:111122223333:key/*"});
}

TEST(PolicyLoaderTest, DefaultsApplyWhenOmitted) {
  std::string yaml = std::string(R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  tenants:
    - name: team-a
      namespaces: [team-a]
      keys:
        default: )") + kKeyA + "\n";
  auto policy = testing::MustLoadPolicy(yaml);
  EXPECT_EQ(policy->enforcement, Enforcement::kDeny);
  EXPECT_EQ(policy->mutation, MutationMode::kInject);
  EXPECT_EQ(policy->key_references, KeyReferencePolicy::kArnOnly);
  EXPECT_EQ(policy->unmatched_namespaces, UnmatchedNamespaces::kDeny);
  ASSERT_EQ(policy->tenants.size(), 1u);
  EXPECT_FALSE(policy->tenants[0].enforcement.has_value());
  EXPECT_EQ(policy->tenants[0].keys.volume_key, "");
  EXPECT_EQ(policy->tenants[0].keys.output_key, "");
}

TEST(PolicyLoaderTest, EveryEnumValueParses) {
  struct Case {
    const char* text;
    Enforcement enforcement;
    MutationMode mutation;
    KeyReferencePolicy references;
    UnmatchedNamespaces unmatched;
  };
  for (const Case& c : {Case{"enforcement: warn\nmutation: disabled\nkeyReferences: any\nunmatchedNamespaces: warn",
                             Enforcement::kWarn, MutationMode::kDisabled, KeyReferencePolicy::kAny,
                             UnmatchedNamespaces::kWarn},
                        Case{"enforcement: audit\nmutation: inject\nkeyReferences: arn\nunmatchedNamespaces: allow",
                             Enforcement::kAudit, MutationMode::kInject, KeyReferencePolicy::kArnOnly,
                             UnmatchedNamespaces::kAllow},
                        Case{"enforcement: \"deny\"\nunmatchedNamespaces: 'deny'", Enforcement::kDeny,
                             MutationMode::kInject, KeyReferencePolicy::kArnOnly, UnmatchedNamespaces::kDeny}}) {
    auto policy = testing::MustLoadPolicy(TestPolicyYaml(c.text));
    EXPECT_EQ(policy->enforcement, c.enforcement) << c.text;
    EXPECT_EQ(policy->mutation, c.mutation) << c.text;
    EXPECT_EQ(policy->key_references, c.references) << c.text;
    EXPECT_EQ(policy->unmatched_namespaces, c.unmatched) << c.text;
  }
  EXPECT_EQ(EnforcementName(Enforcement::kDeny), "deny");
  EXPECT_EQ(EnforcementName(Enforcement::kWarn), "warn");
  EXPECT_EQ(EnforcementName(Enforcement::kAudit), "audit");
}

TEST(PolicyLoaderTest, RejectsUnknownFieldsAtEveryLevel) {
  std::string yaml = TestPolicyYaml("colour: blue");
  yaml.insert(yaml.find("kind: KeyPolicy"), "metdata: {}\n");
  yaml.insert(yaml.find("      region: eu-west-1"), "      regoin: eu-west-1\n");
  yaml.insert(yaml.find("        volume: "), "        backup: " + std::string(kKeyA) + "\n");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "metdata", "metdata", {"metdata"});
  ExpectDiagnostic(result, yaml, "spec.colour", "colour", {"colour"});
  ExpectDiagnostic(result, yaml, "spec.tenants[1].regoin", "regoin", {"regoin"});
  ExpectDiagnostic(result, yaml, "spec.tenants[0].keys.backup", "backup", {"backup", "default", "volume", "output"});
}

TEST(PolicyLoaderTest, RejectsBadEnumsNamingTheAllowedValues) {
  std::string yaml = TestPolicyYaml(
      "enforcement: strict\nmutation: enabled\nkeyReferences: alias\nunmatchedNamespaces: ignore");
  yaml.replace(yaml.find("enforcement: warn"), 17, "enforcement: block");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.enforcement", "strict", {"strict", "deny", "warn", "audit"});
  ExpectDiagnostic(result, yaml, "spec.mutation", "enabled", {"enabled", "inject", "disabled"});
  ExpectDiagnostic(result, yaml, "spec.keyReferences", "alias\n", {"alias", "arn", "any"});
  ExpectDiagnostic(result, yaml, "spec.unmatchedNamespaces", "ignore", {"ignore", "deny", "warn", "allow"});
  ExpectDiagnostic(result, yaml, "spec.tenants[2].enforcement", "block", {"block", "deny", "warn", "audit"});
}

// YAML 1.1 readers turn a bare off/no into false; the loader must show what
// the user wrote, not a boolean.
TEST(PolicyLoaderTest, BareOffAndNoAreRejectedAsWritten) {
  std::string yaml = TestPolicyYaml("enforcement: off\nmutation: no");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.enforcement", "off", {"off", "deny", "warn", "audit"});
  ExpectDiagnostic(result, yaml, "spec.mutation", "no\n", {"no", "inject", "disabled"});
  const Diagnostic* d = DiagnosticAt(result, "spec.enforcement");
  if (d != nullptr) {
    EXPECT_EQ(AsciiLower(d->message).find("false"), std::string::npos) << d->message;
  }
}

TEST(PolicyLoaderTest, RejectsMalformedTenantKeys) {
  std::string yaml = TestPolicyYaml();
  yaml.replace(yaml.find(testing::kTeamAVolume), std::string(testing::kTeamAVolume).size(), "not-a-key");
  yaml.replace(yaml.find(testing::kTeamBDefault), std::string(testing::kTeamBDefault).size(),
               "arn:aws:kms:eu-west-1:44445555666:key/bbbbbbbb-0000-4000-8000-000000000001");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[0].keys.volume", "not-a-key", {"not-a-key"});
  ExpectDiagnostic(result, yaml, "spec.tenants[1].keys.default", "arn:aws:kms:eu-west-1:44445555666",
                   {"account"});
}

TEST(PolicyLoaderTest, RejectsAwsManagedTenantKeys) {
  std::string yaml = TestPolicyYaml("keyReferences: any");
  yaml.replace(yaml.find(testing::kTeamAOutput), std::string(testing::kTeamAOutput).size(),
               "arn:aws:kms:us-east-1:111122223333:alias/aws/s3");
  yaml.replace(yaml.find(testing::kTeamCDefault), std::string(testing::kTeamCDefault).size(), "alias/aws/sagemaker");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[0].keys.output", "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
                   {"alias/aws/s3", "managed"});
  ExpectDiagnostic(result, yaml, "spec.tenants[2].keys.default", "alias/aws/sagemaker",
                   {"alias/aws/sagemaker", "managed"});
}

TEST(PolicyLoaderTest, ArnOnlyPolicyRequiresKeyArnsInKeys) {
  std::string yaml = TestPolicyYaml();
  yaml.replace(yaml.find(testing::kTeamAOutput), std::string(testing::kTeamAOutput).size(),
               "arn:aws:kms:us-east-1:111122223333:alias/team-a-output");
  yaml.replace(yaml.find(testing::kTeamCDefault), std::string(testing::kTeamCDefault).size(),
               "cccccccc-0000-4000-8000-000000000001");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[0].keys.output", "arn:aws:kms:us-east-1:111122223333:alias/team-a",
                   {"key arn"});
  ExpectDiagnostic(result, yaml, "spec.tenants[2].keys.default", "cccccccc-0000-4000-8000-000000000001",
                   {"key arn"});
}

TEST(PolicyLoaderTest, AnyPolicyAcceptsAliasesAndKeyIdsInKeys) {
  std::string yaml = TestPolicyYaml("keyReferences: any");
  yaml.replace(yaml.find(testing::kTeamAOutput), std::string(testing::kTeamAOutput).size(),
               "arn:aws:kms:us-east-1:111122223333:alias/team-a-output");
  yaml.replace(yaml.find(testing::kTeamCDefault), std::string(testing::kTeamCDefault).size(),
               "cccccccc-0000-4000-8000-000000000001");
  auto policy = testing::MustLoadPolicy(yaml);
  EXPECT_EQ(policy->tenants[0].keys.output_key, "arn:aws:kms:us-east-1:111122223333:alias/team-a-output");
}

TEST(PolicyLoaderTest, RejectsNamespaceClaimedByTwoTenants) {
  std::string yaml = TestPolicyYaml();
  yaml.replace(yaml.find("namespaces: [team-b]"), 20, "namespaces: [team-b, team-a]");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[1].namespaces[1]", "team-a]", {"team-a", "team-b"});
}

TEST(PolicyLoaderTest, OverlappingGlobsCountAsDoubleClaims) {
  std::string yaml = TestPolicyYaml();
  // team-a claims team-a-*; team-* overlaps it (e.g. team-a-x).
  yaml.replace(yaml.find("namespaces: [team-c]"), 20, "namespaces: [\"team-*\"]");
  PolicyLoadResult result = MustReject(yaml);
  // team-* also covers team-b's exact namespace: both conflicts are reported.
  bool names_a = false;
  bool names_b = false;
  for (const Diagnostic& d : result.diagnostics) {
    if (d.path != "spec.tenants[2].namespaces[0]") continue;
    EXPECT_EQ(d.line, PositionOf(yaml, "\"team-*\"").line) << d.ToString();
    EXPECT_EQ(d.column, PositionOf(yaml, "\"team-*\"").column) << d.ToString();
    EXPECT_NE(d.message.find("team-c"), std::string::npos) << d.ToString();
    if (d.message.find("team-a") != std::string::npos) names_a = true;
    if (d.message.find("team-b") != std::string::npos) names_b = true;
  }
  EXPECT_TRUE(names_a) << AllDiagnostics(result);
  EXPECT_TRUE(names_b) << AllDiagnostics(result);
}

TEST(PolicyLoaderTest, ExactNamespaceInsideAnotherTenantsGlobIsADoubleClaim) {
  std::string yaml = TestPolicyYaml();
  yaml.replace(yaml.find("namespaces: [team-c]"), 20, "namespaces: [team-a-ml]");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[2].namespaces[0]", "team-a-ml", {"team-a", "team-c"});
}

TEST(PolicyLoaderTest, DisjointGlobsAreFine) {
  std::string yaml = TestPolicyYaml();
  yaml.replace(yaml.find("namespaces: [team-c]"), 20, "namespaces: [\"ml-*\", \"ops-?\", team-x]");
  testing::MustLoadPolicy(yaml);
}

TEST(PolicyLoaderTest, RejectsTenantKeyOutsideTenantRegion) {
  std::string yaml = TestPolicyYaml();
  // team-b's region is eu-west-1.
  yaml.replace(yaml.find(testing::kTeamBDefault), std::string(testing::kTeamBDefault).size(), testing::kTeamBUsEast);
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[1].keys.default", testing::kTeamBUsEast, {"us-east-1", "eu-west-1"});
}

TEST(PolicyLoaderTest, RejectsTenantKeyOutsideDefaultRegion) {
  std::string yaml = TestPolicyYaml();
  // team-a names no region, so its keys must be in defaultRegion us-east-1.
  yaml.replace(yaml.find(testing::kTeamAVolume), std::string(testing::kTeamAVolume).size(), testing::kTeamAWest);
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[0].keys.volume", testing::kTeamAWest, {"us-west-2", "us-east-1"});
}

TEST(PolicyLoaderTest, RejectsDuplicateTenantNames) {
  std::string yaml = TestPolicyYaml();
  yaml.replace(yaml.find("name: team-c"), 12, "name: team-a  # again");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[2].name", "team-a  # again", {"team-a"});
}

TEST(PolicyLoaderTest, RejectsEmptyTenantList) {
  std::string yaml = R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  tenants: []
)";
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants", "[]", {"tenant"});
}

TEST(PolicyLoaderTest, RejectsMissingTenantList) {
  PolicyLoadResult result = MustReject("apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  defaultRegion: us-east-1\n");
  bool mentions_tenants = false;
  for (const Diagnostic& d : result.diagnostics) {
    if (AsciiLower(d.message).find("tenant") != std::string::npos) mentions_tenants = true;
  }
  EXPECT_TRUE(mentions_tenants) << AllDiagnostics(result);
}

TEST(PolicyLoaderTest, RejectsMissingDefaultKey) {
  std::string yaml = TestPolicyYaml();
  size_t at = yaml.find("        default: " + std::string(testing::kTeamCDefault));
  yaml.replace(at, yaml.find('\n', at) + 1 - at, "        volume: " + std::string(testing::kTeamCDefault) + "\n");
  PolicyLoadResult result = MustReject(yaml);
  // Either the keys mapping or the missing keys.default may carry it.
  const Diagnostic* found = nullptr;
  for (const Diagnostic& d : result.diagnostics) {
    if (d.path.rfind("spec.tenants[2].keys", 0) == 0) found = &d;
  }
  ASSERT_NE(found, nullptr) << AllDiagnostics(result);
  EXPECT_NE(found->ToString().find("default"), std::string::npos) << found->ToString();
  EXPECT_GT(found->line, 0) << found->ToString();
}

TEST(PolicyLoaderTest, RejectsWrongApiVersionAndKind) {
  std::string yaml = TestPolicyYaml();
  yaml.replace(yaml.find("keyward.dev/v1alpha1"), 20, "keyward.dev/v9");
  yaml.replace(yaml.find("KeyPolicy"), 9, "Policy");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "apiVersion", "keyward.dev/v9", {"keyward.dev/v1alpha1"});
  ExpectDiagnostic(result, yaml, "kind", "Policy", {"KeyPolicy"});
}

TEST(PolicyLoaderTest, ReportsEveryProblemNotOnlyTheFirst) {
  std::string yaml = TestPolicyYaml("enforcement: off\nunknownThing: 1");
  yaml.replace(yaml.find(testing::kTeamAVolume), std::string(testing::kTeamAVolume).size(), "alias/aws/ebs");
  yaml.replace(yaml.find("name: team-c"), 12, "name: team-b");
  PolicyLoadResult result = MustReject(yaml);
  EXPECT_GE(result.diagnostics.size(), 4u) << AllDiagnostics(result);
  DiagnosticAt(result, "spec.enforcement");
  DiagnosticAt(result, "spec.unknownThing");
  DiagnosticAt(result, "spec.tenants[0].keys.volume");
  DiagnosticAt(result, "spec.tenants[2].name");
}

TEST(PolicyLoaderTest, SyntaxErrorsAreDiagnosedWithAPosition) {
  std::string yaml = "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  tenants: [\n";
  PolicyLoadResult result = MustReject(yaml);
  EXPECT_GT(result.diagnostics[0].line, 0) << result.diagnostics[0].ToString();
}

TEST(PolicyLoaderTest, WrongShapesAreDiagnosedNotThrown) {
  for (const char* yaml : {"", "just a string", "- a\n- b\n", "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\n",
                           "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec: [1, 2]\n",
                           "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  tenants: {name: a}\n",
                           "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  tenants:\n    - name: [a]\n",
                           "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  tenants:\n    - 42\n",
                           "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  exemptNamespaces: 3\n"}) {
    PolicyLoadResult result;
    EXPECT_NO_THROW(result = LoadPolicy(yaml, kFile)) << yaml;
    EXPECT_EQ(result.policy, nullptr) << yaml;
    EXPECT_FALSE(result.diagnostics.empty()) << yaml;
  }
}

// Inserts `roles: [...]` lines into the shared test policy's tenants.
std::string WithRoles(std::string yaml, const std::vector<std::pair<std::string, std::string>>& roles_by_tenant) {
  for (const auto& [tenant, roles] : roles_by_tenant) {
    size_t at = yaml.find("    - name: " + tenant + "\n");
    EXPECT_NE(at, std::string::npos) << tenant;
    size_t line_end = yaml.find('\n', at) + 1;
    yaml.insert(line_end, "      roles: " + roles + "\n");
  }
  return yaml;
}

TEST(PolicyLoaderTest, RolesLoadAndTenantsWithoutRolesGetANotice) {
  std::string yaml = WithRoles(TestPolicyYaml(), {{"team-a", "[\"arn:aws:iam::111122223333:role/team-a-*\"]"},
                                                  {"team-b", "[arn:aws-cn:iam::444455556666:role/ml/team-b]"}});
  PolicyLoadResult result = LoadPolicy(yaml, kFile);
  ASSERT_NE(result.policy, nullptr) << AllDiagnostics(result);
  EXPECT_EQ(result.policy->tenants[0].roles, std::vector<std::string>{"arn:aws:iam::111122223333:role/team-a-*"});
  EXPECT_EQ(result.policy->tenants[1].roles, std::vector<std::string>{"arn:aws-cn:iam::444455556666:role/ml/team-b"});
  EXPECT_TRUE(result.policy->tenants[2].roles.empty());
  EXPECT_TRUE(result.policy->reveal_other_tenants);
  ASSERT_EQ(result.policy->notices.size(), 1u);
  const Diagnostic& notice = result.policy->notices[0];
  EXPECT_EQ(notice.file, kFile);
  EXPECT_EQ(notice.line, PositionOf(yaml, "name: team-c").line);
  EXPECT_NE(notice.message.find("tenant team-c lists no roles, so its resources"), std::string::npos)
      << notice.ToString();
  EXPECT_NE(notice.message.find("not"), std::string::npos);

  // A policy where no tenant lists roles says so once, naming a few.
  PolicyLoadResult none = LoadPolicy(TestPolicyYaml(), kFile);
  ASSERT_NE(none.policy, nullptr);
  ASSERT_EQ(none.policy->notices.size(), 1u);
  EXPECT_NE(none.policy->notices[0].message.find("tenants team-a, team-b, team-c list no roles"), std::string::npos)
      << none.policy->notices[0].ToString();

  const Tenant* b = result.policy->TenantForNamespace("team-b");
  EXPECT_EQ(result.policy->TenantsClaimingRole("arn:aws-cn:iam::444455556666:role/ml/team-b"),
            std::vector<const Tenant*>{b});
  EXPECT_EQ(result.policy->TenantsClaimingRole("arn:aws:iam::111122223333:role/team-a-x").size(), 1u);
  EXPECT_TRUE(result.policy->TenantsClaimingRole("arn:aws:iam::111122223333:role/other").empty());
}

TEST(PolicyLoaderTest, RejectsMalformedRoleArns) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sagemaker-execution", "not an IAM role ARN"},
      {"arn:aws:iam::111122223333:user/alice", "role/NAME"},
      {"arn:aws:iam::1111:role/x", "12-digit"},
      {"arn:aws:s3:::bucket", "not an IAM role ARN"},
      {"arn:aws:iam::111122223333:role/", "role/NAME"},
      {"arn:aws:iam::111122223333:role/a b", "letters, digits"},
      {"arn:AWS:iam::111122223333:role/x", "partition"},
      {"arn:aws:iam::111122223333:role/path//x", "missing"},
  };
  for (const auto& [role, words] : cases) {
    std::string yaml = WithRoles(TestPolicyYaml(), {{"team-a", "[\"" + role + "\"]"}});
    PolicyLoadResult result = MustReject(yaml);
    ExpectDiagnostic(result, yaml, "spec.tenants[0].roles[0]", "\"" + role + "\"", {words});
    EXPECT_NE(DiagnosticAt(result, "spec.tenants[0].roles[0]"), nullptr) << role << "\n" << AllDiagnostics(result);
  }
  // Globs keep the six parts, and each part may hold wildcards.
  for (const char* glob : {"arn:aws:iam::*:role/ml-*", "arn:aws*:iam::1111222233?3:role/*/team-a"}) {
    std::string yaml = WithRoles(TestPolicyYaml(), {{"team-a", std::string("[\"") + glob + "\"]"}});
    EXPECT_NE(LoadPolicy(yaml, kFile).policy, nullptr) << glob << AllDiagnostics(LoadPolicy(yaml, kFile));
  }
}

TEST(PolicyLoaderTest, RejectsARoleClaimedByTwoTenantsOverlappingGlobsIncluded) {
  std::string yaml = WithRoles(TestPolicyYaml(), {{"team-a", "[\"arn:aws:iam::111122223333:role/ml-*\"]"},
                                                  {"team-b", "[\"arn:aws:iam::111122223333:role/ml-b\"]"}});
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[1].roles[0]", "\"arn:aws:iam::111122223333:role/ml-b\"",
                   {"team-a", "team-b", "one tenant only"});

  std::string globs = WithRoles(TestPolicyYaml(), {{"team-a", "[\"arn:aws:iam::*:role/ml-*\"]"},
                                                   {"team-c", "[\"arn:aws:iam::111122223333:role/*-c\"]"}});
  PolicyLoadResult overlap = MustReject(globs);
  EXPECT_NE(DiagnosticAt(overlap, "spec.tenants[2].roles[0]"), nullptr) << AllDiagnostics(overlap);

  // Disjoint globs and the same role twice in one tenant are fine.
  std::string fine = WithRoles(TestPolicyYaml(), {{"team-a", "[\"arn:aws:iam::111122223333:role/a-*\", \"arn:aws:iam::111122223333:role/a-x\"]"},
                                                  {"team-b", "[\"arn:aws:iam::111122223333:role/b-*\"]"}});
  EXPECT_NE(LoadPolicy(fine, kFile).policy, nullptr) << AllDiagnostics(LoadPolicy(fine, kFile));
}

TEST(PolicyLoaderTest, RejectsMisspelledRolesAndNonBooleanReveal) {
  std::string yaml = TestPolicyYaml();
  yaml.insert(yaml.find("      keys:"), "      role: [\"arn:aws:iam::111122223333:role/x\"]\n");
  PolicyLoadResult result = MustReject(yaml);
  ExpectDiagnostic(result, yaml, "spec.tenants[0].role", "role:", {"did you mean \"roles\""});

  std::string reveal = TestPolicyYaml("revealOtherTenants: no");
  PolicyLoadResult bad_reveal = MustReject(reveal);
  ExpectDiagnostic(bad_reveal, reveal, "spec.revealOtherTenants", "no\n", {"true or false"});

  PolicyLoadResult hidden = LoadPolicy(TestPolicyYaml("revealOtherTenants: false"), kFile);
  ASSERT_NE(hidden.policy, nullptr) << AllDiagnostics(hidden);
  EXPECT_FALSE(hidden.policy->reveal_other_tenants);
}

TEST(PolicyLoaderTest, DiagnosticToStringIsFileLineColumnPathMessage) {
  Diagnostic d{"p.yaml", 3, 7, "spec.enforcement", "bad"};
  EXPECT_EQ(d.ToString(), "p.yaml:3:7: spec.enforcement: bad");
}

}  // namespace
}  // namespace keyward
