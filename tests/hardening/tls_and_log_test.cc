// TLS versions and suites, timeouts, and what reaches the log: only TLS 1.2
// and 1.3, the key file never logged, request bodies never logged beyond a
// short prefix.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "tests/support/server_fixture.h"

namespace keyward::testing {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// A one-connection TLS server that accepts every version at security level
// 0: the control showing that the test client really speaks TLS 1.0 and
// 1.1, so keyward's refusal is keyward's.
class PermissiveTlsServer {
 public:
  PermissiveTlsServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listen_fd_, 4);
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~PermissiveTlsServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  void Serve() {
    const TestCertificate certificate = MakeSelfSignedCertificate("permissive");
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_security_level(context, 0);
    SSL_CTX_set_cipher_list(context, "ALL:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(context, TLS1_VERSION);
    BIO* certificate_bio = BIO_new_mem_buf(certificate.certificate_pem.data(), -1);
    BIO* key_bio = BIO_new_mem_buf(certificate.key_pem.data(), -1);
    X509* x509 = PEM_read_bio_X509(certificate_bio, nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    SSL_CTX_use_certificate(context, x509);
    SSL_CTX_use_PrivateKey(context, key);
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd >= 0) {
      SSL* ssl = SSL_new(context);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) SSL_shutdown(ssl);
      SSL_free(ssl);
      ::close(fd);
    }
    X509_free(x509);
    EVP_PKEY_free(key);
    BIO_free(certificate_bio);
    BIO_free(key_bio);
    SSL_CTX_free(context);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

class TlsAndLogTest : public ServerTest {
 protected:
  static constexpr char kLoaded[] = "serving certificate loaded";
  static constexpr char kReloadFailed[] = "certificate reload failed";

  size_t Logged(std::string_view text) const {
    const std::string log = server_->Log();
    size_t count = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++count;
    return count;
  }
  // Polls until `text` has been logged `count` times: a reload happened and
  // what it logged is in the log. Bounded; the checks after it say what is
  // missing.
  void WaitUntilLogged(std::string_view text, size_t count) const {
    const auto deadline = Clock::now() + seconds(10);
    while (Logged(text) < count && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(20));
  }
};

TEST_F(TlsAndLogTest, OnlyTls12And13HandshakesSucceed) {
  StartServer();
  for (const int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    {
      PermissiveTlsServer control;
      std::string error;
      auto connection = TlsConnection::Open(control.port(), TlsOptions().Only(version), kAnswerBound, &error);
      ASSERT_NE(connection, nullptr) << "control: the client cannot speak TLS version 0x" << std::hex << version
                                     << ": " << error;
      ASSERT_EQ(connection->version(), version);
    }
    std::string error;
    auto connection = TlsConnection::Open(server_->admission_port(), TlsOptions().Only(version), kAnswerBound, &error);
    EXPECT_EQ(connection, nullptr) << "keyward accepted TLS version 0x" << std::hex << version;
    // The server, not the client, refused: it sent a protocol_version alert.
    EXPECT_NE(error.find("protocol version"), std::string::npos) << error;
  }
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    std::string error;
    auto connection = TlsConnection::Open(server_->admission_port(), TlsOptions().Only(version), kAnswerBound, &error);
    ASSERT_NE(connection, nullptr) << error;
    EXPECT_EQ(connection->version(), version);
    ASSERT_TRUE(connection->Write(PostRequest("/mutate", CreateReview(EndpointConfigWithoutKeys("v"), "team-a", "v"))));
    const auto http = connection->ReadResponse(kAnswerBound);
    ASSERT_TRUE(http.has_value()) << connection->last_error();
    EXPECT_EQ(http->status, 200);
  }
}

// Scans the log for any `window`-byte piece of `secret`. Pieces start every
// `window` bytes from `from`, so a leaked run of 2*window bytes or more
// past `from` is always caught.
std::string FindLeak(const std::string& log, const std::string& secret, size_t window, size_t from = 0) {
  for (size_t at = from; at + window <= secret.size(); at += window) {
    if (log.find(secret.substr(at, window)) != std::string::npos) return secret.substr(at, window);
  }
  return "";
}

TEST_F(TlsAndLogTest, KeyMaterialNeverReachesTheLog) {
  StartServer({"--log-level", "debug"});
  ExpectServed("before rotation");
  std::vector<std::string> secrets = {PemBody(certificate_.key_pem)};
  // A good rotation, a key that does not match its certificate, and a key
  // file that is not a key at all: each reload logs something.
  const TestCertificate rotated = MakeSelfSignedCertificate("rotated");
  secrets.push_back(PemBody(rotated.key_pem));
  ReplaceFile(key_path_, rotated.key_pem);
  ReplaceFile(certificate_path_, rotated.certificate_pem);
  WaitUntilLogged(kLoaded, 2);  // at startup, then the rotated pair
  const TestCertificate stray = MakeSelfSignedCertificate("stray");
  secrets.push_back(PemBody(stray.key_pem));
  const size_t failures = Logged(kReloadFailed);  // the rotation may have seen the key alone
  ReplaceFile(key_path_, stray.key_pem);
  WaitUntilLogged(kReloadFailed, failures + 1);
  const std::string garbage_body = "U0VDUkVULUtFWS1NQVRFUklBTC1USEFULU1VU1QtTk9ULUxFQUstSU5UTy1MT0dT";
  secrets.push_back(garbage_body);
  ReplaceFile(key_path_, "-----BEGIN PRIVATE KEY-----\n" + garbage_body + "\n-----END PRIVATE KEY-----\n");
  WaitUntilLogged(kReloadFailed, failures + 2);
  ExpectServed("after failed key reloads");
  const std::string log = server_->Log();
  EXPECT_NE(log.find("rotated"), std::string::npos) << "the good rotation was not logged:\n" << log;
  for (const std::string& secret : secrets) EXPECT_EQ(FindLeak(log, secret, 12), "") << log;

  // Startup with a key that does not load, or does not match: the error
  // names the file, not its content.
  const std::vector<std::pair<std::string, std::string>> bad_keys = {
      {"garbage.key", "-----BEGIN PRIVATE KEY-----\n" + garbage_body + "\n-----END PRIVATE KEY-----\n"},
      {"stray.key", stray.key_pem},
  };
  for (const auto& [name, content] : bad_keys) {
    const std::string path = Path(name);
    std::ofstream(path) << content;
    KeywardProcess bad(ServeArgs({"--tls-key", path}), Path(name + ".log"));
    EXPECT_FALSE(bad.WaitUntilServing()) << name;
    const std::string error = bad.Log();
    EXPECT_NE(error.find(name), std::string::npos) << "the error does not name the key file:\n" << error;
    for (const std::string& secret : secrets) EXPECT_EQ(FindLeak(error, secret, 12), "") << error;
  }
}

std::string RandomText(size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string text(size, ' ');
  for (char& c : text) c = static_cast<char>('a' + random() % 26);
  return text;
}

TEST_F(TlsAndLogTest, RequestBodiesReachTheLogOnlyAsABoundedPrefix) {
  StartServer({"--log-level", "debug"});
  const std::string filler = RandomText(64 << 10, 1);
  nlohmann::json annotated = EndpointConfigWithoutKeys("annotated");
  annotated["metadata"]["annotations"] = {{"example.com/blob", RandomText(32 << 10, 2)}};
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"not JSON", filler},
      {"JSON, not a review", nlohmann::json{{"blob", RandomText(64 << 10, 3)}}.dump()},
      {"review without uid", nlohmann::json{{"apiVersion", "admission.k8s.io/v1"},
                                            {"kind", "AdmissionReview"},
                                            {"request", {{"object", {{"x", RandomText(64 << 10, 4)}}}}}}
                                 .dump()},
      {"nested too deep", std::string(130, '[') + RandomText(64 << 10, 5)},
      {"valid review", CreateReview(annotated, "team-a", "annotated")},
  };
  for (const auto& [what, body] : bodies) {
    std::string error;
    ASSERT_TRUE(PostOnce(server_->admission_port(), "/validate", body, kAnswerBound, &error).has_value()) << what << error;
  }
  std::string error;
  auto wrong_type = TlsConnection::Open(server_->admission_port(), &error);
  ASSERT_NE(wrong_type, nullptr) << error;
  ASSERT_TRUE(wrong_type->Write(PostRequest("/mutate", RandomText(64 << 10, 6), "text/plain")));
  ASSERT_TRUE(wrong_type->ReadResponse(kAnswerBound).has_value());

  const std::string log = server_->Log();
  for (const auto& [what, body] : bodies) {
    // Up to 256 leading bytes may be quoted; nothing beyond.
    EXPECT_EQ(FindLeak(log, body, 128, 128), "") << what;
  }
  EXPECT_EQ(FindLeak(log, RandomText(64 << 10, 6), 128, 128), "") << "text/plain body";
}

