// The Deployment and what surrounds it: pod security, availability, probes,
// shutdown, and the policy that reaches the pods.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"
#include "tests/chart/install_cases.h"
#include "tests/support/keyward_process.h"

namespace keyward::testing {
namespace {

using ::testing::TestWithParam;

// "--name=value" arguments of the keyward container, by name.
std::map<std::string, std::string> ContainerFlags(const YAML::Node& container) {
  std::map<std::string, std::string> flags;
  for (const std::string& arg : Strings(container["args"])) {
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) flags[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  return flags;
}

int PortOf(const std::string& host_port) { return std::stoi(host_port.substr(host_port.rfind(':') + 1)); }

std::map<std::string, int> NamedPorts(const YAML::Node& container) {
  std::map<std::string, int> ports;
  for (const YAML::Node& port : container["ports"]) ports[port["name"].as<std::string>()] = port["containerPort"].as<int>();
  return ports;
}

YAML::Node MountAt(const YAML::Node& container, const std::string& volume) {
  for (const YAML::Node& mount : container["volumeMounts"]) {
    if (mount["name"].as<std::string>() == volume) return mount;
  }
  ADD_FAILURE() << "no volumeMount for " << volume;
  return YAML::Node();
}

class DeploymentInstallTest : public TestWithParam<InstallCase> {
 protected:
  void SetUp() override {
    deployment_.reset(objects().One("Deployment", kFullname));
    ASSERT_TRUE(deployment_.IsMap());
    pod_.reset(At(deployment_, "spec.template.spec"));
    ASSERT_EQ(pod_["containers"].size(), 1u);
    container_.reset(pod_["containers"][0]);
  }
  const Objects& objects() const { return RenderedInstall(GetParam()); }

  YAML::Node deployment_, pod_, container_;
};

TEST_P(DeploymentInstallTest, PodRunsLockedDown) {
  EXPECT_EQ(At(deployment_, "spec.replicas").as<int>(), GetParam().replicas);

  YAML::Node pod_security = pod_["securityContext"];
  EXPECT_TRUE(pod_security["runAsNonRoot"].as<bool>(false));
  EXPECT_GT(pod_security["runAsUser"].as<int>(0), 0);
  EXPECT_EQ(At(pod_security, "seccompProfile.type").as<std::string>(""), "RuntimeDefault");
  // The token only for the namespace watch (--in-cluster, on by default).
  const std::vector<std::string> args = Strings(container_["args"]);
  const bool in_cluster = std::find(args.begin(), args.end(), "--in-cluster") != args.end();
  EXPECT_TRUE(in_cluster) << "clusterContext is on by default";
  EXPECT_TRUE(pod_["automountServiceAccountToken"].IsScalar()) << "said explicitly";
  EXPECT_EQ(pod_["automountServiceAccountToken"].as<bool>(!in_cluster), in_cluster);
  EXPECT_FALSE(pod_["hostNetwork"].as<bool>(false));
  EXPECT_FALSE(pod_["hostPID"].as<bool>(false));

  YAML::Node container_security = container_["securityContext"];
  EXPECT_TRUE(container_security["runAsNonRoot"].as<bool>(false));
  EXPECT_TRUE(container_security["readOnlyRootFilesystem"].as<bool>(false));
  EXPECT_FALSE(container_security["allowPrivilegeEscalation"].as<bool>(true));
  EXPECT_FALSE(container_security["privileged"].as<bool>(true));
  EXPECT_EQ(Strings(At(container_security, "capabilities.drop")), std::vector<std::string>{"ALL"});
  EXPECT_TRUE(At(container_security, "capabilities.add").IsNull());
  EXPECT_EQ(At(container_security, "seccompProfile.type").as<std::string>(""), "RuntimeDefault");

  for (const char* quantity : {"requests.cpu", "requests.memory", "limits.memory"}) {
    EXPECT_FALSE(At(container_["resources"], quantity).as<std::string>("").empty()) << quantity;
  }

  YAML::Node account = objects().One("ServiceAccount", pod_["serviceAccountName"].as<std::string>(""));
  EXPECT_FALSE(account["automountServiceAccountToken"].as<bool>(true));
}

TEST_P(DeploymentInstallTest, DisruptionBudgetOnlyWithSeveralReplicas) {
  std::vector<YAML::Node> budgets = objects().OfKind("PodDisruptionBudget");
  if (GetParam().replicas == 1) {
    EXPECT_TRUE(budgets.empty()) << "a PDB over one replica blocks node drains";
    return;
  }
  ASSERT_EQ(budgets.size(), 1u);
  EXPECT_EQ(At(budgets[0], "spec.minAvailable").as<int>(), 1);
  EXPECT_TRUE(SameYaml(At(budgets[0], "spec.selector"), At(deployment_, "spec.selector")))
      << "the PDB must select the Deployment's pods";
}

TEST_P(DeploymentInstallTest, ReplicasSpreadOverNodesAndZones) {
  YAML::Node selector = At(deployment_, "spec.selector.matchLabels");
  YAML::Node pod_labels = At(deployment_, "spec.template.metadata.labels");
  for (const auto& label : selector) {
    EXPECT_EQ(pod_labels[label.first.as<std::string>()].as<std::string>(""), label.second.as<std::string>())
        << "the selector must match the pods";
  }
  YAML::Node anti_affinity = At(pod_, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution");
  ASSERT_EQ(anti_affinity.size(), 1u);
  EXPECT_EQ(At(anti_affinity[0], "podAffinityTerm.topologyKey").as<std::string>(""), "kubernetes.io/hostname");
  EXPECT_TRUE(SameYaml(At(anti_affinity[0], "podAffinityTerm.labelSelector.matchLabels"), selector));

  YAML::Node spread = pod_["topologySpreadConstraints"];
  ASSERT_EQ(spread.size(), 1u);
  EXPECT_EQ(spread[0]["topologyKey"].as<std::string>(""), "topology.kubernetes.io/zone");
  EXPECT_EQ(spread[0]["whenUnsatisfiable"].as<std::string>(""), "ScheduleAnyway");
  EXPECT_TRUE(SameYaml(At(spread[0], "labelSelector.matchLabels"), selector));

  EXPECT_EQ(At(deployment_, "spec.strategy.rollingUpdate.maxUnavailable").as<int>(-1), 0);
}

TEST_P(DeploymentInstallTest, ProbesUseThePlainPortAndShutdownFitsTheGracePeriod) {
  EXPECT_EQ(Strings(container_["args"]).front(), "serve");
  std::map<std::string, std::string> flags = ContainerFlags(container_);
  std::map<std::string, int> ports = NamedPorts(container_);
  ASSERT_TRUE(flags.count("listen") && flags.count("metrics-listen") && flags.count("shutdown-delay"));
  EXPECT_EQ(PortOf(flags["listen"]), ports["webhook"]);
  EXPECT_EQ(PortOf(flags["metrics-listen"]), ports["metrics"]);

  EXPECT_EQ(At(container_, "livenessProbe.httpGet.path").as<std::string>(""), "/healthz");
  EXPECT_EQ(At(container_, "readinessProbe.httpGet.path").as<std::string>(""), "/readyz");
  for (const char* probe : {"livenessProbe", "readinessProbe"}) {
    EXPECT_EQ(At(container_[probe], "httpGet.port").as<std::string>(""), "metrics") << probe;
    EXPECT_TRUE(At(container_[probe], "httpGet.scheme").IsNull()) << probe << " must be plain HTTP";
  }

  const std::string& delay = flags["shutdown-delay"];
  ASSERT_EQ(delay.back(), 's');
  EXPECT_GT(pod_["terminationGracePeriodSeconds"].as<int>(), std::stoi(delay.substr(0, delay.size() - 1)));

  YAML::Node service = objects().One("Service", kFullname);
  for (const YAML::Node& port : At(service, "spec.ports")) {
    std::string target = port["targetPort"].as<std::string>();
    EXPECT_TRUE(ports.count(target)) << "Service targets unknown port " << target;
  }
}

TEST_P(DeploymentInstallTest, PolicyAndCertificatesAreMountedAsDirectoriesSoUpdatesArrive) {
  std::map<std::string, std::string> flags = ContainerFlags(container_);
  YAML::Node policy_mount = MountAt(container_, "policy");
  YAML::Node tls_mount = MountAt(container_, "tls");
  // A subPath mount is never updated by the kubelet: no hot reload.
  EXPECT_TRUE(At(policy_mount, "subPath").IsNull());
  EXPECT_TRUE(At(tls_mount, "subPath").IsNull());
  EXPECT_EQ(flags["policy"], policy_mount["mountPath"].as<std::string>() + "/policy.yaml");
  EXPECT_EQ(flags["tls-cert"], tls_mount["mountPath"].as<std::string>() + "/tls.crt");
  EXPECT_EQ(flags["tls-key"], tls_mount["mountPath"].as<std::string>() + "/tls.key");

  std::string config_map_name;
  for (const YAML::Node& volume : pod_["volumes"]) {
    if (volume["name"].as<std::string>() == "policy") config_map_name = At(volume, "configMap.name").as<std::string>("");
  }
  YAML::Node config_map = objects().One("ConfigMap", config_map_name);
  EXPECT_FALSE(At(config_map, "data")["policy.yaml"].as<std::string>("").empty());
  EXPECT_TRUE(At(deployment_, "spec.template.metadata.annotations").IsNull())
      << "no checksum annotations: a policy edit must reload, not restart the pods";
}

INSTANTIATE_TEST_SUITE_P(AllInstalls, DeploymentInstallTest, ::testing::ValuesIn(AllInstallCases()),
                         InstallCaseName);

// `keyward policy lint` on the policy a rendered ConfigMap holds.
RunResult LintConfigMapPolicy(const Objects& objects, const TempDir& directory) {
  YAML::Node config_map = objects.One("ConfigMap", std::string(kFullname) + "-policy");
  std::string path = directory.File("policy.yaml");
  WriteFile(path, At(config_map, "data")["policy.yaml"].as<std::string>(""));
  return RunKeyward({"policy", "lint", path}, directory.File("lint.log"));
}

TEST(PolicyConfigMapTest, DefaultPolicyIsValid) {
  TempDir directory;
  RunResult lint = LintConfigMapPolicy(MustRender({}), directory);
  EXPECT_TRUE(lint.finished) << lint.why;
  EXPECT_EQ(lint.exit_status, 0) << lint.output;
}

TEST(PolicyConfigMapTest, ValuesPolicyReachesThePodsVerbatim) {
  TempDir directory;
  // Valid YAML and a KeyPolicy, so the chart accepts it; the bad enum is
  // for keyward to find.
  const std::string policy =
      "apiVersion: keyward.dev/v1alpha1\n"
      "kind: KeyPolicy\n"
      "spec:\n"
      "  defaultRegion: us-east-1\n"
      "  enforcement: sometimes\n"
      "  tenants:\n"
      "    - name: ml\n"
      "      namespaces: [ml]\n"
      "      keys:\n"
      "        default: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n";
  WriteFile(directory.File("values-policy.yaml"), policy);
  Objects objects = MustRender({"--set-file", "policy=" + directory.File("values-policy.yaml")});
  YAML::Node config_map = objects.One("ConfigMap", std::string(kFullname) + "-policy");
  EXPECT_EQ(At(config_map, "data")["policy.yaml"].as<std::string>(""), policy);

  RunResult lint = LintConfigMapPolicy(objects, directory);
  EXPECT_TRUE(lint.finished) << lint.why;
  EXPECT_NE(lint.exit_status, 0) << "keyward accepted a policy with enforcement: sometimes";
  EXPECT_NE(lint.output.find("enforcement"), std::string::npos) << lint.output;
}

}  // namespace
}  // namespace keyward::testing
