// A test fixture around one `keyward serve` child: a scratch directory with
// a fresh CA, serving certificate and policy; TLS clients that verify the
// server against that CA; helpers for the captured review fixtures.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/webhook/server_process.h"
#include "tests/webhook/test_pki.h"

namespace keyward::testing {

struct HttpResult {
  httplib::Error error = httplib::Error::Unknown;
  int status = 0;
  std::string body;
  nlohmann::json json;  // the parsed body, null if not JSON
  std::string content_type;
};

// A captured review from tests/fixtures/admission-reviews/<relative>.
nlohmann::json LoadReviewFixture(const std::string& relative);
// The JSON patch of an AdmissionReview response (empty array if none).
nlohmann::json DecodePatch(const nlohmann::json& review);
// The value of one exposition-format sample, e.g.
// `keyward_policy_reloads_total{result="failure"}`; -1 when absent.
double MetricValue(const std::string& exposition, const std::string& sample);

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
 public:
  static std::string FixturePolicyText();

 protected:
  // Replaces the file at `path` atomically (write then rename).
  static void WriteFileAtomically(const std::string& path, const std::string& text);

  // Starts the server with the fixture's policy, certificate and key,
  // random loopback ports, fast reloads and `extra` flags; waits until it
  // serves and /readyz is 200.
  ServerProcess& StartServer(const std::vector<std::string>& extra = {});

  std::unique_ptr<httplib::SSLClient> Client() const;
  HttpResult Post(httplib::SSLClient& client, const std::string& path, const std::string& body,
                  const std::string& content_type = "application/json") const;
  HttpResult PostReview(const std::string& path, const nlohmann::json& review) const;
  HttpResult GetOps(const std::string& path) const;
  std::string Metrics() const { return GetOps("/metrics").body; }

  std::string dir_;
  std::string policy_path_;
  std::string certificate_path_;
  std::string key_path_;
  std::string ca_path_;
  TestCertificateAuthority ca_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace keyward::testing
