// The optional scheduled audit: off by default; when on, a CronJob running
// `keyward audit --in-cluster` with read-only RBAC on exactly the catalog,
// and list on namespaces (the context each object is judged with).
#include <algorithm>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "policy/catalog/catalog.h"
#include "policy/model/namespace_info.h"
#include "tests/chart/chart_support.h"

namespace keyward::testing {
namespace {

const std::string kAuditName = std::string(kFullname) + "-audit";

LabelMap Labels(const YAML::Node& map) {
  LabelMap labels;
  if (!map.IsMap()) return labels;
  for (const auto& entry : map) labels.emplace(entry.first.as<std::string>(), entry.second.as<std::string>());
  return labels;
}

// A Service's `selector` map, or a LabelSelector (matchLabels and
// matchExpressions), with Kubernetes' matching rules.
LabelSelector Selector(const YAML::Node& node, bool service_style = false) {
  LabelSelector selector;
  if (service_style) {
    selector.match_labels = Labels(node);
    return selector;
  }
  selector.match_labels = Labels(At(node, "matchLabels"));
  for (const YAML::Node& expression : At(node, "matchExpressions")) {
    const std::string word = expression["operator"].as<std::string>("");
    const SelectorOperator* op = ValueOf<SelectorOperator>(kSelectorOperatorWords, word);
    EXPECT_NE(op, nullptr) << "operator " << word;
    if (op == nullptr) continue;
    selector.match_expressions.push_back({expression["key"].as<std::string>(""), *op, Strings(expression["values"])});
  }
  return selector;
}

LabelMap AuditPodLabels(const Objects& objects) {
  return Labels(At(objects.One("CronJob", kAuditName), "spec.jobTemplate.spec.template.metadata.labels"));
}

LabelMap WebhookPodLabels(const Objects& objects) {
  return Labels(At(objects.One("Deployment", kFullname), "spec.template.metadata.labels"));
}

std::string Describe(const LabelMap& labels) {
  std::string text;
  for (const auto& [key, value] : labels) text += key + "=" + value + " ";
  return text;
}

TEST(ChartAuditTest, OffByDefault) {
  const Objects objects = MustRender({});
  EXPECT_TRUE(objects.OfKind("CronJob").empty());
  // The webhook's own (cluster context) RBAC remains.
  const std::string name = std::string(kFullname) + "-audit";
  for (const char* kind : {"ServiceAccount", "ClusterRole", "ClusterRoleBinding"}) {
    for (const YAML::Node& object : objects.OfKind(kind)) {
      EXPECT_NE(At(object, "metadata.name").as<std::string>(""), name) << kind;
    }
  }
}

TEST(ChartAuditTest, CronJobReadsTheCatalogWithReadOnlyRbac) {
  const Objects objects = MustRender({"--set", "audit.enabled=true", "--set", "audit.output=openreports"});
  const std::string name = std::string(kFullname) + "-audit";
  const YAML::Node cron = objects.One("CronJob", name);
  ASSERT_TRUE(cron.IsMap());
  EXPECT_EQ(At(cron, "metadata.namespace").as<std::string>(""), kNamespace);
  EXPECT_EQ(At(cron, "spec.concurrencyPolicy").as<std::string>(""), "Forbid");
  const YAML::Node pod = At(cron, "spec.jobTemplate.spec.template.spec");
  EXPECT_EQ(At(pod, "serviceAccountName").as<std::string>(""), name);
  EXPECT_EQ(At(pod, "restartPolicy").as<std::string>(""), "Never");
  const YAML::Node container = pod["containers"][0];
  const std::vector<std::string> args = Strings(container["args"]);
  for (const char* arg : {"audit", "--in-cluster", "--policy=/etc/keyward/policy/policy.yaml", "--output=openreports",
                          "--fail-on=none"}) {
    EXPECT_NE(std::find(args.begin(), args.end(), arg), args.end()) << arg;
  }
  EXPECT_EQ(At(container, "securityContext.readOnlyRootFilesystem").as<bool>(false), true);
  EXPECT_EQ(At(container, "securityContext.allowPrivilegeEscalation").as<bool>(true), false);
  EXPECT_FALSE(At(container, "resources.limits.memory").as<std::string>("").empty());

  // get and list on every catalog resource, list on namespaces, nothing else.
  const YAML::Node role = objects.One("ClusterRole", name);
  std::set<std::tuple<std::string, std::string, std::string>> granted;
  for (const YAML::Node& rule : role["rules"]) {
    for (const std::string& group : Strings(rule["apiGroups"])) {
      for (const std::string& resource : Strings(rule["resources"])) {
        for (const std::string& verb : Strings(rule["verbs"])) granted.emplace(group, resource, verb);
      }
    }
  }
  std::set<std::tuple<std::string, std::string, std::string>> expected = {{"", "namespaces", "list"}};
  for (const CatalogKind& kind : Catalog()) {
    for (const char* verb : {"get", "list"}) expected.emplace(std::string(kind.group), std::string(kind.resource), verb);
  }
  EXPECT_EQ(granted, expected);
  const YAML::Node binding = objects.One("ClusterRoleBinding", name);
  EXPECT_EQ(At(binding, "roleRef.name").as<std::string>(""), name);
  EXPECT_EQ(binding["subjects"][0]["name"].as<std::string>(""), name);
  EXPECT_EQ(binding["subjects"][0]["namespace"].as<std::string>(""), kNamespace);
  EXPECT_TRUE(objects.One("ServiceAccount", name).IsMap());
}

// The webhook's Service, PodDisruptionBudget and NetworkPolicy (and the
// Deployment's own selector and spreading rules) select the webhook pods and
// never an audit pod: a running audit must not become one of the Service's
// endpoints, count as an available webhook replica, or fall under the
// webhook's NetworkPolicy. The webhook's selectors are those of earlier
// releases, so `helm upgrade` keeps the Deployment's immutable selector.
TEST(ChartAuditTest, WebhookSelectorsMatchTheWebhookPodsOnly) {
  // With nameOverride the objects keep their names (fullnameOverride); the
  // audit's name label must still differ, and stay a valid label value.
  const std::vector<std::vector<std::string>> variants = {
      {},
      {"--set", std::string("fullnameOverride=") + kFullname, "--set", "nameOverride=" + std::string(63, 'n')},
      {"--set", std::string("fullnameOverride=") + kFullname, "--set", "nameOverride=keyward-audit"},
  };
  for (const std::vector<std::string>& variant : variants) {
    std::vector<std::string> args = {"--set", "audit.enabled=true", "--set", "networkPolicy.enabled=true"};
    args.insert(args.end(), variant.begin(), variant.end());
    const Objects objects = MustRender(args);
    const std::string context = variant.empty() ? "defaults" : variant.back();
    SCOPED_TRACE(context);

    const YAML::Node deployment = objects.One("Deployment", kFullname);
    const YAML::Node pod = At(deployment, "spec.template.spec");
    const std::vector<std::pair<std::string, LabelSelector>> selectors = {
        {"Service", Selector(At(objects.One("Service", kFullname), "spec.selector"), /*service_style=*/true)},
        {"PodDisruptionBudget", Selector(At(objects.One("PodDisruptionBudget", kFullname), "spec.selector"))},
        {"NetworkPolicy", Selector(At(objects.One("NetworkPolicy", kFullname), "spec.podSelector"))},
        {"Deployment", Selector(At(deployment, "spec.selector"))},
        {"podAntiAffinity",
         Selector(At(pod, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution")[0]["podAffinityTerm"]
                      ["labelSelector"])},
        {"topologySpreadConstraints", Selector(pod["topologySpreadConstraints"][0]["labelSelector"])},
    };
    const LabelMap webhook = WebhookPodLabels(objects);
    const LabelMap audit = AuditPodLabels(objects);
    ASSERT_FALSE(webhook.empty());
    ASSERT_FALSE(audit.empty());
    for (const auto& [what, selector] : selectors) {
      EXPECT_FALSE(selector.match_labels.empty()) << what << " must select something";
      EXPECT_TRUE(selector.Matches(webhook)) << what << " must select the webhook pods: " << Describe(webhook);
      EXPECT_FALSE(selector.Matches(audit)) << what << " must not select the audit pods: " << Describe(audit);
    }

    if (variant.empty()) {
      const LabelMap earlier = {{"app.kubernetes.io/name", "keyward"}, {"app.kubernetes.io/instance", kRelease}};
      for (const auto& [what, selector] : selectors) EXPECT_EQ(selector.match_labels, earlier) << what;
    }
    EXPECT_EQ(audit.at("app.kubernetes.io/component"), "audit");
    EXPECT_EQ(audit.at("app.kubernetes.io/instance"), kRelease);
    const std::regex label_value("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    for (const auto& [key, value] : audit) EXPECT_TRUE(std::regex_match(value, label_value)) << key << "=" << value;
  }
}

// With networkPolicy.enabled the audit pods get their own policy: nothing
// may reach them, and they may reach the API server (as the webhook may,
// from the same networkPolicy.apiServer values), with or without the
// cluster context.
TEST(ChartAuditTest, NetworkPolicyLetsTheAuditReachOnlyTheApiServer) {
  const auto audit_policy = [](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--set", "audit.enabled=true", "--set", "networkPolicy.enabled=true"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Objects objects = MustRender(args);
    EXPECT_EQ(objects.OfKind("NetworkPolicy").size(), 2u);
    const YAML::Node policy = objects.One("NetworkPolicy", kAuditName);
    EXPECT_EQ(At(policy, "metadata.namespace").as<std::string>(""), kNamespace);
    const LabelSelector selector = Selector(At(policy, "spec.podSelector"));
    EXPECT_TRUE(selector.Matches(AuditPodLabels(objects)));
    EXPECT_FALSE(selector.Matches(WebhookPodLabels(objects)));
    EXPECT_EQ(Strings(At(policy, "spec.policyTypes")), (std::vector<std::string>{"Ingress", "Egress"}));
    const YAML::Node ingress = At(policy, "spec.ingress");
    EXPECT_TRUE(ingress.IsSequence() && ingress.size() == 0) << "no ingress at all";
    return At(policy, "spec.egress");
  };

  const YAML::Node egress = audit_policy({});
  ASSERT_TRUE(egress.IsSequence());
  ASSERT_EQ(egress.size(), 1u);
  ASSERT_EQ(egress[0]["ports"].size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(egress[0]["ports"][i]["protocol"].as<std::string>(""), "TCP");
  EXPECT_EQ(egress[0]["ports"][0]["port"].as<int>(0), 443);
  EXPECT_EQ(egress[0]["ports"][1]["port"].as<int>(0), 6443);
  EXPECT_FALSE(egress[0]["to"]) << "no peers given: any destination on those ports";

  const std::vector<std::string> narrowing = {"--set", "networkPolicy.apiServer.to[0].ipBlock.cidr=10.0.0.10/32",
                                              "--set", "networkPolicy.apiServer.ports={6443}"};
  const YAML::Node narrowed = audit_policy(narrowing);
  std::vector<std::string> webhook_args = {"--set", "networkPolicy.enabled=true"};
  webhook_args.insert(webhook_args.end(), narrowing.begin(), narrowing.end());
  const YAML::Node webhook = At(MustRender(webhook_args).One("NetworkPolicy", kFullname), "spec.egress");
  EXPECT_TRUE(SameYaml(narrowed, webhook)) << "the same API server rule as the webhook's";
  ASSERT_EQ(narrowed.size(), 1u);
  EXPECT_EQ(At(narrowed[0]["to"][0], "ipBlock.cidr").as<std::string>(""), "10.0.0.10/32");

  // The audit reads the API server whether or not the webhook watches namespaces.
  EXPECT_TRUE(SameYaml(audit_policy({"--set", "clusterContext.enabled=false"}), egress));

  EXPECT_TRUE(MustRender({"--set", "audit.enabled=true"}).OfKind("NetworkPolicy").empty());
  EXPECT_EQ(MustRender({"--set", "networkPolicy.enabled=true"}).OfKind("NetworkPolicy").size(), 1u);
}

TEST(ChartAuditTest, BadValuesFailTheInstall) {
  EXPECT_NE(HelmTemplate({"--set", "audit.enabled=true", "--set", "audit.output=pdf"}).exit_code, 0);
  EXPECT_NE(HelmTemplate({"--set", "audit.failOn=always"}).exit_code, 0);
}

}  // namespace
}  // namespace keyward::testing
