// /readyz says ready only when every request would be decided on a good
// snapshot.
#include "webhook/server/readiness.h"

#include <gtest/gtest.h>

#include "tests/support/certificates.h"
#include "tests/support/files.h"

namespace keyward {
namespace {

using testing::PolicyFixturePath;
using testing::TempDir;
using testing::TestCertificateAuthority;

TEST(ReadinessTest, ReadyOnlyOnceThePolicyAndTheCertificateAreLoadedAndUntilShutdown) {
  TempDir dir;
  TestCertificateAuthority authority;
  authority.Issue(dir.File("tls.crt"), dir.File("tls.key"), "keyward");
  ServerMetrics metrics;
  PolicyStore policies(PolicyFixturePath("team-a-b.yaml"), &metrics);
  CredentialStore credentials(dir.File("tls.crt"), dir.File("tls.key"), &metrics);
  std::atomic<bool> draining{false};
  const ReadinessSources sources{&draining, &policies, &credentials, nullptr};

  EXPECT_EQ(NotReadyBecause(sources), "no policy is loaded");
  ASSERT_TRUE(policies.LoadInitial().ok());
  EXPECT_EQ(NotReadyBecause(sources), "no serving certificate is loaded");
  ASSERT_TRUE(credentials.LoadInitial().ok());
  EXPECT_EQ(NotReadyBecause(sources), "");
  draining = true;
  EXPECT_EQ(NotReadyBecause(sources), "shutting down");
}

TEST(ReadinessTest, AFailedLoadLeavesItNotReady) {
  TempDir dir;
  testing::WriteFile(dir.File("policy.yaml"), "apiVersion: keyward.io/v1\nkind: Nonsense\n");
  ServerMetrics metrics;
  PolicyStore policies(dir.File("policy.yaml"), &metrics);
  CredentialStore credentials(dir.File("missing.crt"), dir.File("missing.key"), &metrics);
  std::atomic<bool> draining{false};
  EXPECT_FALSE(policies.LoadInitial().ok());
  EXPECT_FALSE(credentials.LoadInitial().ok());
  EXPECT_EQ(NotReadyBecause({&draining, &policies, &credentials, nullptr}), "no policy is loaded");
}

}  // namespace
}  // namespace keyward
