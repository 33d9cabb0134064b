// Bad values fail the install with a message naming what to fix, and the
// chart passes helm lint in every TLS mode.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"
#include "tests/chart/install_cases.h"

namespace keyward::testing {
namespace {

struct BadValues {
  std::string name;
  std::vector<std::string> args;
  std::string message_mentions;  // what the error must name, e.g. a dotted values path
};

// Helm 3.17 names a value by its dotted path, later versions by a JSON
// pointer ('/tls/mode'); either names it.
bool Mentions(const std::string& message, const std::string& what) {
  std::string pointer = "/" + what;
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  return message.find(what) != std::string::npos || message.find(pointer) != std::string::npos;
}

void PrintTo(const BadValues& bad, std::ostream* out) { *out << bad.name; }

class BadValuesTest : public ::testing::TestWithParam<BadValues> {};

TEST_P(BadValuesTest, InstallFailsNamingTheValue) {
  ProcessResult result = HelmTemplate(GetParam().args);
  EXPECT_NE(result.exit_code, 0) << "helm template accepted " << GetParam().name;
  EXPECT_TRUE(Mentions(result.error_output, GetParam().message_mentions)) << result.error_output;
  EXPECT_TRUE(result.output.empty()) << "nothing may be rendered from bad values";
}

const BadValues kBadValues[] = {
    // Caught by values.schema.json.
    {"UnknownTlsMode", {"--set", "tls.mode=letsEncrypt"}, "tls.mode"},
    {"LowercaseFailurePolicy", {"--set", "webhooks.failurePolicy=fail"}, "webhooks.failurePolicy"},
    {"TimeoutAboveApiserverLimit", {"--set", "webhooks.timeoutSeconds=31"}, "webhooks.timeoutSeconds"},
    {"ZeroTimeout", {"--set", "webhooks.timeoutSeconds=0"}, "webhooks.timeoutSeconds"},
    {"NoReplicas", {"--set", "replicaCount=0"}, "replicaCount"},
    {"MisspeltTopLevelKey", {"--set", "replicas=3"}, "replicas"},
    {"MisspeltNestedKey", {"--set", "webhooks.failurePolicies=Ignore"}, "failurePolicies"},
    {"RootUser", {"--set", "securityContext.runAsUser=0"}, "securityContext.runAsUser"},
    {"ExistingSecretWithoutName", {"--set", "tls.mode=existingSecret"}, "tls.existingSecret.name"},
    {"CaBundleAsPemNotBase64",
     {"--set", "tls.mode=existingSecret", "--set", "tls.existingSecret.name=tls", "--set",
      "tls.existingSecret.caBundle=-----BEGIN CERTIFICATE-----"},
     "tls.existingSecret.caBundle"},
    {"ExcludedNamespaceNotADnsLabel", {"--set", "webhooks.excludeNamespaces[0]=Team_A"}, "webhooks.excludeNamespaces"},
    {"NoMemoryLimit", {"--set", "resources.limits=null"}, "resources"},
    {"LogFormatTypo", {"--set", "server.logFormat=jsonl"}, "server.logFormat"},
    {"BadCertDuration", {"--set", "tls.certManager.duration=1year"}, "tls.certManager.duration"},
    {"EmptyPolicy", {"--set", "policy="}, "policy"},
    {"RemovedCertificateValidity", {"--set", "tls.selfSigned.validityDays=null"}, "validityDays"},
    {"ClusterContextNotBoolean", {"--set", "clusterContext.enabled=yes"}, "clusterContext.enabled"},
    {"ClusterContextQuotedBoolean", {"--set-string", "clusterContext.enabled=true"}, "clusterContext.enabled"},
    {"ClusterContextAsBoolean", {"--set", "clusterContext=false"}, "clusterContext"},
    {"ApiServerPortZero", {"--set", "networkPolicy.apiServer.ports[0]=0"}, "networkPolicy.apiServer.ports"},
    // Caught by the chart's own checks (values.schema.json cannot compare).
    {"GracePeriodNotAfterShutdownDelay",
     {"--set", "terminationGracePeriodSeconds=5", "--set", "server.shutdownDelaySeconds=5"},
     "terminationGracePeriodSeconds"},
    {"SamePortTwice", {"--set", "server.metricsPort=8443"}, "server.metricsPort"},
    {"BothWebhooksOff",
     {"--set", "webhooks.mutating.enabled=false", "--set", "webhooks.validating.enabled=false"},
     "webhooks.mutating.enabled"},
    {"PolicyNotYaml", {"--set", "policy=kind: [KeyPolicy"}, "policy is not valid YAML"},
    {"PolicyOfAnotherKind", {"--set", "policy=kind: ConfigMap"}, "KeyPolicy"},
};

INSTANTIATE_TEST_SUITE_P(Schema, BadValuesTest, ::testing::ValuesIn(kBadValues),
                         [](const ::testing::TestParamInfo<BadValues>& info) { return info.param.name; });

class HelmLintTest : public ::testing::TestWithParam<InstallCase> {};

TEST_P(HelmLintTest, LintIsClean) {
  std::string helm = HelmPath();
  ASSERT_FALSE(helm.empty());
  TempDir home;
  std::vector<std::string> argv = {helm, "lint", "--strict", SourcePath("charts/keyward")};
  for (const std::string& value : InstallValues(GetParam())) argv.push_back(value);
  ProcessResult result = RunProcess(argv, HelmEnvironment(home));
  EXPECT_EQ(result.exit_code, 0) << result.output << result.error_output;
  EXPECT_NE(result.output.find("0 chart(s) failed"), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(AllInstalls, HelmLintTest, ::testing::ValuesIn(AllInstallCases()), InstallCaseName);

}  // namespace
}  // namespace keyward::testing
