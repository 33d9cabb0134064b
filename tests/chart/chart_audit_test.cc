// The optional scheduled audit: off by default; when on, a CronJob running
// `keyward audit --in-cluster` with read-only RBAC on exactly the catalog,
// and list on namespaces (the context each object is judged with).
#include <set>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "policy/catalog/catalog.h"
#include "tests/chart/chart_support.h"

namespace keyward::testing {
namespace {

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

TEST(ChartAuditTest, BadValuesFailTheInstall) {
  EXPECT_NE(HelmTemplate({"--set", "audit.enabled=true", "--set", "audit.output=pdf"}).exit_code, 0);
  EXPECT_NE(HelmTemplate({"--set", "audit.failOn=always"}).exit_code, 0);
}

}  // namespace
}  // namespace keyward::testing
