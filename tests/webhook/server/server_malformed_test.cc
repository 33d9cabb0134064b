// Malformed and hostile requests: each gets a clear HTTP error, and the
// server keeps serving afterwards.
#include "tests/support/server_fixture.h"
#include "tests/support/tls_client.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

class MalformedTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    StartServer();
    client_ = Client();
  }

  // Posts to both webhooks; both must answer `status` with a Kubernetes
  // Status body whose message contains `expected`.
  void ExpectRejected(const std::string& body, int status, const std::string& expected,
                      const std::string& content_type = "application/json") {
    for (const char* path : {"/mutate", "/validate"}) {
      SCOPED_TRACE(path);
      HttpResult result = Post(*client_, path, body, content_type);
      ASSERT_EQ(result.status, status) << result.body;
      ASSERT_TRUE(result.json.is_object()) << result.body;
      EXPECT_EQ(result.json["kind"], "Status");
      EXPECT_EQ(result.json["code"], status);
      const std::string message = result.json.value("message", "");
      EXPECT_NE(message.find(expected), std::string::npos) << message;
    }
  }

  void ExpectStillServing() {
    const json review = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
    HttpResult result = PostReview("/mutate", review);
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(GetOps("/healthz").status, 200);
    EXPECT_FALSE(server_->WaitForExit(std::chrono::milliseconds(0)).has_value()) << server_->Log();
  }

  json Review() const { return LoadReviewFixture("TrainingJob/01-create-base.mutating.json"); }

  std::unique_ptr<httplib::SSLClient> client_;
};

TEST_F(MalformedTest, NotJson) {
  ExpectRejected("{\"apiVersion\": ", 400, "not valid JSON");
  ExpectRejected("\xff\xfe garbage", 400, "not valid JSON");
  ExpectRejected("", 400, "not valid JSON");
  ExpectStillServing();
}

TEST_F(MalformedTest, WrongContentType) {
  ExpectRejected(Review().dump(), 400, "Content-Type", "text/plain");
  ExpectRejected(Review().dump(), 400, "application/json", "application/x-www-form-urlencoded");
  // Parameters do not matter.
  EXPECT_EQ(Post(*client_, "/mutate", Review().dump(), "application/json; charset=utf-8").status, 200);
  ExpectStillServing();
}

TEST_F(MalformedTest, NotAnAdmissionReview) {
  ExpectRejected("[1, 2, 3]", 400, "not an AdmissionReview object");
  ExpectRejected(R"({"apiVersion": "v1", "kind": "Pod"})", 400, "apiVersion is \"v1\"");
  json review = Review();
  review["kind"] = "AdmissionResponse";
  ExpectRejected(review.dump(), 400, "kind must be \"AdmissionReview\"");
  review = Review();
  review.erase("request");
  ExpectRejected(review.dump(), 400, "request is missing");
  review = Review();
  review["request"]["operation"] = "PATCH";
  ExpectRejected(review.dump(), 400, "request.operation is \"PATCH\"");
  review = Review();
  review["request"]["object"] = "not an object";
  ExpectRejected(review.dump(), 400, "request.object must be an object or null, not string");
  review = Review();
  review["request"]["object"] = nullptr;
  ExpectRejected(review.dump(), 400, "request.object is missing");
  review = Review();
  review["request"]["kind"] = 7;
  ExpectRejected(review.dump(), 400, "request.kind is missing");
  review = Review();
  review["request"]["dryRun"] = "yes";
  ExpectRejected(review.dump(), 400, "request.dryRun must be a boolean");
  ExpectStillServing();
}

TEST_F(MalformedTest, MissingUid) {
  json review = Review();
  review["request"].erase("uid");
  ExpectRejected(review.dump(), 400, "request.uid is missing");
  review["request"]["uid"] = "";
  ExpectRejected(review.dump(), 400, "request.uid is missing");
  ExpectStillServing();
}

TEST_F(MalformedTest, DeepNestingIsRefusedBeforeItIsBuilt) {
  const size_t depth = 1'000'000;
  ExpectRejected(std::string(depth, '[') + std::string(depth, ']'), 400, "nesting deeper than 128");
  json review = Review();
  std::string nested = std::string(100'000, '[') + std::string(100'000, ']');
  std::string body = review.dump();
  body.replace(body.find("\"spec\":{"), 8, "\"deep\":" + nested + ",\"spec\":{");
  ExpectRejected(body, 400, "nesting deeper than 128");
  ExpectStillServing();
}

TEST_F(MalformedTest, BodiesOverEightMebibytesGet413) {
  std::string body = Review().dump();
  body.insert(body.size() - 1, ",\"padding\":\"" + std::string(9u << 20, 'x') + "\"");
  HttpResult result = Post(*client_, "/mutate", body);
  EXPECT_EQ(result.status, 413) << result.body.substr(0, 200);
  // A body just under the limit is read and decided.
  std::string large = Review().dump();
  large.insert(large.size() - 1, ",\"padding\":\"" + std::string((8u << 20) - large.size() - 64, 'x') + "\"");
  EXPECT_EQ(Post(*Client(), "/mutate", large).status, 200);
  ExpectStillServing();
}

TEST_F(MalformedTest, ChunkedBodiesAreRefused) {
  auto result = client_->Post(
      "/mutate",
      [](size_t offset, httplib::DataSink& sink) {
        if (offset == 0) sink.write("{}", 2);
        sink.done();
        return true;
      },
      "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 411);
  ExpectStillServing();
}

TEST_F(MalformedTest, OnlyPostToTheTwoWebhooks) {
  auto get = client_->Get("/mutate");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  EXPECT_EQ(Post(*client_, "/other", Review().dump()).status, 404);
  EXPECT_EQ(Post(*client_, "/mutate/extra", Review().dump()).status, 404);
  ExpectStillServing();
}

TEST_F(MalformedTest, GarbageOverTlsAndPlainTextDoNotHurt) {
  {
    auto connection = Connect();
    ASSERT_NE(connection, nullptr);
    ASSERT_TRUE(connection->Write("NOT HTTP AT ALL\r\n\r\n"));
    if (const std::optional<HttpResponse> response = connection->ReadResponse()) {
      EXPECT_EQ(response->status, 400);
    }
  }
  {
    auto truncated = Connect();
    ASSERT_NE(truncated, nullptr);
    ASSERT_TRUE(truncated->Write("POST /mutate HTTP/1.1\r\nContent-Length: 100\r\nContent-Type: applica"));
  }  // closed mid-request
  {
    httplib::Client plain("127.0.0.1", server_->admission_port());
    plain.set_read_timeout(2, 0);
    auto result = plain.Post("/mutate", Review().dump(), "application/json");
    EXPECT_FALSE(result && result->status == 200);
  }
  ExpectStillServing();
}

}  // namespace
}  // namespace keyward::testing
