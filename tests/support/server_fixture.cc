#include "tests/support/server_fixture.h"

#include <stdlib.h>

#include <csignal>
#include <filesystem>
#include <sstream>

namespace keyward::testing {
namespace {

HttpResult ToResult(const httplib::Result& result) {
  HttpResult out;
  out.error = result.error();
  if (!result) return out;
  out.status = result->status;
  out.body = result->body;
  out.content_type = result->get_header_value("Content-Type");
  out.json = nlohmann::json::parse(out.body, nullptr, false);
  if (out.json.is_discarded()) out.json = nullptr;
  return out;
}

}  // namespace

double MetricValue(const std::string& exposition, const std::string& sample) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > sample.size() && line.compare(0, sample.size(), sample) == 0 && line[sample.size()] == ' ') {
      return std::stod(line.substr(sample.size() + 1));
    }
  }
  return -1;
}

void ServerTest::SetUp() {
  // Writing to a connection the server closed must fail, not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  std::string pattern = (std::filesystem::temp_directory_path() / "keyward-server-test-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  dir_ = pattern;
  policy_path_ = Path("policy.yaml");
  certificate_path_ = Path("tls.crt");
  key_path_ = Path("tls.key");
  ca_path_ = Path("ca.crt");
  ca_.WriteCertificate(ca_path_);
  certificate_ = ca_.Issue("keyward-first");
  WriteFile(certificate_path_, certificate_.certificate_pem);
  WriteFile(key_path_, certificate_.key_pem);
  WriteFile(policy_path_, PolicyFixture(kPolicyFixture));
}

void ServerTest::TearDown() {
  if (server_ != nullptr) {
    const int status = server_->Stop(std::chrono::seconds(30));
    EXPECT_EQ(status, 0) << "keyward did not exit cleanly after SIGTERM; its log:\n" << server_->Log();
    EXPECT_EQ(server_->SanitizerReport(), "");
    server_.reset();
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::vector<std::string> ServerTest::ServeArgs(const std::vector<std::string>& flags) const {
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"--policy", policy_path_},          {"--tls-cert", certificate_path_}, {"--tls-key", key_path_},
      {"--listen", "127.0.0.1:0"},         {"--metrics-listen", "127.0.0.1:0"}, {"--log-format", "json"},
      {"--reload-interval", "50ms"},       {"--shutdown-delay", "0s"},
  };
  for (size_t i = 0; i + 1 < flags.size(); i += 2) {
    bool replaced = false;
    for (auto& [flag, value] : pairs) {
      if (flag == flags[i]) value = flags[i + 1], replaced = true;
    }
    if (!replaced) pairs.emplace_back(flags[i], flags[i + 1]);
  }
  std::vector<std::string> args = {"serve"};
  for (const auto& [flag, value] : pairs) args.insert(args.end(), {flag, value});
  return args;
}

KeywardProcess& ServerTest::StartServer(const std::vector<std::string>& flags) {
  EXPECT_EQ(flags.size() % 2, 0u) << "flags come in pairs";
  server_ = std::make_unique<KeywardProcess>(ServeArgs(flags), Path("server.log"));
  if (!server_->WaitUntilServing()) {
    ADD_FAILURE() << "the server did not start:\n" << server_->Log();
    return *server_;
  }
  EXPECT_EQ(GetOps("/readyz").status, 200) << server_->Log();
  return *server_;
}

KeywardProcess& ServerTest::StartServer(const std::vector<std::string>& flags, const std::string& policy) {
  WriteFile(policy_path_, policy);
  return StartServer(flags);
}

std::unique_ptr<httplib::SSLClient> ServerTest::Client() const {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->admission_port());
  client->set_ca_cert_path(ca_path_.c_str());
  client->enable_server_certificate_verification(true);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // headers and body are separate writes
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(10, 0);
  client->set_write_timeout(10, 0);
  return client;
}

HttpResult ServerTest::Post(httplib::SSLClient& client, const std::string& path, const std::string& body,
                            const std::string& content_type) const {
  return ToResult(client.Post(path.c_str(), body, content_type.c_str()));
}

HttpResult ServerTest::PostReview(const std::string& path, const nlohmann::json& review) const {
  auto client = Client();
  return Post(*client, path, review.dump());
}

HttpResult ServerTest::GetOps(const std::string& path) const {
  httplib::Client client("127.0.0.1", server_->metrics_port());
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);
  return ToResult(client.Get(path.c_str()));
}

std::unique_ptr<TlsConnection> ServerTest::Connect(TlsOptions options) const {
  std::string error;
  auto connection =
      TlsConnection::Open(server_->admission_port(), options.Trusting(ca_path_), milliseconds(10'000), &error);
  if (connection == nullptr) ADD_FAILURE() << "cannot connect: " << error;
  return connection;
}

void ServerTest::ExpectServed(const std::string& what) {
  const std::string uid = "probe-" + std::to_string(++probes_);
  const nlohmann::json object = EndpointConfigWithoutKeys("probe");
  const auto start = std::chrono::steady_clock::now();
  std::string error;
  const auto http =
      PostOnce(server_->admission_port(), "/mutate", CreateReview(object, "team-a", uid), kAnswerBound, &error);
  const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(http.has_value()) << what << ": no answer: " << error;
  const AdmissionAnswer answer = ReadAdmissionAnswer(*http, uid, object);
  EXPECT_EQ(answer.error, "") << what;
  EXPECT_EQ(answer.patched.size(), kEndpointConfigKmsFields) << what;
  EXPECT_LE(took, kAnswerBound) << what;
}

}  // namespace keyward::testing
