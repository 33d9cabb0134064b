// Starting and stopping: startup refuses bad input with a clear message and
// a non-zero exit; SIGTERM drains (readiness fails, requests are still
// answered for the shutdown delay, in-flight requests finish) and exits 0.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/support/server_fixture.h"
#include "tests/support/tls_client.h"

namespace keyward::testing {
namespace {

using Clock = std::chrono::steady_clock;

class LifecycleTest : public ServerTest {
 protected:
  RunResult Serve(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"};
    args.insert(args.end(), flags.begin(), flags.end());
    return RunKeyward(args, Path("command.log"));
  }
  std::vector<std::string> Files() const {
    return {"--policy", policy_path_, "--tls-cert", certificate_path_, "--tls-key", key_path_};
  }
};

TEST_F(LifecycleTest, StartupFailsFastOnABadPolicy) {
  ReplaceFile(policy_path_, "apiVersion: keyward.dev/v1alpha1\nkind: KeyPolicy\nspec:\n  tenants: []\n");
  RunResult result = Serve(Files());
  EXPECT_EQ(result.exit_status, 2) << result.output;
  EXPECT_NE(result.output.find("the policy did not load"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("policy.yaml:"), std::string::npos) << result.output;

  policy_path_ = Path("missing.yaml");
  result = Serve(Files());
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.output.find("missing.yaml"), std::string::npos) << result.output;
}

TEST_F(LifecycleTest, StartupFailsFastOnABadCertificateOrKey) {
  std::ofstream(Path("garbage.pem")) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  std::string original_certificate = certificate_path_;
  certificate_path_ = Path("garbage.pem");
  RunResult result = Serve(Files());
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.output.find("garbage.pem: not a PEM certificate"), std::string::npos) << result.output;

  certificate_path_ = original_certificate;
  ca_.Issue(Path("other.crt"), Path("other.key"), "other");
  key_path_ = Path("other.key");
  result = Serve(Files());
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.output.find("does not match the certificate"), std::string::npos) << result.output;
  // The key's contents never reach the output.
  std::ifstream key(key_path_);
  std::string line;
  std::getline(key, line);
  std::getline(key, line);  // first base64 line of the key
  EXPECT_EQ(result.output.find(line), std::string::npos);

  key_path_ = Path("absent.key");
  result = Serve(Files());
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.output.find("absent.key"), std::string::npos) << result.output;
}

TEST_F(LifecycleTest, StartupFailsFastOnBadFlags) {
  auto flags = Files();
  flags.insert(flags.end(), {"--shutdown-delay", "soon"});
  RunResult result = Serve(flags);
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.output.find("--shutdown-delay"), std::string::npos) << result.output;

  result = RunKeyward({"serve", "--listen", "127.0.0.1:99999", "--policy", policy_path_, "--tls-cert",
                       certificate_path_, "--tls-key", key_path_},
                      Path("command.log"));
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.output.find("--listen"), std::string::npos) << result.output;
}

TEST_F(LifecycleTest, StartupFailsWhenThePortIsTaken) {
  StartServer();
  const std::string taken = "127.0.0.1:" + std::to_string(server_->admission_port());
  RunResult result = RunKeyward({"serve", "--listen", taken, "--metrics-listen", "127.0.0.1:0", "--policy",
                                 policy_path_, "--tls-cert", certificate_path_, "--tls-key", key_path_},
                                Path("command.log"));
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_NE(result.output.find("cannot listen on 127.0.0.1"), std::string::npos) << result.output;
}

TEST_F(LifecycleTest, SigtermDrainsThenExitsZero) {
  StartServer({"--shutdown-delay", "3s"});
  const std::string body = LoadReviewFixture("TrainingJob/01-create-base.mutating.json").dump();

  // A request in flight across the whole shutdown: headers and half the
  // body now, the rest once the listeners are closing.
  auto in_flight = Connect();
  ASSERT_NE(in_flight, nullptr);
  const std::string request = PostRequest("/mutate", body);
  const size_t half = request.size() - body.size() / 2;
  ASSERT_TRUE(in_flight->Write(request.substr(0, half)));

  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&] {
      while (!stop) {
        auto client = Client();
        HttpResult result = Post(*client, "/mutate", body);
        if (result.status == 200) {
          ++answered;
        } else if (result.status != 0) {
          ++wrong;  // any HTTP answer but 200 is a bug; refused connections are expected at the end
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
    });
  }
  // Until the clients are being answered.
  for (const auto until = Clock::now() + std::chrono::seconds(10); answered == 0 && Clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto signalled = Clock::now();
  server_->Signal(SIGTERM);

  // Readiness fails at once; requests are still answered during the delay.
  const auto ready_deadline = signalled + std::chrono::seconds(2);
  while (GetOps("/readyz").status != 503 && Clock::now() < ready_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(GetOps("/readyz").status, 503);
  // Well inside the 3 s delay, whose end is checked below.
  const int answered_at_signal = answered;
  while (answered == answered_at_signal && Clock::now() < signalled + std::chrono::seconds(2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(answered, answered_at_signal) << "requests are answered during the shutdown delay";
  EXPECT_EQ(GetOps("/healthz").status, 200);

  ASSERT_TRUE(server_->WaitForLog("closing the listeners", std::chrono::seconds(10)));
  EXPECT_GE(Clock::now() - signalled, std::chrono::seconds(3));
  ASSERT_TRUE(in_flight->Write(request.substr(half)));
  const std::optional<HttpResponse> response = in_flight->ReadResponse();
  ASSERT_TRUE(response.has_value()) << "the in-flight request was dropped";
  EXPECT_EQ(response->status, 200);

  EXPECT_EQ(server_->WaitForExit(std::chrono::seconds(10)), 0) << server_->Log();
  stop = true;
  for (auto& client : clients) client.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(answered, 0);
  EXPECT_TRUE(server_->WaitForLog("\"msg\":\"stopped\""));
}

TEST_F(LifecycleTest, SigintStopsTooAndASecondSignalSkipsTheDelay) {
  StartServer({"--shutdown-delay", "60s"});
  server_->Signal(SIGINT);
  ASSERT_TRUE(server_->WaitForLog("\"signal\":\"SIGINT\""));
  server_->Signal(SIGTERM);
  EXPECT_EQ(server_->WaitForExit(std::chrono::seconds(5)), 0) << server_->Log();
}

}  // namespace
}  // namespace keyward::testing
