// The rendered install, run for real: keyward started with the chart's own
// arguments, policy and certificates answers its probes, serves TLS that
// the apiserver's caBundle trusts for the Service's name, and stops cleanly
// within the pod's grace period.
#include <string>

#include <gtest/gtest.h>

#include "tests/chart/chart_support.h"
#include "tests/chart/local_install.h"

namespace keyward::testing {
namespace {

TEST(ChartServingTest, SelfSignedInstallServesTlsTheApiserverTrusts) {
  // A short delay keeps the test quick; the grace period still has to cover it.
  Objects objects = MustRender({"--set", "server.shutdownDelaySeconds=1", "--set", "terminationGracePeriodSeconds=10"});
  ExpectServesWhatTheApiserverTrusts(objects, kFullname, std::string(kFullname) + "." + kNamespace + ".svc");
}

}  // namespace
}  // namespace keyward::testing
