// AdmissionHandler::Handle, called directly: the answer is Admit's, and what
// the server records of it (the metrics and the decision log line) says
// what was decided, for which request.
#include "webhook/server/admission_handler.h"

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "tests/support/files.h"
#include "tests/support/reviews.h"
#include "tests/support/server_fixture.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

constexpr char kTeamAKey[] = "arn:aws:kms:us-east-1:111122223333:key/0b6e1f6c-1a2b-4c3d-9e8f-0123456789ab";

class AdmissionHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Log lines into `log_`, without the time and level: a JSON object.
    previous_logger_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(log_));
    logger->set_pattern("{%v}");
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
    ASSERT_TRUE(policies_.LoadInitial().ok()) << log_.str();
    log_.str("");  // "policy loaded"
  }
  void TearDown() override { spdlog::set_default_logger(previous_logger_); }

  // The one line logged since the last call, parsed.
  json LoggedLine() {
    const std::string text = log_.str();
    log_.str("");
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    return json::parse(text);
  }
  double Metric(const std::string& sample) const { return MetricValue(metrics_.Render(), sample); }
  double Requests(const std::string& labels) const {
    return Metric("keyward_admission_requests_total{" + labels + "}");
  }

  ServerMetrics metrics_;
  PolicyStore policies_{PolicyFixturePath("team-a-b.yaml"), &metrics_};
  AdmissionHandler handler_{&policies_, &metrics_};
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_logger_;
};

TEST_F(AdmissionHandlerTest, AMutationIsAnsweredCountedAndLogged) {
  const json review = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
  const HttpReply reply = handler_.Handle(Webhook::kMutate, "application/json", review.dump());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json answer = json::parse(reply.body);
  EXPECT_EQ(answer["response"]["uid"], review["request"]["uid"]);
  const json patched = review["request"]["object"].patch(DecodePatch(answer));
  EXPECT_EQ(patched["spec"]["resourceConfig"].value("volumeKMSKeyID", ""), kTeamAKey);

  EXPECT_EQ(Requests(R"(webhook="mutate",kind="TrainingJob",operation="CREATE",decision="patched")"), 1);
  EXPECT_EQ(Metric(R"(keyward_injected_keys_total{kind="TrainingJob",purpose="volume"})"), 1);
  EXPECT_EQ(Metric(R"(keyward_injected_keys_total{kind="TrainingJob",purpose="output"})"), 1);
  EXPECT_EQ(Metric(R"(keyward_admission_duration_seconds_count{webhook="mutate"})"), 1);

  const json line = LoggedLine();
  EXPECT_EQ(line["msg"], "admission decision");
  EXPECT_EQ(line["webhook"], "mutate");
  EXPECT_EQ(line["uid"], review["request"]["uid"]);
  EXPECT_EQ(line["kind"], "TrainingJob");
  EXPECT_EQ(line["group"], "sagemaker.services.k8s.aws");
  EXPECT_EQ(line["namespace"], "team-a");
  EXPECT_EQ(line["name"], review["request"]["name"]);
  EXPECT_EQ(line["operation"], "CREATE");
  EXPECT_EQ(line["user"], "admin");
  EXPECT_EQ(line["dryRun"], false);
  EXPECT_EQ(line["decision"], "patched");
  EXPECT_EQ(line["tenant"], "team-a");
  EXPECT_EQ(line["injected"].size(), 2u);
  EXPECT_TRUE(line["latency_us"].is_number_integer());
}

TEST_F(AdmissionHandlerTest, ADenialCountsEachViolation) {
  const json review = LoadReviewFixture("TrainingJob/01-create-base.validating.json");
  const HttpReply reply = handler_.Handle(Webhook::kValidate, "application/json", review.dump());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_FALSE(json::parse(reply.body)["response"]["allowed"].get<bool>());
  EXPECT_EQ(Requests(R"(webhook="validate",kind="TrainingJob",operation="CREATE",decision="denied")"), 1);
  EXPECT_EQ(Metric(R"(keyward_violations_total{kind="TrainingJob",code="MissingKey"})"), 2);
  const json line = LoggedLine();
  EXPECT_EQ(line["decision"], "denied");
  EXPECT_EQ(line["violations"], json({"MissingKey", "MissingKey"}));
  EXPECT_EQ(line["otherTenants"], json::array());
}

TEST_F(AdmissionHandlerTest, AMalformedBodyIsA400LoggedWithABoundedPrefix) {
  const std::string body = "{\"not\": \"a review\"" + std::string(1000, 'x') + "\n\x01";
  const HttpReply reply = handler_.Handle(Webhook::kValidate, "application/json", body);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(json::parse(reply.body)["kind"], "Status");
  EXPECT_EQ(Requests(R"(webhook="validate",kind="other",operation="unknown",decision="invalid")"), 1);
  const json line = LoggedLine();
  EXPECT_EQ(line["msg"], "malformed admission request rejected");
  EXPECT_EQ(line["status"], 400);
  EXPECT_EQ(line["error"], json::parse(reply.body)["message"]);
  EXPECT_EQ(line["body_prefix"], body.substr(0, 128));
}

TEST_F(AdmissionHandlerTest, BelowInfoNoDecisionIsLoggedButEveryOneIsCounted) {
  spdlog::default_logger()->set_level(spdlog::level::warn);
  const std::string body = LoadReviewFixture("TrainingJob/07-create-dryrun-kms.validating.json").dump();
  EXPECT_EQ(handler_.Handle(Webhook::kValidate, "application/json", body).status, 200);
  EXPECT_EQ(handler_.Handle(Webhook::kValidate, "application/json", body).status, 200);
  EXPECT_EQ(Requests(R"(webhook="validate",kind="TrainingJob",operation="CREATE",decision="allowed")"), 2);
  EXPECT_EQ(log_.str(), "");
}

}  // namespace
}  // namespace keyward::testing
