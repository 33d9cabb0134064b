// Policy lookups on a loaded policy: tenants by namespace, exemptions,
// trusted users, local-storage instance types, key ownership.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/base/key_reference.h"
#include "policy/model/policy.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using namespace keyward::testing;

std::string TenantName(const Tenant* tenant) { return tenant == nullptr ? "<none>" : tenant->name; }

TEST(PolicyLookupTest, TenantForNamespaceExactAndGlob) {
  auto policy = MustLoadPolicy(TestPolicyYaml());
  EXPECT_EQ(TenantName(policy->TenantForNamespace("team-a")), "team-a");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("team-a-dev")), "team-a");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("team-a-")), "team-a");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("team-b")), "team-b");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("team-c")), "team-c");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("team-b-dev")), "<none>");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("team-ab")), "<none>");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("team")), "<none>");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("")), "<none>");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("default")), "<none>");
}

TEST(PolicyLookupTest, GlobsWithoutLiteralPrefixAreFound) {
  // Any prefix glob overlaps any suffix glob, so team-a gives up team-a-*.
  std::string yaml = TestPolicyYaml();
  yaml.replace(yaml.find("namespaces: [team-a, \"team-a-*\"]"), 32, "namespaces: [team-a]");
  yaml.replace(yaml.find("namespaces: [team-c]"), 20, "namespaces: [\"*-ml\", \"ops?\"]");
  auto policy = MustLoadPolicy(yaml);
  EXPECT_EQ(TenantName(policy->TenantForNamespace("fraud-ml")), "team-c");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("ops1")), "team-c");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("ops12")), "<none>");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("fraud-ml2")), "<none>");
}

TEST(PolicyLookupTest, ExemptNamespacesExactAndGlob) {
  auto policy = MustLoadPolicy(TestPolicyYaml());
  EXPECT_TRUE(policy->IsExemptNamespace("kube-system"));
  EXPECT_TRUE(policy->IsExemptNamespace("sandbox-1"));
  EXPECT_TRUE(policy->IsExemptNamespace("sandbox-"));
  EXPECT_FALSE(policy->IsExemptNamespace("sandbox"));
  EXPECT_FALSE(policy->IsExemptNamespace("kube-public"));
  EXPECT_FALSE(policy->IsExemptNamespace("team-a"));
}

TEST(PolicyLookupTest, TrustedUsersExactAndGlob) {
  auto policy = MustLoadPolicy(TestPolicyYaml());
  EXPECT_TRUE(policy->IsTrustedUser(kControllerUser));
  EXPECT_TRUE(policy->IsTrustedUser(kGitOpsUser));
  EXPECT_FALSE(policy->IsTrustedUser(kPlainUser));
  EXPECT_FALSE(policy->IsTrustedUser("system:serviceaccount:ack-system:other"));
  EXPECT_FALSE(policy->IsTrustedUser("system:serviceaccount:ack-system:ack-sagemaker-controller2"));
  EXPECT_FALSE(policy->IsTrustedUser(""));
}

// Every built-in family from the documentation, with a real size suffix.
TEST(PolicyLookupTest, BuiltInLocalStorageFamilies) {
  auto policy = MustLoadPolicy(TestPolicyYaml());
  for (const char* type :
       {"ml.c5d.xlarge",     "ml.c6gd.large",     "ml.c6id.2xlarge",    "ml.dl1.24xlarge",   "ml.g4dn.xlarge",
        "ml.g5.xlarge",      "ml.g6.2xlarge",     "ml.g6e.xlarge",      "ml.g7.4xlarge",     "ml.g7e.2xlarge",
        "ml.gr6.4xlarge",    "ml.i3en.xlarge",    "ml.m5d.large",       "ml.m6gd.large",     "ml.m6id.large",
        "ml.p3dn.24xlarge",  "ml.p4d.24xlarge",   "ml.p4de.24xlarge",   "ml.p5.48xlarge",    "ml.p5e.48xlarge",
        "ml.p5en.48xlarge",  "ml.p6-b200.48xlarge", "ml.p6-b300.48xlarge", "ml.p6e-gb200.36xlarge",
        "ml.r5d.large",      "ml.r6gd.large",     "ml.r6id.large",      "ml.r7gd.large",     "ml.trn1.2xlarge",
        "ml.trn1n.32xlarge", "ml.trn2.48xlarge"}) {
    EXPECT_TRUE(policy->HasLocalStorage(type)) << type;
  }
}

