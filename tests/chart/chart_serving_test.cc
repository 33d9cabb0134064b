// The rendered install, run for real: keyward started with the chart's own
// arguments, policy and certificates answers its probes, serves TLS that
// the apiserver's caBundle trusts for the Service's name, and stops cleanly
// within the pod's grace period.
#include <string>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"
#include "tests/chart/local_install.h"
#include "tests/chart/x509_support.h"

namespace keyward::testing {
namespace {

// Everything the chart renders must work, so that the first pod becomes
// ready and the apiserver can reach it.
void ExpectServesWhatTheApiserverTrusts(const Objects& objects, const std::string& name,
                                        const std::string& service_host) {
  YAML::Node webhook = objects.One("ValidatingWebhookConfiguration", name)["webhooks"][0];
  std::string ca_pem = Base64Decode(At(webhook, "clientConfig.caBundle").as<std::string>(""));

  LocalInstall install(objects, name);
  ASSERT_TRUE(install.WaitUntilReady(std::chrono::seconds(20))) << install.Log();
  EXPECT_EQ(install.ProbeStatus(install.liveness_path()), 200);

  EXPECT_EQ(TlsHandshake(install.webhook_port(), ca_pem, service_host), "") << install.Log();
  EXPECT_NE(TlsHandshake(install.webhook_port(), ca_pem, "keyward.elsewhere.svc"), "")
      << "the certificate must not be valid for other names";

  EXPECT_EQ(install.Terminate(), 0) << "keyward must exit 0 within terminationGracePeriodSeconds\n" << install.Log();
}

TEST(ChartServingTest, SelfSignedInstallServesTlsTheApiserverTrusts) {
  // A short delay keeps the test quick; the grace period still has to cover it.
  Objects objects = MustRender({"--set", "server.shutdownDelaySeconds=1", "--set", "terminationGracePeriodSeconds=10"});
  ExpectServesWhatTheApiserverTrusts(objects, kFullname, std::string(kFullname) + "." + kNamespace + ".svc");
}

}  // namespace
}  // namespace keyward::testing
