#include "tests/webhook/server_fixture.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "webhook/admission/base64.h"

namespace keyward::testing {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

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

nlohmann::json LoadReviewFixture(const std::string& relative) {
  return nlohmann::json::parse(ReadText(std::string(KEYWARD_FIXTURES_DIR) + "/admission-reviews/" + relative));
}

nlohmann::json DecodePatch(const nlohmann::json& review) {
  const nlohmann::json& response = review.at("response");
  if (!response.contains("patch")) return nlohmann::json::array();
  EXPECT_EQ(response.value("patchType", ""), "JSONPatch");
  std::optional<std::string> text = Base64Decode(response.at("patch").get<std::string>());
  if (!text) {
    ADD_FAILURE() << "the patch is not base64";
    return nlohmann::json::array();
  }
  return nlohmann::json::parse(*text);
}

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
  ca_.Issue(certificate_path_, key_path_, "keyward-first");
  WriteFileAtomically(policy_path_, FixturePolicyText());
}

void ServerTest::TearDown() {
  server_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string ServerTest::FixturePolicyText() {
  return ReadText(std::string(KEYWARD_FIXTURES_DIR) + "/policies/team-a-b.yaml");
}

void ServerTest::WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(temporary, path);
}

ServerProcess& ServerTest::StartServer(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"serve",         "--policy",         policy_path_, "--tls-cert", certificate_path_,
                                   "--tls-key",     key_path_,          "--listen",   "127.0.0.1:0", "--metrics-listen",
                                   "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  // Fast reloads and an immediate stop, unless the test says otherwise.
  for (const char* flag : {"--reload-interval", "--shutdown-delay"}) {
    if (std::find(extra.begin(), extra.end(), flag) == extra.end()) {
      args.insert(args.end(), {flag, std::string(flag) == "--reload-interval" ? "50ms" : "0s"});
    }
  }
  server_ = std::make_unique<ServerProcess>(args, Path("server.log"));
  if (!server_->WaitUntilServing()) {
    ADD_FAILURE() << "the server did not start:\n" << server_->Log();
    return *server_;
  }
  EXPECT_EQ(GetOps("/readyz").status, 200) << server_->Log();
  return *server_;
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

}  // namespace keyward::testing
