// Hot reloads without a restart: the policy file (edited in place, broken,
// swapped the ConfigMap way) and the serving certificate (rotated while a
// keep-alive connection keeps sending).
#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/support/fixture_keys.h"
#include "tests/support/server_fixture.h"
#include "tests/support/tls_client.h"

namespace keyward::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kRotatedKey = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555";
// How long the tests wait for a reload before giving up. The server checks
// files every --reload-interval, so a reload lands within about one
// interval; the generous limit keeps a loaded CI machine from failing them.
constexpr auto kReloadDeadline = std::chrono::seconds(10);
// With --reload-interval 500ms a new policy serves within 2 s; the check
// allows for a slow machine but fails a watcher that ignores the interval.
constexpr auto kPromptReload = std::chrono::seconds(5);

std::string PolicyWithTeamAKey(const std::string& key) {
  std::string text = PolicyFixture(ServerTest::kPolicyFixture);
  text.replace(text.find(kTeamAKey), std::string(kTeamAKey).size(), key);
  return text;
}

class ReloadTest : public ServerTest {
 protected:
  // The key /mutate currently injects into a team-a TrainingJob.
  std::string InjectedKey() {
    const json review = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
    HttpResult result = PostReview("/mutate", review);
    if (result.status != 200) return "HTTP " + std::to_string(result.status);
    const json object = review["request"]["object"].patch(DecodePatch(result.json));
    return object["spec"]["resourceConfig"].value("volumeKMSKeyID", "");
  }