TEST(PolicyLookupTest, EbsOnlyInstanceTypes) {
  auto policy = MustLoadPolicy(TestPolicyYaml());
  for (const char* type : {"ml.m5.xlarge", "ml.m5.large", "ml.p3.2xlarge", "ml.p3.16xlarge", "ml.p2.xlarge",
                           "ml.inf1.xlarge", "ml.inf2.xlarge", "ml.t3.medium", "ml.t2.medium", "ml.t3.micro",
                           "ml.c5.xlarge", "ml.c6i.large", "ml.m6i.large", "ml.m6g.large", "ml.r5.large",
                           "ml.r7g.large", "ml.c7i.large", "ml.g4.xlarge", "ml.trn.xlarge", "",
                           "g4dn.xlarge"}) {
    EXPECT_FALSE(policy->HasLocalStorage(type)) << "'" << type << "'";
  }
}

TEST(PolicyLookupTest, PolicyAddsLocalStorageGlobs) {
  auto policy = MustLoadPolicy(TestPolicyYaml("localStorageInstanceTypes: [\"ml.x9*\", ml.m5.24xlarge]"));
  EXPECT_TRUE(policy->HasLocalStorage("ml.x9d.large"));
  EXPECT_TRUE(policy->HasLocalStorage("ml.m5.24xlarge"));
  EXPECT_FALSE(policy->HasLocalStorage("ml.m5.xlarge"));
  EXPECT_TRUE(policy->HasLocalStorage("ml.g4dn.xlarge"));  // built-ins stay
}

