// Fault drills under load: while keep-alive clients send continuously and
// check every answer, the certificate rotates, the policy flips between good
// and broken files, and the server gets SIGTERM. Nothing may fail.
#include <signal.h>

#include <iostream>
#include <set>
#include <thread>

#include "tests/support/load_client.h"
#include "tests/support/server_fixture.h"

namespace keyward::testing {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class FaultDrillTest : public ServerTest {};

void ExpectNoFailures(const LoadClient& client, const std::string& what) {
  EXPECT_EQ(client.failed(), 0) << what << ": " << ::testing::PrintToString(client.failures());
  EXPECT_GT(client.succeeded(), 0) << what << " sent nothing";
}

TEST_F(FaultDrillTest, RotatingTheCertificateTenTimesUnderLoadFailsNoRequest) {
  StartServer();
  LoadClient keep_alive(server_->admission_port());
  LoadClient reconnecting(server_->admission_port(), LoadClient::Reconnecting());
  std::this_thread::sleep_for(milliseconds(300));
  for (int i = 1; i <= 10; ++i) {
    const TestCertificate next = MakeSelfSignedCertificate("rotation-" + std::to_string(i));
    // Alternate atomic renames (key first: for a moment the pair does not
    // match) with in-place rewrites (for a moment each file is half there).
    if (i % 2 == 0) {
      ReplaceFile(key_path_, next.key_pem);
      std::this_thread::sleep_for(milliseconds(60));
      ReplaceFile(certificate_path_, next.certificate_pem);
    } else {
      RewriteInPlace(certificate_path_, next.certificate_pem);
      RewriteInPlace(key_path_, next.key_pem);
    }
    std::this_thread::sleep_for(milliseconds(300));
  }
  // The last pair serves new connections within a few reload intervals.
  std::string newest;
  const auto deadline = Clock::now() + seconds(5);
  while (Clock::now() < deadline && newest != "rotation-10") {
    std::string error;
    auto connection = TlsConnection::Open(server_->admission_port(), &error);
    ASSERT_NE(connection, nullptr) << error;
    newest = connection->PeerCommonName();
  }
  EXPECT_EQ(newest, "rotation-10");
  keep_alive.Stop();
  reconnecting.Stop();
  ExpectNoFailures(keep_alive, "the keep-alive client");
  ExpectNoFailures(reconnecting, "the reconnecting client");
  const std::vector<std::string> names = reconnecting.peer_names();
  const std::set<std::string> distinct(names.begin(), names.end());
  EXPECT_GE(distinct.size(), 5u) << "new connections did not follow the rotations";
  for (const std::string& name : distinct) {
    EXPECT_TRUE(name == certificate_.common_name || name.starts_with("rotation-"))
        << "served an unknown certificate: " << name;
  }
}

// Two good policies that differ only in team-a's keys. The keys are listed
// volume, output, default and team-a comes last, so no prefix of either
// file (a reader racing an in-place write) loads with other keys: it is
// malformed, or complete.
struct KeySet {
  std::string volume, output, fallback;
  std::string policy_fixture;  // in tests/fixtures/policies/
};
const KeySet kKeysA = {"arn:aws:kms:us-east-1:111122223333:key/0a0a0a0a-1a2b-4c3d-9e8f-0123456789ab",
                       "arn:aws:kms:us-east-1:111122223333:key/0b0b0b0b-1a2b-4c3d-9e8f-0123456789ab",
                       "arn:aws:kms:us-east-1:111122223333:key/0c0c0c0c-1a2b-4c3d-9e8f-0123456789ab",
                       "reload-drill-keys-a.yaml"};
const KeySet kKeysB = {"arn:aws:kms:us-east-1:111122223333:key/0d0d0d0d-1a2b-4c3d-9e8f-0123456789ab",
                       "arn:aws:kms:us-east-1:111122223333:key/0e0e0e0e-1a2b-4c3d-9e8f-0123456789ab",
                       "arn:aws:kms:us-east-1:111122223333:key/0f0f0f0f-1a2b-4c3d-9e8f-0123456789ab",
                       "reload-drill-keys-b.yaml"};

std::string PolicyWith(const KeySet& keys) { return PolicyFixture(keys.policy_fixture); }

std::vector<std::string> BrokenPolicies() {
  const std::string good = PolicyWith(kKeysB);
  return {
      "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec: [unclosed\n",           // not YAML
      good + "    unknownField: true\n",                                               // unknown field
      good.substr(0, good.find("0e0e0e0e") + 4),                                       // cut mid-key
      "",                                                                              // empty
      std::string("\x00\xff\xfe garbage \x01", 14),                                    // binary
      good.substr(0, good.rfind("namespaces: [team-a]")) + "namespaces: [team-b]\n"    // namespace claimed twice
          "      keys:\n        default: " + kKeysB.fallback + "\n",
  };
}

// Whether every key the answer injected is the one `keys` has for its field.
bool InjectedOnly(const AdmissionAnswer& answer, const KeySet& keys) {
  for (const auto& [pointer, value] : answer.patched) {
    const std::string& expected = pointer == "/spec/kmsKeyID" ? keys.volume : keys.output;
    if (value != expected) return false;
  }
  return true;
}

// "" when every injected key comes from one whole policy.
std::string WholePolicyProblem(const AdmissionAnswer& answer, std::atomic<long>* from_a, std::atomic<long>* from_b) {
  if (answer.patched.size() != kEndpointConfigKmsFields) {
    return "expected " + std::to_string(kEndpointConfigKmsFields) + " injected keys, got " +
           std::to_string(answer.patched.size());
  }
  auto matches = [&answer](const KeySet& keys) { return InjectedOnly(answer, keys); };
  if (matches(kKeysA)) {
    ++*from_a;
    return "";
  }
  if (matches(kKeysB)) {
    ++*from_b;
    return "";
  }
  std::string seen;
  for (const auto& [pointer, value] : answer.patched) seen += pointer + "=" + value + " ";
  return "keys from no single good policy: " + seen;
}

// Whether a new request gets every key of `keys` (and no others).
bool Serves(int port, const KeySet& keys) {
  const nlohmann::json object = EndpointConfigWithoutKeys("probe");
  std::string error;
  const auto http = PostOnce(port, "/mutate", CreateReview(object, "team-a", "probe"), kAnswerBound, &error);
  if (!http) return false;
  const AdmissionAnswer answer = ReadAdmissionAnswer(*http, "probe", object);
  return answer.error.empty() && answer.patched.size() == kEndpointConfigKmsFields && InjectedOnly(answer, keys);
}

double FailedPolicyReloads(int metrics_port) {
  const auto metrics = PlainGet(metrics_port, "/metrics");
  return metrics ? MetricValue(metrics->body, R"(keyward_policy_reloads_total{result="failure"})") : -1;
}

TEST_F(FaultDrillTest, ReplacingThePolicyHundredTimesWithGoodAndBrokenFilesFailsNoDecision) {
  StartServer({}, PolicyWith(kKeysA));
  std::atomic<long> from_a{0};
  std::atomic<long> from_b{0};
  auto check = [&](const AdmissionAnswer& answer) { return WholePolicyProblem(answer, &from_a, &from_b); };
  LoadClient first(server_->admission_port(), LoadClient::Checking(check));
  LoadClient second(server_->admission_port(), LoadClient::Checking(check));
  const std::vector<std::string> broken = BrokenPolicies();
  // The policy's directory, updated as the kubelet updates a ConfigMap.
  ProjectedVolume live_dir(dir_);
  for (int i = 0; i < 100; ++i) {
    const KeySet& good = i % 4 == 0 ? kKeysB : kKeysA;
    const std::string text = i % 2 == 1 ? broken[(i / 2) % broken.size()] : PolicyWith(good);
    const double failures = FailedPolicyReloads(server_->metrics_port());
    switch (i % 3) {
      case 0: ReplaceFile(policy_path_, text); break;
      case 1: live_dir.Publish({{"policy.yaml", text}}); break;
      default: RewriteInPlace(policy_path_, text); break;
    }
    // Until the server has read this file: a good one serves its keys (no
    // part of it loads with other keys), a broken one is a failed reload.
    const auto until = Clock::now() + seconds(5);
    while (Clock::now() < until && (i % 2 == 1 ? FailedPolicyReloads(server_->metrics_port()) <= failures
                                               : !Serves(server_->admission_port(), good))) {
      std::this_thread::sleep_for(milliseconds(10));
    }
  }
  first.Stop();
  second.Stop();
  ExpectNoFailures(first, "client 1");
  ExpectNoFailures(second, "client 2");
  // Both good policies served: the drill really reloaded under load.
  EXPECT_GT(from_a.load(), 0);
  EXPECT_GT(from_b.load(), 0);
  const auto metrics = PlainGet(server_->metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("keyward_policy_reloads_total{result=\"failure\"}"), std::string::npos);
  const auto ready = PlainGet(server_->metrics_port(), "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200) << "a broken file must not make the server unready";
}

TEST_F(FaultDrillTest, SigtermUnderLoadFailsNoRequestInFlightAndExitsZero) {
  constexpr auto kShutdownDelay = milliseconds(1500);
  StartServer({"--shutdown-delay", "1500ms"});
  std::vector<std::unique_ptr<LoadClient>> clients;
  const auto clients_started = Clock::now();
  for (int i = 0; i < 4; ++i) clients.push_back(std::make_unique<LoadClient>(server_->admission_port()));
  std::this_thread::sleep_for(milliseconds(500));

  // A request whose body is still arriving when the listener closes.
  std::string error;
  auto slow = TlsConnection::Open(server_->admission_port(), &error);
  ASSERT_NE(slow, nullptr) << error;
  const nlohmann::json object = EndpointConfigWithoutKeys("slow");
  const std::string request = PostRequest("/mutate", CreateReview(object, "team-a", "slow-upload"));
  std::thread uploader([&] {
    const size_t piece = request.size() / 10 + 1;
    for (size_t at = 0; at < request.size(); at += piece) {
      slow->Write(request.substr(at, piece));
      std::this_thread::sleep_for(milliseconds(250));  // 10 pieces: 2.5 s, past the delay
    }
  });
  std::this_thread::sleep_for(milliseconds(200));
  long answered_before = 0;
  for (const auto& client : clients) answered_before += client->succeeded();
  const auto sigterm = Clock::now();
  server_->Signal(SIGTERM);
  std::cout << "SIGTERM " << std::chrono::duration_cast<milliseconds>(sigterm - clients_started).count()
            << " ms after the clients started\n";
  std::this_thread::sleep_for(milliseconds(300));
  const auto ready = PlainGet(server_->metrics_port(), "/readyz");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 503) << "readiness must fail as soon as shutdown starts";

  uploader.join();
  const auto http = slow->ReadResponse(kAnswerBound);
  ASSERT_TRUE(http.has_value()) << "the in-flight upload got no answer: " << slow->last_error();
  const AdmissionAnswer answer = ReadAdmissionAnswer(*http, "slow-upload", object);
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.patched.size(), kEndpointConfigKmsFields);

  const int status = server_->WaitForExit(kShutdownDelay + seconds(15)).value_or(-1);
  const auto exited_after = std::chrono::duration_cast<milliseconds>(Clock::now() - sigterm);
  for (const auto& client : clients) client->Stop();
  EXPECT_EQ(status, 0) << server_->Log();
  EXPECT_GE(exited_after, kShutdownDelay) << "stopped before the shutdown delay";
  EXPECT_LT(exited_after, kShutdownDelay + seconds(15));
  long answered_after = 0;
  for (const auto& client : clients) {
    ExpectNoFailures(*client, "a load client");
    answered_after += client->succeeded();
  }
  EXPECT_GT(answered_after, answered_before) << "nothing was answered during the shutdown delay";
  EXPECT_EQ(server_->SanitizerReport(), "");
}

}  // namespace
}  // namespace keyward::testing