// Reads `keyward serve --help` and returns the default of `flag` in ms.
long DefaultMilliseconds(const std::string& help, const std::string& flag) {
  const std::regex pattern(flag + R"(\s+TEXT=(\d+)(ms|s|m|h)?\s)");
  std::smatch match;
  if (!std::regex_search(help, match, pattern)) return -1;
  const long value = std::stol(match[1]);
  const std::string unit = match[2];
  return unit == "ms" ? value : unit == "m" ? value * 60'000 : unit == "h" ? value * 3'600'000 : value * 1000;
}

TEST(TimeoutFlagsTest, ReadWriteAndIdleTimeoutsAreFlagsWithSafeDefaults) {
  std::string help;
  FILE* pipe = ::popen((std::string(KEYWARD_BINARY) + " serve --help 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> chunk;
  while (size_t got = std::fread(chunk.data(), 1, chunk.size(), pipe)) help.append(chunk.data(), got);
  ::pclose(pipe);
  // Safe: set (without one, a stalled client would hold its connection
  // forever) and short enough that a stalled client is let go quickly.
  const long read = DefaultMilliseconds(help, "--read-timeout");
  const long write = DefaultMilliseconds(help, "--write-timeout");
  const long idle = DefaultMilliseconds(help, "--keep-alive-timeout");
  EXPECT_GT(read, 0) << help;
  EXPECT_LE(read, 30'000) << help;
  EXPECT_GT(write, 0) << help;
  EXPECT_LE(write, 30'000) << help;
  EXPECT_GT(idle, 0) << help;
  EXPECT_LE(idle, 300'000) << help;
}

TEST_F(TlsAndLogTest, StalledAndIdleConnectionsAreClosedAfterTheirTimeouts) {
  StartServer({"--read-timeout", "1s", "--keep-alive-timeout", "2s"});
  std::string error;
  auto silent_tcp = TcpConnection::Open(server_->admission_port(), &error);
  ASSERT_NE(silent_tcp, nullptr) << error;
  auto half_request = TlsConnection::Open(server_->admission_port(), &error);
  ASSERT_NE(half_request, nullptr) << error;
  const std::string request = PostRequest("/mutate", CreateReview(EndpointConfigWithoutKeys("t"), "team-a", "t"));
  ASSERT_TRUE(half_request->Write(request.substr(0, 40)));
  auto idle = TlsConnection::Open(server_->admission_port(), &error);
  ASSERT_NE(idle, nullptr) << error;
  ASSERT_TRUE(idle->Write(request));
  ASSERT_TRUE(idle->ReadResponse(kAnswerBound).has_value());
  const auto start = Clock::now();
  EXPECT_TRUE(silent_tcp->WaitForClose(seconds(6))) << "a client that never starts TLS was kept";
  EXPECT_TRUE(half_request->WaitForClose(seconds(6))) << "a client stalled mid-request was kept";
  EXPECT_TRUE(idle->WaitForClose(seconds(8))) << "an idle keep-alive connection was kept";
  EXPECT_LT(Clock::now() - start, seconds(8));
}

}  // namespace
}  // namespace keyward::testing
