// The webhook configurations: which requests reach keyward, and how the
// apiserver treats keyward's answers and failures.
#include <algorithm>
#include <set>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "policy/catalog/catalog.h"
#include "tests/chart/chart_support.h"
#include "tests/chart/install_cases.h"

namespace keyward::testing {
namespace {

using ::testing::TestWithParam;

using GroupVersionResource = std::tuple<std::string, std::string, std::string>;

std::set<GroupVersionResource> CatalogResources() {
  std::set<GroupVersionResource> resources;
  for (const CatalogKind& kind : Catalog()) {
    resources.emplace(std::string(kind.group), std::string(kind.version), std::string(kind.resource));
  }
  return resources;
}

// The configuration's only webhook, with a test failure if it has more.
YAML::Node OnlyWebhook(const YAML::Node& configuration) {
  YAML::Node webhooks = configuration["webhooks"];
  EXPECT_TRUE(webhooks.IsSequence() && webhooks.size() == 1) << configuration["kind"];
  return webhooks.IsSequence() && webhooks.size() > 0 ? webhooks[0] : YAML::Node();
}

// The values of the kubernetes.io/metadata.name NotIn requirement.
std::vector<std::string> ExcludedNamespaces(const YAML::Node& webhook) {
  std::vector<std::string> excluded;
  int requirements = 0;
  for (const YAML::Node& requirement : At(webhook, "namespaceSelector.matchExpressions")) {
    if (requirement["key"].as<std::string>() != "kubernetes.io/metadata.name") continue;
    ++requirements;
    EXPECT_EQ(requirement["operator"].as<std::string>(), "NotIn");
    excluded = Strings(requirement["values"]);
  }
  EXPECT_EQ(requirements, 1) << "one kubernetes.io/metadata.name requirement expected";
  return excluded;
}

class WebhookInstallTest : public TestWithParam<InstallCase> {
 protected:
  const Objects& objects() const { return RenderedInstall(GetParam()); }
};

TEST_P(WebhookInstallTest, RulesAreExactlyTheCatalogKindsOnCreateAndUpdate) {
  const std::set<GroupVersionResource> expected = CatalogResources();
  ASSERT_FALSE(expected.empty());
  for (const char* kind : kConfigurationKinds) {
    SCOPED_TRACE(kind);
    YAML::Node webhook = OnlyWebhook(objects().One(kind, kFullname));
    std::set<GroupVersionResource> covered;
    for (const YAML::Node& rule : webhook["rules"]) {
      std::vector<std::string> operations = Strings(rule["operations"]);
      std::sort(operations.begin(), operations.end());
      EXPECT_EQ(operations, (std::vector<std::string>{"CREATE", "UPDATE"}));
      EXPECT_EQ(rule["scope"].as<std::string>(""), "Namespaced");
      for (const std::string& group : Strings(rule["apiGroups"])) {
        for (const std::string& version : Strings(rule["apiVersions"])) {
          for (const std::string& resource : Strings(rule["resources"])) {
            // No subresources (never */status) and no wildcards.
            EXPECT_EQ(resource.find_first_of("/*"), std::string::npos) << resource;
            EXPECT_TRUE(covered.emplace(group, version, resource).second) << "listed twice: " << group << "/"
                                                                          << version << "/" << resource;
          }
        }
      }
    }
    EXPECT_EQ(covered, expected) << "the chart's rules (templates/_catalog.tpl) differ from policy/catalog/catalog.cc";
  }
}

TEST_P(WebhookInstallTest, AlwaysExcludesItsOwnNamespaceAndKubeSystem) {
  for (const char* kind : kConfigurationKinds) {
    SCOPED_TRACE(kind);
    std::vector<std::string> excluded = ExcludedNamespaces(OnlyWebhook(objects().One(kind, kFullname)));
    EXPECT_EQ(excluded, (std::vector<std::string>{kNamespace, "kube-system"}));
  }
}

TEST_P(WebhookInstallTest, DefaultsAreTheSafeOnes) {
  YAML::Node service = objects().One("Service", kFullname);
  int webhook_service_port = 0;
  for (const YAML::Node& port : At(service, "spec.ports")) {
    if (port["name"].as<std::string>() == "webhook") webhook_service_port = port["port"].as<int>();
  }
  EXPECT_EQ(webhook_service_port, 443);

  for (const char* kind : kConfigurationKinds) {
    SCOPED_TRACE(kind);
    YAML::Node webhook = OnlyWebhook(objects().One(kind, kFullname));
    EXPECT_EQ(webhook["sideEffects"].as<std::string>(""), "None");
    EXPECT_EQ(Strings(webhook["admissionReviewVersions"]), (std::vector<std::string>{"v1", "v1beta1"}));
    EXPECT_EQ(webhook["failurePolicy"].as<std::string>(""), "Fail");
    EXPECT_EQ(webhook["timeoutSeconds"].as<int>(0), 5);
    EXPECT_EQ(webhook["matchPolicy"].as<std::string>(""), "Equivalent");
    EXPECT_FALSE(webhook["objectSelector"]) << "no objectSelector unless configured";

    YAML::Node target = At(webhook, "clientConfig.service");
    EXPECT_EQ(target["name"].as<std::string>(""), kFullname);
    EXPECT_EQ(target["namespace"].as<std::string>(""), kNamespace);
    EXPECT_EQ(target["port"].as<int>(0), webhook_service_port);
    bool mutating = std::string(kind) == "MutatingWebhookConfiguration";
    EXPECT_EQ(target["path"].as<std::string>(""), mutating ? "/mutate" : "/validate");
    if (mutating) {
      EXPECT_EQ(webhook["reinvocationPolicy"].as<std::string>(""), "IfNeeded");
    } else {
      EXPECT_FALSE(webhook["reinvocationPolicy"]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllInstalls, WebhookInstallTest, ::testing::ValuesIn(AllInstallCases()), InstallCaseName);

TEST(WebhookValuesTest, ConfiguredValuesReachBothWebhooks) {
  TempDir directory;
  WriteFile(directory.File("values.yaml"), R"(
webhooks:
  failurePolicy: Ignore
  timeoutSeconds: 12
  excludeNamespaces: [ack-system, kube-system, ml-sandbox]
  namespaceSelectorExpressions:
    - {key: keyward.dev/tenant, operator: Exists}
  objectSelector:
    matchLabels: {keyward.dev/managed: "true"}
)");
  Objects objects = MustRender({"-f", directory.File("values.yaml")});
  for (const char* kind : kConfigurationKinds) {
    SCOPED_TRACE(kind);
    YAML::Node webhook = OnlyWebhook(objects.One(kind, kFullname));
    EXPECT_EQ(webhook["failurePolicy"].as<std::string>(""), "Ignore");
    EXPECT_EQ(webhook["timeoutSeconds"].as<int>(0), 12);
    // The fixed exclusions stay; a repeated one is listed once.
    EXPECT_EQ(ExcludedNamespaces(webhook),
              (std::vector<std::string>{kNamespace, "kube-system", "ack-system", "ml-sandbox"}));
    YAML::Node expressions = At(webhook, "namespaceSelector.matchExpressions");
    ASSERT_EQ(expressions.size(), 2u);
    EXPECT_EQ(expressions[1]["key"].as<std::string>(), "keyward.dev/tenant");
    EXPECT_EQ(expressions[1]["operator"].as<std::string>(), "Exists");
    EXPECT_EQ(At(webhook, "objectSelector.matchLabels")["keyward.dev/managed"].as<std::string>(""), "true");
  }
}

TEST(WebhookValuesTest, EachWebhookCanBeTurnedOffAlone) {
  Objects validating_only = MustRender({"--set", "webhooks.mutating.enabled=false"});
  EXPECT_TRUE(validating_only.OfKind("MutatingWebhookConfiguration").empty());
  EXPECT_EQ(validating_only.OfKind("ValidatingWebhookConfiguration").size(), 1u);

  Objects mutating_only = MustRender({"--set", "webhooks.validating.enabled=false"});
  EXPECT_EQ(mutating_only.OfKind("MutatingWebhookConfiguration").size(), 1u);
  EXPECT_TRUE(mutating_only.OfKind("ValidatingWebhookConfiguration").empty());
}

}  // namespace
}  // namespace keyward::testing
