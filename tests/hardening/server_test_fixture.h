// A GoogleTest fixture that owns one keyward server per test and, at the
// end, stops it with SIGTERM and fails the test unless it exits 0 with no
// sanitizer report: a crash, leak, race or hang anywhere in the server
// during the test fails the test that caused it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/hardening/keyward_server.h"
#include "tests/hardening/reviews.h"
#include "tests/hardening/tls_client.h"

namespace keyward::hardening {

// Far above what an unloaded server needs (milliseconds), and still an
// answer, not a hang, under sanitizers on a busy 2-core machine.
inline constexpr milliseconds kAnswerBound{5000};

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(const std::vector<std::string>& flags = {}, const std::string& policy = StandardPolicy()) {
    std::string error;
    server_ = KeywardServer::Start(policy, flags, &error);
    ASSERT_NE(server_, nullptr) << error;
  }

  void TearDown() override {
    if (server_ == nullptr) return;
    const int status = server_->Stop(std::chrono::seconds(30));
    EXPECT_EQ(status, 0) << "keyward did not exit cleanly after SIGTERM; its log:\n" << server_->Log();
    EXPECT_EQ(server_->SanitizerReport(), "");
  }

  // One well-formed request on a new connection, answered right in time.
  void ExpectServed(const std::string& what) {
    const std::string uid = "probe-" + std::to_string(++probes_);
    const nlohmann::json object = EndpointConfigWithoutKeys("probe");
    const auto start = std::chrono::steady_clock::now();
    std::string error;
    const auto http = PostOnce(server_->port(), "/mutate", CreateReview(object, "team-a", uid), kAnswerBound, &error);
    const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
    ASSERT_TRUE(http.has_value()) << what << ": no answer: " << error;
    const AdmissionAnswer answer = ReadAdmissionAnswer(*http, uid, object);
    EXPECT_EQ(answer.error, "") << what;
    EXPECT_EQ(answer.patched.size(), kEndpointConfigKmsFields) << what;
    EXPECT_LE(took, kAnswerBound) << what;
  }

  std::unique_ptr<KeywardServer> server_;
  int probes_ = 0;
};

}  // namespace keyward::hardening