  // Polls until InjectedKey() is `key`; returns how long it took.
  std::optional<Clock::duration> WaitForInjectedKey(const std::string& key) {
    const auto start = Clock::now();
    while (Clock::now() - start < kReloadDeadline) {
      if (InjectedKey() == key) return Clock::now() - start;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

  double Reloads(const char* result) {
    return MetricValue(Metrics(), std::string("keyward_policy_reloads_total{result=\"") + result + "\"}");
  }

  // Polls until Reloads(result) reaches `count` (or kReloadDeadline passes).
  void WaitForReloads(const char* result, double count) {
    const auto deadline = Clock::now() + kReloadDeadline;
    while (Reloads(result) < count && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Serial of the certificate a new connection is given.
  long ServedSerial() {
    std::string error;
    auto connection =
        TlsConnection::Open(server_->admission_port(), TlsOptions().Trusting(ca_path_), milliseconds(10'000), &error);
    return connection != nullptr ? connection->PeerCertificateSerial() : -1;
  }

  bool WaitForServedSerial(long serial) {
    const auto deadline = Clock::now() + kReloadDeadline;
    while (Clock::now() < deadline) {
      if (ServedSerial() == serial) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

TEST_F(ReloadTest, AnEditedPolicyIsLiveWithinTwoSeconds) {
  StartServer({"--reload-interval", "500ms"});
  ASSERT_EQ(InjectedKey(), kTeamAKey);
  // The gauge is a Unix time with sub-millisecond digits, and the reload
  // comes at least one poll after the file is replaced: later than this
  // without waiting.
  const double before = MetricValue(Metrics(), "keyward_policy_last_reload_success_timestamp_seconds");
  ReplaceFile(policy_path_, PolicyWithTeamAKey(kRotatedKey));
  auto took = WaitForInjectedKey(kRotatedKey);
  ASSERT_TRUE(took) << server_->Log();
  EXPECT_LE(*took, kPromptReload);
  EXPECT_EQ(Reloads("success"), 1);
  EXPECT_EQ(Reloads("failure"), 0);
  EXPECT_GT(MetricValue(Metrics(), "keyward_policy_last_reload_success_timestamp_seconds"), before);
  EXPECT_TRUE(server_->WaitForLog("\"msg\":\"policy reloaded\""));
}

TEST_F(ReloadTest, ABrokenPolicyIsRefusedAndTheLastGoodOneKeepsServing) {
  StartServer();
  // Valid YAML, invalid policy: the same namespace claimed twice.
  std::string conflicting = PolicyFixture(kPolicyFixture);
  conflicting.replace(conflicting.find("namespaces: [team-b]"), 20, "namespaces: [team-a]");
  for (const std::string& broken : {std::string("spec: [unclosed"), conflicting, std::string()}) {
    const double failures = Reloads("failure");
    ReplaceFile(policy_path_, broken);
    WaitForReloads("failure", failures + 1);
    EXPECT_EQ(Reloads("failure"), failures + 1) << broken;
    EXPECT_EQ(InjectedKey(), kTeamAKey);
    EXPECT_EQ(GetOps("/readyz").status, 200);
  }
  EXPECT_TRUE(server_->WaitForLog("policy reload failed; the previous policy keeps serving"));
  EXPECT_NE(server_->Log().find("policy.yaml:"), std::string::npos) << "the error names the file and line";
  // Deleting the file is a failed load too, not an empty policy.
  const double failures = Reloads("failure");
  std::filesystem::remove(policy_path_);
  WaitForReloads("failure", failures + 1);
  EXPECT_EQ(InjectedKey(), kTeamAKey);
  // Fixing the file brings the new policy in.
  ReplaceFile(policy_path_, PolicyWithTeamAKey(kRotatedKey));
  EXPECT_TRUE(WaitForInjectedKey(kRotatedKey)) << server_->Log();
  EXPECT_EQ(Reloads("success"), 1);
}

TEST_F(ReloadTest, AConfigMapSymlinkSwapIsPickedUp) {
  ProjectedVolume volume(Path("configmap"));
  volume.Publish({{"policy.yaml", PolicyFixture(kPolicyFixture)}});
  policy_path_ = volume.Path("policy.yaml");
  StartServer({"--reload-interval", "500ms"});
  ASSERT_EQ(InjectedKey(), kTeamAKey);
  volume.Publish({{"policy.yaml", PolicyWithTeamAKey(kRotatedKey)}});
  auto took = WaitForInjectedKey(kRotatedKey);
  ASSERT_TRUE(took) << server_->Log();
  EXPECT_LE(*took, kPromptReload);
  // And again: the watcher follows the new target, not the old one.
  volume.Publish({{"policy.yaml", PolicyFixture(kPolicyFixture)}});
  EXPECT_TRUE(WaitForInjectedKey(kTeamAKey));
}

TEST_F(ReloadTest, CertificateRotationKeepsKeepAliveConnections) {
  ProjectedVolume secret(Path("secret"));
  secret.Publish({{"tls.crt", ReadFile(certificate_path_)}, {"tls.key", ReadFile(key_path_)}});
  const long first_serial = SerialOfCertificateFile(certificate_path_);
  certificate_path_ = secret.Path("tls.crt");
  key_path_ = secret.Path("tls.key");
  // One connection for the whole test, however many requests it sends.
  StartServer({"--keep-alive-max-requests", "1000000"});

  auto kept = Connect();
  ASSERT_NE(kept, nullptr);
  ASSERT_EQ(kept->PeerCertificateSerial(), first_serial);
  const std::string body = LoadReviewFixture("TrainingJob/01-create-base.mutating.json").dump();

  // Another client keeps sending over its own keep-alive connection while
  // the certificate rotates underneath.
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::atomic<int> failed{0};
  std::thread sender([&] {
    auto connection = Connect();
    while (!stop) {
      std::optional<HttpResponse> response;
      if (connection != nullptr) response = connection->Post("/mutate", body);
      if (response && response->status == 200) {
        ++sent;
      } else {
        ++failed;
        return;
      }
    }
  });

  const long second_serial = ca_.Issue(Path("next.crt"), Path("next.key"), "keyward-second");
  secret.Publish({{"tls.crt", ReadFile(Path("next.crt"))}, {"tls.key", ReadFile(Path("next.key"))}});
  EXPECT_TRUE(WaitForServedSerial(second_serial)) << server_->Log();
  const int sent_at_rotation = sent;
  const auto until = Clock::now() + std::chrono::seconds(5);
  while (sent <= sent_at_rotation + 10 && failed == 0 && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  sender.join();
  EXPECT_EQ(failed, 0);
  EXPECT_GT(sent, sent_at_rotation) << "the keep-alive connection kept working after the rotation";

  // The connection opened before the rotation still works, on its old pair.
  const std::optional<HttpResponse> response = kept->Post("/mutate", body);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(kept->PeerCertificateSerial(), first_serial);
  EXPECT_EQ(MetricValue(Metrics(), R"(keyward_tls_certificate_reloads_total{result="success"})"), 1);
  EXPECT_EQ(MetricValue(Metrics(), R"(keyward_tls_certificate_reloads_total{result="failure"})"), 0);
}

TEST_F(ReloadTest, AMismatchedPairKeepsTheOldCertificate) {
  StartServer();
  const long first_serial = ServedSerial();
  ASSERT_GT(first_serial, 0);
  ca_.Issue(Path("other.crt"), Path("other.key"), "keyward-other");
  // The new key with the old certificate: refused as a pair.
  ReplaceFile(key_path_, ReadFile(Path("other.key")));
  const auto deadline = Clock::now() + kReloadDeadline;
  const std::string failures = R"(keyward_tls_certificate_reloads_total{result="failure"})";
  while (MetricValue(Metrics(), failures) < 1 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(MetricValue(Metrics(), failures), 1);
  EXPECT_TRUE(server_->WaitForLog("does not match the certificate"));
  EXPECT_EQ(ServedSerial(), first_serial);
  EXPECT_EQ(PostReview("/mutate", LoadReviewFixture("TrainingJob/01-create-base.mutating.json")).status, 200);
  // Completing the pair brings it in.
  ReplaceFile(certificate_path_, ReadFile(Path("other.crt")));
  EXPECT_TRUE(WaitForServedSerial(SerialOfCertificateFile(Path("other.crt"))));
}

}  // namespace
}  // namespace keyward::testing
