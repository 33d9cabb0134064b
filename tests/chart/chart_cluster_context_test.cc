// The cluster context (clusterContext.enabled, on by default): the webhook
// runs `keyward serve --in-cluster` with its service account token and may
// get, list and watch namespaces, nothing more; off, it calls no API and the
// chart renders no RBAC for it.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"

namespace keyward::testing {
namespace {

const std::string kRoleName = std::string(kFullname) + "-namespaces";

YAML::Node WebhookPod(const Objects& objects) {
  return At(objects.One("Deployment", kFullname), "spec.template.spec");
}

std::vector<std::string> WebhookArgs(const Objects& objects) {
  return Strings(WebhookPod(objects)["containers"][0]["args"]);
}

size_t CountOf(const std::vector<std::string>& values, const std::string& value) {
  return static_cast<size_t>(std::count(values.begin(), values.end(), value));
}

// The binding's only subject, with a test failure if it has more.
YAML::Node OnlySubject(const YAML::Node& binding) {
  YAML::Node subjects = binding["subjects"];
  EXPECT_TRUE(subjects.IsSequence() && subjects.size() == 1) << "one subject expected";
  return subjects.IsSequence() && subjects.size() > 0 ? subjects[0] : YAML::Node();
}

void ExpectBindsToAccount(const Objects& objects, const std::string& account) {
  YAML::Node binding = objects.One("ClusterRoleBinding", kRoleName);
  ASSERT_TRUE(binding.IsMap());
  EXPECT_EQ(At(binding, "roleRef.apiGroup").as<std::string>(""), "rbac.authorization.k8s.io");
  EXPECT_EQ(At(binding, "roleRef.kind").as<std::string>(""), "ClusterRole");
  EXPECT_EQ(At(binding, "roleRef.name").as<std::string>(""), kRoleName);
  YAML::Node subject = OnlySubject(binding);
  EXPECT_EQ(subject["kind"].as<std::string>(""), "ServiceAccount");
  EXPECT_EQ(subject["name"].as<std::string>(""), account);
  EXPECT_EQ(subject["namespace"].as<std::string>(""), kNamespace);
  EXPECT_EQ(WebhookPod(objects)["serviceAccountName"].as<std::string>(""), account)
      << "the binding must name the account the webhook pods run as";
}

TEST(ClusterContextTest, OnByDefaultTheServerWatchesNamespacesFromItsPod) {
  const Objects objects = MustRender({});
  const std::vector<std::string> args = WebhookArgs(objects);
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(args.front(), "serve");
  EXPECT_EQ(CountOf(args, "--in-cluster"), 1u);
  for (const std::string& arg : args) {
    EXPECT_NE(arg.rfind("--kubeconfig", 0), 0u) << "a pod reaches the API server --in-cluster: " << arg;
  }

  // The pod asks for the token; its account still mounts none by default.
  const YAML::Node pod = WebhookPod(objects);
  ASSERT_TRUE(pod["automountServiceAccountToken"].IsScalar());
  EXPECT_TRUE(pod["automountServiceAccountToken"].as<bool>(false));
  const YAML::Node account = objects.One("ServiceAccount", kFullname);
  ASSERT_TRUE(account.IsMap());
  EXPECT_FALSE(account["automountServiceAccountToken"].as<bool>(true));
}

TEST(ClusterContextTest, RoleGrantsExactlyGetListWatchOnNamespacesAndPipelines) {
  const Objects objects = MustRender({});
  const YAML::Node role = objects.One("ClusterRole", kRoleName);
  ASSERT_TRUE(role.IsMap());
  ASSERT_TRUE(role["rules"].IsSequence());
  ASSERT_EQ(role["rules"].size(), 2u);
  const std::vector<std::pair<std::string, std::string>> expected = {{"", "namespaces"},
                                                                     {"sagemaker.services.k8s.aws", "pipelines"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const YAML::Node rule = role["rules"][i];
    EXPECT_EQ(Strings(rule["apiGroups"]), std::vector<std::string>{expected[i].first});
    EXPECT_EQ(Strings(rule["resources"]), std::vector<std::string>{expected[i].second});
    EXPECT_EQ(Strings(rule["verbs"]), (std::vector<std::string>{"get", "list", "watch"}));
    EXPECT_FALSE(rule["resourceNames"]);
    EXPECT_FALSE(rule["nonResourceURLs"]);
  }
  EXPECT_FALSE(role["aggregationRule"]) << "nothing may add rules to it";
  ExpectBindsToAccount(objects, kFullname);
}

TEST(ClusterContextTest, BindingFollowsTheServiceAccountValues) {
  ExpectBindsToAccount(MustRender({"--set", "serviceAccount.name=keyward-webhook"}), "keyward-webhook");
  const Objects existing = MustRender({"--set", "serviceAccount.create=false", "--set", "serviceAccount.name=platform-sa"});
  EXPECT_TRUE(existing.OfKind("ServiceAccount").empty());
  ExpectBindsToAccount(existing, "platform-sa");
}

TEST(ClusterContextTest, OffTheServerCallsNoApiAndGetsNoRbac) {
  const Objects objects = MustRender({"--set", "clusterContext.enabled=false"});
  const std::vector<std::string> args = WebhookArgs(objects);
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(CountOf(args, "--in-cluster"), 0u);
  const YAML::Node pod = WebhookPod(objects);
  ASSERT_TRUE(pod["automountServiceAccountToken"].IsScalar()) << "explicitly off, not left to the account";
  EXPECT_FALSE(pod["automountServiceAccountToken"].as<bool>(true));
  EXPECT_TRUE(objects.OfKind("ClusterRole").empty());
  EXPECT_TRUE(objects.OfKind("ClusterRoleBinding").empty());
}

// The webhook and the audit CronJob have an account and a role each: the
// webhook cannot read SageMaker resources; the audit lists namespaces (the
// context it judges with) but watches nothing.
TEST(ClusterContextTest, WebhookAndAuditPermissionsStaySeparate) {
  const Objects objects = MustRender({"--set", "audit.enabled=true"});
  const std::string audit_name = std::string(kFullname) + "-audit";
  EXPECT_EQ(objects.OfKind("ClusterRole").size(), 2u);
  EXPECT_EQ(objects.OfKind("ClusterRoleBinding").size(), 2u);

  std::set<std::string> webhook_resources;
  for (const YAML::Node& rule : objects.One("ClusterRole", kRoleName)["rules"]) {
    for (const std::string& resource : Strings(rule["resources"])) webhook_resources.insert(resource);
  }
  std::vector<std::string> audit_namespace_verbs;
  for (const YAML::Node& rule : objects.One("ClusterRole", audit_name)["rules"]) {
    EXPECT_EQ(CountOf(Strings(rule["verbs"]), "watch"), 0u);
    if (CountOf(Strings(rule["resources"]), "namespaces") == 0) continue;
    for (const std::string& verb : Strings(rule["verbs"])) audit_namespace_verbs.push_back(verb);
  }
  EXPECT_EQ(webhook_resources, (std::set<std::string>{"namespaces", "pipelines"}));
  EXPECT_EQ(audit_namespace_verbs, std::vector<std::string>{"list"});

  ExpectBindsToAccount(objects, kFullname);
  EXPECT_EQ(OnlySubject(objects.One("ClusterRoleBinding", audit_name))["name"].as<std::string>(""), audit_name);
  const YAML::Node cron_pod = At(objects.One("CronJob", audit_name), "spec.jobTemplate.spec.template.spec");
  EXPECT_EQ(cron_pod["serviceAccountName"].as<std::string>(""), audit_name);
}

YAML::Node EgressRules(const Objects& objects) {
  const YAML::Node policy = objects.One("NetworkPolicy", kFullname);
  EXPECT_EQ(Strings(At(policy, "spec.policyTypes")), (std::vector<std::string>{"Ingress", "Egress"}));
  return At(policy, "spec.egress");
}

std::vector<int> TcpPorts(const YAML::Node& rule) {
  std::vector<int> ports;
  for (const YAML::Node& port : rule["ports"]) {
    EXPECT_EQ(port["protocol"].as<std::string>(""), "TCP");
    ports.push_back(port["port"].as<int>(0));
  }
  return ports;
}

TEST(ClusterContextTest, NetworkPolicyLetsOnlyTheApiServerOut) {
  const YAML::Node egress = EgressRules(MustRender({"--set", "networkPolicy.enabled=true"}));
  ASSERT_TRUE(egress.IsSequence());
  ASSERT_EQ(egress.size(), 1u);
  EXPECT_EQ(TcpPorts(egress[0]), (std::vector<int>{443, 6443}));
  EXPECT_FALSE(egress[0]["to"]) << "no peers given: any destination on those ports";

  const YAML::Node narrowed = EgressRules(
      MustRender({"--set", "networkPolicy.enabled=true", "--set", "networkPolicy.apiServer.to[0].ipBlock.cidr=10.0.0.10/32",
                  "--set", "networkPolicy.apiServer.ports={6443}"}));
  ASSERT_EQ(narrowed.size(), 1u);
  EXPECT_EQ(TcpPorts(narrowed[0]), std::vector<int>{6443});
  ASSERT_EQ(narrowed[0]["to"].size(), 1u);
  EXPECT_EQ(At(narrowed[0]["to"][0], "ipBlock.cidr").as<std::string>(""), "10.0.0.10/32");

  const YAML::Node closed = EgressRules(MustRender({"--set", "networkPolicy.enabled=true", "--set",
                                                    "clusterContext.enabled=false"}));
  ASSERT_TRUE(closed.IsSequence());
  EXPECT_EQ(closed.size(), 0u) << "without the cluster context keyward calls nothing";
}

}  // namespace
}  // namespace keyward::testing
