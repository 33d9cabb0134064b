// The ValidatingAdmissionPolicy compiler's pieces: CEL text made safely from
// any value, globs as the same regular expressions, and every catalog row
// reaching the policies with no other change. (What the CEL decides is the
// differential test's subject: tests/vap.)
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/compile/cel_text.h"
#include "policy/compile/vap.h"
#include "tests/policy/test_support.h"

namespace keyward {
namespace {

using nlohmann::json;

TEST(CelTextTest, StringLiteralsEscapeQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(CelString("plain"), "'plain'");
  EXPECT_EQ(CelString("it's"), "'it\\'s'");
  EXPECT_EQ(CelString("a\\b"), "'a\\\\b'");
  EXPECT_EQ(CelString(std::string("x\ny\x01", 4)), "'x\\x0ay\\x01'");
}

TEST(CelTextTest, GlobsBecomeAnchoredRegularExpressions) {
  EXPECT_EQ(GlobRegex("team-a-*"), "^team-a-(?s:.*)$");
  EXPECT_EQ(GlobRegex("ml.p?d"), "^ml\\.p(?s:.)d$");
  EXPECT_EQ(GlobRegex("a+b(c)[d]{e}|^$\\"), "^a\\+b\\(c\\)\\[d\\]\\{e\\}\\|\\^\\$\\\\$");
}

TEST(CelTextTest, MembersThatAreNotIdentifiersAreIndexed) {
  EXPECT_EQ(CelMember("object", "spec"), "object.spec");
  EXPECT_EQ(CelMember("m", "services.k8s.aws/region"), "m['services.k8s.aws/region']");
  EXPECT_EQ(CelMember("m", "namespace"), "m['namespace']") << "a CEL reserved word";
  EXPECT_EQ(CelHas("m", "in"), "('in' in m)");
  EXPECT_EQ(CelHas("object", "spec"), "has(object.spec)");
}

TEST(CelTextTest, EveryParentGuardsEachStepAndWalksArraysWithAll) {
  const std::string cel = ForEveryParent("object", SplitFieldPath("spec.variants[].config.kmsKeyID"),
                                         [](const std::string& parent, std::string_view name) {
                                           return parent + "." + std::string(name) + " != ''";
                                         });
  EXPECT_EQ(cel, "!(has(object.spec) && has(object.spec.variants)) || object.spec.variants.all(e0, "
                 "!(has(e0.config)) || (e0.config.kmsKeyID != ''))");
}

// Data over branches: each key field and role field of the catalog has its
// validations, and the CEL names no tenant, key or namespace of the policy.
TEST(CompileVapTest, EveryCatalogFieldReachesThePoliciesAndThePolicyOnlyTheParams) {
  const std::shared_ptr<const Policy> policy =
      testing::MustLoadPolicy(testing::ReadFile(testing::FixturePath("policies/team-a-b.yaml")));
  const CompiledVap compiled = CompileVap(*policy, VapApiVersion::kV1);
  std::string keys, roles;
  json params;
  size_t bindings = 0;
  for (const json& object : compiled.objects) {
    if (object["kind"] == "ValidatingAdmissionPolicy") {
      EXPECT_EQ(object["apiVersion"], "admissionregistration.k8s.io/v1");
      EXPECT_EQ(object["spec"]["failurePolicy"], "Fail");
      const std::string text = object["spec"].dump();
      if (object["metadata"]["name"] == "keyward-keys") keys = text;
      if (object["metadata"]["name"] == "keyward-roles") roles = text;
      for (const char* fact : {"team-a", "team-b", "111122223333", "kube-system"}) {
        EXPECT_EQ(text.find(fact), std::string::npos) << fact << " is data: it belongs in the params";
      }
    }
    if (object["kind"] == "ValidatingAdmissionPolicyBinding") {
      ++bindings;
      EXPECT_EQ(object["spec"]["paramRef"]["parameterNotFoundAction"], "Deny");
      EXPECT_EQ(object["spec"]["validationActions"], json::array({"Deny"}));
    }
    if (object["kind"] == kParamsKind) params = object;
  }
  EXPECT_EQ(bindings, 5u);
  for (const CatalogKind& kind : Catalog()) {
    for (const KmsField& field : kind.fields) {
      EXPECT_NE(keys.find("at " + std::string(field.path) + ":"), std::string::npos) << kind.kind << " " << field.path;
    }
    for (const RoleField& field : kind.roles) {
      EXPECT_NE(roles.find("at " + std::string(field.path) + ":"), std::string::npos) << kind.kind << " " << field.path;
    }
  }
  EXPECT_EQ(params["spec"]["namespaceTenants"]["team-a"], json::array({"team-a"}));
  EXPECT_EQ(params["spec"]["keyOwners"]["arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab"],
            json::array({"team-a"}));
  EXPECT_EQ(params["spec"]["exemptNamespaces"], json::array({"^kube-system$"}));

  const CompiledVap beta = CompileVap(*policy, VapApiVersion::kV1beta1);
  EXPECT_EQ(beta.objects.back()["apiVersion"], "admissionregistration.k8s.io/v1beta1");
}

}  // namespace
}  // namespace keyward