TEST(PolicyLookupTest, TenantKeysByPurpose) {
  auto policy = MustLoadPolicy(TestPolicyYaml());
  const Tenant* a = policy->TenantForNamespace("team-a");
  const Tenant* b = policy->TenantForNamespace("team-b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->keys.For(KeyPurpose::kVolume), kTeamAVolume);
  EXPECT_EQ(a->keys.For(KeyPurpose::kOutput), kTeamAOutput);
  EXPECT_EQ(b->keys.For(KeyPurpose::kVolume), kTeamBDefault);
  EXPECT_EQ(b->keys.For(KeyPurpose::kOutput), kTeamBDefault);
}

TEST(PolicyLookupTest, EnforcementAndRegionPerTenant) {
  auto policy = MustLoadPolicy(TestPolicyYaml("enforcement: audit"));
  EXPECT_EQ(policy->EnforcementFor(policy->TenantForNamespace("team-a")), Enforcement::kAudit);
  EXPECT_EQ(policy->EnforcementFor(policy->TenantForNamespace("team-c")), Enforcement::kWarn);
  EXPECT_EQ(policy->EnforcementFor(nullptr), Enforcement::kAudit);
  EXPECT_EQ(policy->RegionFor(*policy->TenantForNamespace("team-a")), "us-east-1");
  EXPECT_EQ(policy->RegionFor(*policy->TenantForNamespace("team-b")), "eu-west-1");
}

std::vector<std::string> Approvers(const Policy& policy, std::string_view key_text) {
  KeyParseResult parsed = ParseKeyReference(key_text);
  EXPECT_TRUE(parsed.key.has_value()) << key_text << ": " << parsed.error;
  std::vector<std::string> names;
  if (!parsed.key) return names;
  for (const Tenant* tenant : policy.TenantsApproving(key_text, *parsed.key)) names.push_back(tenant->name);
  return names;
}

TEST(PolicyLookupTest, TenantsApprovingKeysAndAllowedKeyGlobs) {
  auto policy = MustLoadPolicy(TestPolicyYaml());
  using Names = std::vector<std::string>;
  EXPECT_EQ(Approvers(*policy, kTeamADefault), Names{"team-a"});
  EXPECT_EQ(Approvers(*policy, kTeamAVolume), Names{"team-a"});
  EXPECT_EQ(Approvers(*policy, kTeamAAllowed), Names{"team-a"});
  EXPECT_EQ(Approvers(*policy, kTeamAWest), Names{"team-a"});
  EXPECT_EQ(Approvers(*policy, kTeamBDefault), Names{"team-b"});
  EXPECT_EQ(Approvers(*policy, kTeamBUsEast), Names{"team-b"});
  EXPECT_EQ(Approvers(*policy, kTeamCDefault), Names{"team-c"});
  EXPECT_EQ(Approvers(*policy, kUnknownKey), Names{});
  // Under keyReferences: arn a bare key ID approves nothing.
  EXPECT_EQ(Approvers(*policy, "aaaaaaaa-0000-4000-8000-000000000001"), Names{});
}

TEST(PolicyLookupTest, AnyReferencesApproveKeyIdsAndAliasNamesOfExactArns) {
  std::string yaml = TestPolicyYaml("keyReferences: any");
  yaml.replace(yaml.find(kTeamCDefault), std::string(kTeamCDefault).size(),
               "arn:aws:kms:us-east-1:777788889999:alias/team-c-data");
  yaml += "      allowedKeys: [alias/team-c-shared, cccccccc-2222-4000-8000-000000000001]\n";
  auto policy = MustLoadPolicy(yaml);
  using Names = std::vector<std::string>;
  EXPECT_EQ(Approvers(*policy, "aaaaaaaa-0000-4000-8000-000000000001"), Names{"team-a"});  // of kTeamADefault
  EXPECT_EQ(Approvers(*policy, "alias/team-c-data"), Names{"team-c"});
  EXPECT_EQ(Approvers(*policy, "arn:aws:kms:us-east-1:777788889999:alias/team-c-data"), Names{"team-c"});
  EXPECT_EQ(Approvers(*policy, "alias/team-c-shared"), Names{"team-c"});
  EXPECT_EQ(Approvers(*policy, "cccccccc-2222-4000-8000-000000000001"), Names{"team-c"});
  EXPECT_EQ(Approvers(*policy, "alias/team-c-other"), Names{});
  EXPECT_EQ(Approvers(*policy, "dddddddd-0000-4000-8000-000000000001"), Names{});
  // Key IDs inside allowedKeys globs are not exact ARNs: no bare-ID approval.
  EXPECT_EQ(Approvers(*policy, "aaaaaaaa-1111-4000-8000-000000000009"), Names{});
}

TEST(PolicyLookupTest, LookupsStayCorrectWithManyTenants) {
  std::string yaml = "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  defaultRegion: us-east-1\n  tenants:\n";
  for (int i = 0; i < 200; ++i) {
    char key[120];
    std::snprintf(key, sizeof key, "arn:aws:kms:us-east-1:111122223333:key/%08x-0000-4000-8000-000000000000", i);
    yaml += "    - name: t" + std::to_string(i) + "\n      namespaces: [ns-" + std::to_string(i) + ", \"glob-" +
            std::to_string(i) + "-*\"]\n      keys:\n        default: " + key + "\n";
  }
  auto policy = MustLoadPolicy(yaml);
  EXPECT_EQ(TenantName(policy->TenantForNamespace("ns-177")), "t177");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("glob-42-dev")), "t42");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("glob-4")), "<none>");
  EXPECT_EQ(TenantName(policy->TenantForNamespace("ns-200")), "<none>");
}

}  // namespace
}  // namespace keyward
