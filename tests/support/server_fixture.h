// A GoogleTest fixture around one real `keyward serve` per test: a scratch
// directory with a fresh CA, a serving certificate it issued and the policy
// fixture team-a-b.yaml; the server started on 127.0.0.1 (ephemeral ports,
// JSON logs, fast reloads, no shutdown delay unless the test says
// otherwise); clients that verify it against that CA. At the end the
// server is stopped with SIGTERM and the test fails unless it exits 0 with
// no sanitizer report: a crash, leak, race or hang anywhere in the server
// fails the test that caused it.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/certificates.h"
#include "tests/support/files.h"
#include "tests/support/keyward_process.h"
#include "tests/support/reviews.h"
#include "tests/support/tls_client.h"

namespace keyward::testing {

// Far above what an unloaded server needs (milliseconds), and still an
// answer, not a hang, under sanitizers on a busy 2-core machine.
inline constexpr milliseconds kAnswerBound{5000};

// An answer through cpp-httplib.
struct HttpResult {
  httplib::Error error = httplib::Error::Unknown;
  int status = 0;
  std::string body;
  nlohmann::json json;  // the parsed body, null if not JSON
  std::string content_type;
};

// The value of one exposition-format sample, e.g.
// `keyward_policy_reloads_total{result="failure"}`; -1 when absent.
double MetricValue(const std::string& exposition, const std::string& sample);

class ServerTest : public ::testing::Test {
 public:
  static constexpr char kPolicyFixture[] = "team-a-b.yaml";

 protected:
  void SetUp() override;
  void TearDown() override;

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // `keyward serve` with the fixture's files and the test defaults, each
  // overridden by a "--flag", "value" pair of `flags` naming it.
  std::vector<std::string> ServeArgs(const std::vector<std::string>& flags = {}) const;
  // Starts the server (after writing `policy` to policy_path_, when given),
  // waits until it serves and /readyz is 200; a test failure otherwise.
  KeywardProcess& StartServer(const std::vector<std::string>& flags = {});
  KeywardProcess& StartServer(const std::vector<std::string>& flags, const std::string& policy);

  // cpp-httplib clients: TLS to the admission port, verifying against the
  // CA; plain HTTP to the ops port.
  std::unique_ptr<httplib::SSLClient> Client() const;
  HttpResult Post(httplib::SSLClient& client, const std::string& path, const std::string& body,
                  const std::string& content_type = "application/json") const;
  HttpResult PostReview(const std::string& path, const nlohmann::json& review) const;
  HttpResult GetOps(const std::string& path) const;
  std::string Metrics() const { return GetOps("/metrics").body; }

  // One hand-driven TLS connection to the admission port, verifying the
  // server against the CA; a test failure and null when it fails.
  std::unique_ptr<TlsConnection> Connect(TlsOptions options = {}) const;

  // One well-formed request on a new connection, answered right within
  // kAnswerBound.
  void ExpectServed(const std::string& what);

  std::string dir_;
  std::string policy_path_;
  std::string certificate_path_;
  std::string key_path_;
  std::string ca_path_;
  TestCertificateAuthority ca_;
  TestCertificate certificate_;  // the first serving certificate
  std::unique_ptr<KeywardProcess> server_;
  int probes_ = 0;
};

}  // namespace keyward::testing
