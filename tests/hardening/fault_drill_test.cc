// Fault drills under load: while keep-alive clients send continuously and
// check every answer, the certificate rotates, the policy flips between good
// and broken files, and the server gets SIGTERM. Nothing may fail.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/hardening/load_client.h"
#include "tests/hardening/server_test_fixture.h"

namespace keyward::hardening {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class FaultDrillTest : public ServerTest {};

void ExpectNoFailures(const LoadClient& client, const std::string& what) {
  EXPECT_EQ(client.failed(), 0) << what << ": " << ::testing::PrintToString(client.failures());
  EXPECT_GT(client.succeeded(), 0) << what << " sent nothing";
}

// Replaces `name` in `dir` the way kubelet updates a mounted ConfigMap or
// Secret: the file is a symlink into ..data, and ..data, a symlink to a
// fresh timestamped directory, is swapped with one rename.
void SwapConfigMapStyle(const fs::path& dir, const std::string& name, const std::string& text, int generation) {
  const std::string data_dir = "..data_" + std::to_string(generation);
  fs::create_directory(dir / data_dir);
  {
    std::ofstream out(dir / data_dir / name, std::ios::binary);
    out << text;
  }
  fs::create_directory_symlink(data_dir, dir / "..data_tmp");
  fs::rename(dir / "..data_tmp", dir / "..data");
  if (!fs::is_symlink(dir / name)) {
    fs::create_symlink(fs::path("..data") / name, dir / (name + ".link"));
    fs::rename(dir / (name + ".link"), dir / name);
  }
}

TEST_F(FaultDrillTest, RotatingTheCertificateTenTimesUnderLoadFailsNoRequest) {
  StartServer();
  LoadClient keep_alive(server_->port());
  LoadClient reconnecting(server_->port(), LoadClient::Reconnecting());
  std::this_thread::sleep_for(milliseconds(300));
  for (int i = 1; i <= 10; ++i) {
    const TestCertificate next = MakeSelfSignedCertificate("rotation-" + std::to_string(i));
    // Alternate atomic renames (key first: for a moment the pair does not
    // match) with in-place rewrites (for a moment each file is half there).
    if (i % 2 == 0) {
      ReplaceFile(server_->key_path(), next.key_pem);
      std::this_thread::sleep_for(milliseconds(60));
      ReplaceFile(server_->certificate_path(), next.certificate_pem);
    } else {
      RewriteInPlace(server_->certificate_path(), next.certificate_pem);
      RewriteInPlace(server_->key_path(), next.key_pem);
    }
    std::this_thread::sleep_for(milliseconds(300));
  }
  // The last pair serves new connections within a few reload intervals.
  std::string newest;
  const auto deadline = Clock::now() + seconds(5);
  while (Clock::now() < deadline && newest != "rotation-10") {
    std::string error;
    auto connection = TlsConnection::Open(server_->port(), &error);
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
    EXPECT_TRUE(name == "initial" || name.starts_with("rotation-")) << "served an unknown certificate: " << name;
  }
}

// Two good policies that differ only in team-a's keys. The keys are listed
// volume, output, default and team-a comes last, so no prefix of either
// file (a reader racing an in-place write) loads with other keys: it is
// malformed, or complete.
struct KeySet {
  std::string volume, output, fallback;
};
const KeySet kKeysA = {"arn:aws:kms:us-east-1:111122223333:key/0a0a0a0a-1a2b-4c3d-9e8f-0123456789ab",
                       "arn:aws:kms:us-east-1:111122223333:key/0b0b0b0b-1a2b-4c3d-9e8f-0123456789ab",
                       "arn:aws:kms:us-east-1:111122223333:key/0c0c0c0c-1a2b-4c3d-9e8f-0123456789ab"};
const KeySet kKeysB = {"arn:aws:kms:us-east-1:111122223333:key/0d0d0d0d-1a2b-4c3d-9e8f-0123456789ab",
                       "arn:aws:kms:us-east-1:111122223333:key/0e0e0e0e-1a2b-4c3d-9e8f-0123456789ab",
                       "arn:aws:kms:us-east-1:111122223333:key/0f0f0f0f-1a2b-4c3d-9e8f-0123456789ab"};

std::string PolicyWith(const KeySet& keys) {
  return R"(apiVersion: keyward.dev/v1alpha1
kind: KeyPolicy
spec:
  defaultRegion: us-east-1
  tenants:
    - name: team-b
      namespaces: [team-b]
      keys:
        default: arn:aws:kms:us-east-1:444455556666:key/7c9d2e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5
    - name: team-a
      namespaces: [team-a]
      keys:
        volume: )" + keys.volume + R"(
        output: )" + keys.output + R"(
        default: )" + keys.fallback + "\n";
}

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

// "" when every injected key comes from one whole policy.
std::string WholePolicyProblem(const AdmissionAnswer& answer, std::atomic<long>* from_a, std::atomic<long>* from_b) {
  if (answer.patched.size() != kEndpointConfigKmsFields) {
    return "expected " + std::to_string(kEndpointConfigKmsFields) + " injected keys, got " +
           std::to_string(answer.patched.size());
  }
  auto matches = [&answer](const KeySet& keys) {
    for (const auto& [pointer, value] : answer.patched) {
      const std::string& expected = pointer == "/spec/kmsKeyID" ? keys.volume : keys.output;
      if (value != expected) return false;
    }
    return true;
  };
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

TEST_F(FaultDrillTest, ReplacingThePolicyHundredTimesWithGoodAndBrokenFilesFailsNoDecision) {
  StartServer({}, PolicyWith(kKeysA));
  std::atomic<long> from_a{0};
  std::atomic<long> from_b{0};
  auto check = [&](const AdmissionAnswer& answer) { return WholePolicyProblem(answer, &from_a, &from_b); };
  LoadClient first(server_->port(), LoadClient::Checking(check));
  LoadClient second(server_->port(), LoadClient::Checking(check));
  const std::vector<std::string> broken = BrokenPolicies();
  const fs::path live_dir = server_->policy_path().parent_path();
  for (int i = 0; i < 100; ++i) {
    const std::string text = i % 2 == 1 ? broken[(i / 2) % broken.size()] : PolicyWith(i % 4 == 0 ? kKeysB : kKeysA);
    switch (i % 3) {
      case 0: ReplaceFile(server_->policy_path(), text); break;
      case 1: SwapConfigMapStyle(live_dir, "policy.yaml", text, i); break;
      default: RewriteInPlace(server_->policy_path(), text); break;
    }
    std::this_thread::sleep_for(milliseconds(120));
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
  for (int i = 0; i < 4; ++i) clients.push_back(std::make_unique<LoadClient>(server_->port()));
  std::this_thread::sleep_for(milliseconds(500));

  // A request whose body is still arriving when the listener closes.
  std::string error;
  auto slow = TlsConnection::Open(server_->port(), &error);
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

  const int status = server_->WaitForExit(kShutdownDelay + seconds(15));
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
}  // namespace keyward::hardening
