// The admission endpoints of the real server over TLS, replaying requests a
// real kube-apiserver sent: every captured review gets the decision the core
// computes for it, and each decision kind has the wire shape the apiserver
// expects.
#include <filesystem>
#include <ctime>
#include <regex>
#include <sstream>

#include "policy/rules/evaluate.h"
#include "policy/model/policy.h"
#include "tests/support/fixture_keys.h"
#include "tests/support/server_fixture.h"
#include "tests/support/tls_client.h"
#include "webhook/admission/admission_codec.h"

namespace keyward::testing {
namespace {

using nlohmann::json;

std::vector<std::string> CapturedReviews(const std::string& suffix) {
  std::vector<std::string> out;
  const auto root = std::filesystem::path(KEYWARD_FIXTURES_DIR) / "admission-reviews";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(std::filesystem::relative(entry.path(), root).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class AdmissionTest : public ServerTest {
 protected:
  std::shared_ptr<const Policy> CorePolicy() const {
    PolicyLoadResult loaded = LoadPolicy(PolicyFixture(kPolicyFixture), "team-a-b.yaml");
    EXPECT_TRUE(loaded.diagnostics.empty());
    return loaded.policy;
  }

  // The response, checked for the envelope every answer must have.
  json Answer(const std::string& path, const json& review) {
    HttpResult result = PostReview(path, review);
    EXPECT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(result.json.value("apiVersion", ""), review["apiVersion"]);
    EXPECT_EQ(result.json.value("kind", ""), "AdmissionReview");
    EXPECT_EQ(result.json["response"].value("uid", ""), review["request"]["uid"]);
    return result.json;
  }
};

TEST_F(AdmissionTest, EveryCapturedReviewGetsTheCoresDecision) {
  StartServer();
  const auto policy = CorePolicy();
  const auto mutating = CapturedReviews(".mutating.json");
  ASSERT_GE(mutating.size(), 40u);
  for (const std::string& file : mutating) {
    SCOPED_TRACE(file);
    const json review = LoadReviewFixture(file);
    const json answer = Answer("/mutate", review);
    EXPECT_TRUE(answer["response"].value("allowed", false));
    const json patch = DecodePatch(answer);

    DecodedReview decoded;
    ASSERT_TRUE(DecodeAdmissionReview(review, &decoded).ok());
    const MutationResult expected = Mutate(*policy, decoded.request);
    EXPECT_EQ(patch, expected.patch);
    EXPECT_EQ(answer["response"].value("warnings", json::array()), json(expected.warnings));

    // As the apiserver does: apply the patch, then validate what will be
    // stored (the validating capture of the same request, patched).
    std::string validating_file = file.substr(0, file.size() - std::string(".mutating.json").size()) +
                                  ".validating.json";
    json validating = LoadReviewFixture(validating_file);
    if (!patch.empty()) {
      ASSERT_TRUE(review["request"]["object"].is_object());
      const json patched = review["request"]["object"].patch(patch);
      for (const auto& op : patch) EXPECT_EQ(patched.at(json::json_pointer(op["path"])), op["value"]);
      validating["request"]["object"] = validating["request"]["object"].patch(patch);
    }
    const json verdict = Answer("/validate", validating);
    ASSERT_TRUE(DecodeAdmissionReview(validating, &decoded).ok());
    const ValidationResult expected_verdict = Validate(*policy, decoded.request);
    const json& response = verdict["response"];
    EXPECT_EQ(response.value("allowed", !expected_verdict.allowed), expected_verdict.allowed);
    EXPECT_EQ(response.value("warnings", json::array()), json(expected_verdict.warnings));
    if (!expected_verdict.allowed) {
      EXPECT_EQ(response["status"]["code"], 403);
      EXPECT_EQ(response["status"]["reason"], "Forbidden");
      EXPECT_EQ(response["status"]["message"], expected_verdict.message);
    } else {
      EXPECT_FALSE(response.contains("status"));
    }
  }
}

TEST_F(AdmissionTest, MutateFillsEmptyKeysWithTheTenantsKey) {
  StartServer();
  const json review = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
  const json answer = Answer("/mutate", review);
  const json patch = DecodePatch(answer);
  const json object = review["request"]["object"].patch(patch);
  EXPECT_EQ(object["spec"]["outputDataConfig"]["kmsKeyID"], kTeamAKey);
  EXPECT_EQ(object["spec"]["resourceConfig"]["volumeKMSKeyID"], kTeamAKey);
  EXPECT_EQ(patch.size(), 2u);
  const json warnings = answer["response"]["warnings"];
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings.dump().find("spec.resourceConfig.volumeKMSKeyID"), std::string::npos);
  // Everything but the KMS fields is untouched.
  json without_keys = object;
  without_keys["spec"]["outputDataConfig"].erase("kmsKeyID");
  without_keys["spec"]["resourceConfig"].erase("volumeKMSKeyID");
  EXPECT_EQ(without_keys, review["request"]["object"]);
}

TEST_F(AdmissionTest, MutateSendsNoPatchWhenKeysAreSet) {
  StartServer();
  const json answer = Answer("/mutate", LoadReviewFixture("TrainingJob/07-create-dryrun-kms.mutating.json"));
  EXPECT_TRUE(answer["response"]["allowed"]);
  EXPECT_FALSE(answer["response"].contains("patch"));
  EXPECT_FALSE(answer["response"].contains("patchType"));
  EXPECT_EQ(MetricValue(Metrics(), R"(keyward_admission_requests_total{webhook="mutate",kind="TrainingJob",)"
                                   R"(operation="CREATE",decision="unchanged"})"),
            1);
}

TEST_F(AdmissionTest, V1beta1ReviewsAreAnsweredInV1beta1) {
  StartServer();
  const json review = LoadReviewFixture("TrainingJob/40-create-v1beta1-base.mutating.json");
  ASSERT_EQ(review["apiVersion"], "admission.k8s.io/v1beta1");
  const json answer = Answer("/mutate", review);
  const json object = review["request"]["object"].patch(DecodePatch(answer));
  EXPECT_EQ(object["spec"]["resourceConfig"]["volumeKMSKeyID"], kTeamAKey);

  json validating = LoadReviewFixture("TrainingJob/40-create-v1beta1-base.validating.json");
  const json denied = Answer("/validate", validating);
  EXPECT_FALSE(denied["response"]["allowed"]);
  validating["request"]["object"] = validating["request"]["object"].patch(DecodePatch(answer));
  EXPECT_TRUE(Answer("/validate", validating)["response"]["allowed"]);
}

TEST_F(AdmissionTest, DenyListsEveryViolationInOne403Message) {
  StartServer();
  // Both keys changed from team-a's to team-b's key on a team-a object.
  const json answer = Answer("/validate", LoadReviewFixture("TrainingJob/24-update-ssa-update-keyb.validating.json"));
  const json& response = answer["response"];
  EXPECT_FALSE(response["allowed"]);
  EXPECT_EQ(response["status"]["code"], 403);
  EXPECT_EQ(response["status"]["reason"], "Forbidden");
  const std::string message = response["status"]["message"];
  EXPECT_NE(message.find("spec.outputDataConfig.kmsKeyID"), std::string::npos) << message;
  EXPECT_NE(message.find("spec.resourceConfig.volumeKMSKeyID"), std::string::npos) << message;
  EXPECT_NE(message.find("ForeignKey"), std::string::npos) << message;
  const std::string metrics = Metrics();
  EXPECT_GE(MetricValue(metrics, R"(keyward_violations_total{kind="TrainingJob",code="ForeignKey"})"), 2);
  EXPECT_EQ(MetricValue(metrics, R"(keyward_admission_requests_total{webhook="validate",kind="TrainingJob",)"
                                 R"(operation="UPDATE",decision="denied"})"),
            1);
}

TEST_F(AdmissionTest, WarnEnforcementAllowsWithOneWarningPerViolation) {
  ReplaceFile(policy_path_, Replace(PolicyFixture(kPolicyFixture), "enforcement: deny", "enforcement: warn"));
  StartServer();
  const json answer = Answer("/validate", LoadReviewFixture("TrainingJob/24-update-ssa-update-keyb.validating.json"));
  const json& response = answer["response"];
  EXPECT_TRUE(response["allowed"]);
  EXPECT_FALSE(response.contains("status"));
  ASSERT_GE(response["warnings"].size(), 2u);
  for (const auto& warning : response["warnings"]) EXPECT_LT(warning.get<std::string>().size(), 120u);
  EXPECT_FALSE(response.contains("auditAnnotations"));
}

TEST_F(AdmissionTest, AuditEnforcementAllowsWithBoundedAuditAnnotations) {
  ReplaceFile(policy_path_, Replace(PolicyFixture(kPolicyFixture), "enforcement: deny", "enforcement: audit"));
  StartServer();
  const json answer = Answer("/validate", LoadReviewFixture("TrainingJob/24-update-ssa-update-keyb.validating.json"));
  const json& response = answer["response"];
  EXPECT_TRUE(response["allowed"]);
  EXPECT_FALSE(response.contains("status"));
  const json& annotations = response["auditAnnotations"];
  ASSERT_TRUE(annotations.is_object());
  EXPECT_EQ(annotations["tenant"], "team-a");
  EXPECT_EQ(annotations["enforcement"], "audit");
  EXPECT_NE(annotations["violations"].get<std::string>().find("ForeignKey"), std::string::npos);
  // The apiserver stores them as "<webhook name>/<key>": keys must be bare
  // qualified-name parts, values strings of bounded length.
  const std::regex name_part("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  for (const auto& [key, value] : annotations.items()) {
    EXPECT_TRUE(std::regex_match(key, name_part)) << key;
    ASSERT_TRUE(value.is_string());
    EXPECT_LE(value.get<std::string>().size(), kMaxAuditValueLength);
  }
  EXPECT_EQ(MetricValue(Metrics(), R"(keyward_admission_requests_total{webhook="validate",kind="TrainingJob",)"
                                   R"(operation="UPDATE",decision="audited"})"),
            1);
}

TEST_F(AdmissionTest, SubresourceRequestsAreAllowedUntouched) {
  StartServer();
  json review = LoadReviewFixture("TrainingJob/24-update-ssa-update-keyb.validating.json");
  review["request"]["subResource"] = "status";
  const json answer = Answer("/validate", review);
  EXPECT_TRUE(answer["response"]["allowed"]);
  EXPECT_FALSE(answer["response"].contains("warnings"));
  json creation = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
  creation["request"]["subResource"] = "status";
  EXPECT_FALSE(Answer("/mutate", creation)["response"].contains("patch"));
  EXPECT_EQ(MetricValue(Metrics(), R"(keyward_admission_requests_total{webhook="validate",kind="TrainingJob",)"
                                   R"(operation="UPDATE",decision="skipped"})"),
            1);
}

TEST_F(AdmissionTest, DryRunIsDecidedExactlyLikeARealRequest) {
  StartServer();
  for (const char* file : {"TrainingJob/17-create-emptykey.mutating.json", "TrainingJob/17-create-emptykey.validating.json",
                           "TrainingJob/22-update-dryrun-update-kms.validating.json"}) {
    SCOPED_TRACE(file);
    json dry = LoadReviewFixture(file);
    ASSERT_TRUE(dry["request"]["dryRun"]);
    json real = dry;
    real["request"]["dryRun"] = false;
    const std::string path = std::string(file).find("mutating") != std::string::npos ? "/mutate" : "/validate";
    EXPECT_EQ(Answer(path, dry)["response"], Answer(path, real)["response"]);
  }
}

TEST_F(AdmissionTest, MetricsHaveBoundedLabelsAndTheListedFamilies) {
  StartServer();
  Answer("/mutate", LoadReviewFixture("TrainingJob/01-create-base.mutating.json"));
  Answer("/validate", LoadReviewFixture("TrainingJob/01-create-base.validating.json"));
  json unknown = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
  unknown["request"]["kind"] = {{"group", "example.com"}, {"version", "v1"}, {"kind", "Widget"}};
  Answer("/mutate", unknown);

  HttpResult result = GetOps("/metrics");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& metrics = result.body;
  for (const char* family :
       {"keyward_admission_requests_total", "keyward_admission_duration_seconds", "keyward_injected_keys_total",
        "keyward_violations_total", "keyward_policy_reloads_total",
        "keyward_policy_last_reload_success_timestamp_seconds", "keyward_tls_certificate_expiry_timestamp_seconds",
        "keyward_build_info"}) {
    EXPECT_NE(metrics.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
  EXPECT_EQ(MetricValue(metrics, R"(keyward_injected_keys_total{kind="TrainingJob",purpose="volume"})"), 1);
  EXPECT_EQ(MetricValue(metrics, R"(keyward_injected_keys_total{kind="TrainingJob",purpose="output"})"), 1);
  EXPECT_EQ(MetricValue(metrics, R"(keyward_violations_total{kind="TrainingJob",code="MissingKey"})"), 2);
  EXPECT_EQ(MetricValue(metrics, R"(keyward_admission_requests_total{webhook="mutate",kind="other",)"
                                 R"(operation="CREATE",decision="unchanged"})"),
            1);
  EXPECT_EQ(MetricValue(metrics, R"(keyward_admission_duration_seconds_count{webhook="mutate"})"), 2);
  EXPECT_EQ(MetricValue(metrics, R"(keyward_build_info{version=")" KEYWARD_VERSION R"("})"), 1);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_GT(MetricValue(metrics, "keyward_tls_certificate_expiry_timestamp_seconds"), now);
  EXPECT_NEAR(MetricValue(metrics, "keyward_policy_last_reload_success_timestamp_seconds"), now, 60);
  // Names and namespaces stay in the log.
  EXPECT_EQ(metrics.find("team-a"), std::string::npos);
  EXPECT_EQ(metrics.find("trainingjob-a"), std::string::npos);
  EXPECT_EQ(metrics.find("Widget"), std::string::npos);
}

// The apiserver's client always accepts gzip; keyward answers uncompressed
// anyway (see admission_server.cc), exactly as to a client that does not.
TEST_F(AdmissionTest, AnswersAreNotCompressedForAGoClientThatAcceptsGzip) {
  StartServer();
  const json review = LoadReviewFixture("TrainingJob/01-create-base.mutating.json");
  std::string error;
  std::unique_ptr<TlsConnection> connection = TlsConnection::Open(server_->admission_port(), &error);
  ASSERT_TRUE(connection) << error;
  const std::string body = review.dump();
  std::string request = PostRequest("/mutate", body);
  request.insert(request.find("\r\n") + 2, "Accept-Encoding: gzip\r\nUser-Agent: kube-apiserver-admission\r\n");
  ASSERT_TRUE(connection->Write(request));
  std::optional<HttpResponse> response = connection->ReadResponse();
  ASSERT_TRUE(response) << connection->last_error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers.count("content-encoding"), 0u);
  const json answer = json::parse(response->body, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << response->body.substr(0, 64);
  EXPECT_EQ(answer["response"]["uid"], review["request"]["uid"]);
  EXPECT_EQ(answer["response"]["patchType"], "JSONPatch");
}

// The apiserver's plain requests and the other shapes an HTTP/1.1 client
// may send (a percent-encoded path, an Expect header, a closing request)
// must give the same answer, headers included, and the same decision on
// each webhook.
TEST_F(AdmissionTest, PlainRequestsAndOtherRequestsGetTheSameAnswer) {
  StartServer();
  std::string error;
  std::unique_ptr<TlsConnection> connection = TlsConnection::Open(server_->admission_port(), &error);
  ASSERT_TRUE(connection) << error;
  for (const std::string& fixture : {std::string("TrainingJob/01-create-base.mutating.json"),
                                     std::string("TrainingJob/05-update-kms-set.validating.json")}) {
    const std::string webhook = fixture.find("mutating") != std::string::npos ? "/mutate" : "/validate";
    const std::string body = LoadReviewFixture(fixture).dump();
    const std::string plain = PostRequest(webhook, body);
    std::vector<std::pair<std::string, std::string>> shapes = {
        {"plain", plain},
        {"plain with the apiserver's query", Replace(plain, webhook + " ", webhook + "?timeout=10s ")},
        {"percent-encoded path", Replace(plain, webhook + " ", webhook.substr(0, webhook.size() - 1) + "%65 ")},
        {"Expect: 100-continue", Replace(plain, "\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n")},
        {"closing", Replace(plain, "\r\n\r\n", "\r\nConnection: close\r\n\r\n")},
    };
    std::optional<HttpResponse> first;
    for (const auto& [shape, request] : shapes) {
      if (shape == "closing") {  // its own connection: the answer closes it
        connection = TlsConnection::Open(server_->admission_port(), &error);
        ASSERT_TRUE(connection) << error;
      }
      ASSERT_TRUE(connection->Write(request)) << shape;
      std::optional<HttpResponse> response = connection->ReadResponse();
      ASSERT_TRUE(response) << shape << ": " << connection->last_error();
      EXPECT_EQ(response->status, 200) << shape << ": " << response->body;
      if (!first) {
        first = response;
        EXPECT_EQ(first->headers.count("keep-alive"), 1u);
        continue;
      }
      EXPECT_EQ(response->body, first->body) << fixture << ", " << shape;
      std::map<std::string, std::string> expected_headers = first->headers;
      if (shape == "closing") {
        expected_headers.erase("keep-alive");
        expected_headers["connection"] = "close";
      }
      EXPECT_EQ(response->headers, expected_headers) << fixture << ", " << shape;
    }
    connection = TlsConnection::Open(server_->admission_port(), &error);
    ASSERT_TRUE(connection) << error;
  }
}

TEST_F(AdmissionTest, EachDecisionIsOneStructuredLogLine) {
  StartServer();
  const json review = LoadReviewFixture("TrainingJob/24-update-ssa-update-keyb.validating.json");
  Answer("/validate", review);
  ASSERT_TRUE(server_->WaitForLog("\"admission decision\""));
  std::istringstream lines(server_->Log());
  int decisions = 0;
  for (std::string line; std::getline(lines, line);) {
    const json entry = json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << "not JSON: " << line;
    if (entry.value("msg", "") != "admission decision") continue;
    ++decisions;
    EXPECT_EQ(entry["uid"], review["request"]["uid"]);
    EXPECT_EQ(entry["webhook"], "validate");
    EXPECT_EQ(entry["kind"], "TrainingJob");
    EXPECT_EQ(entry["namespace"], "team-a");
    EXPECT_EQ(entry["name"], review["request"]["name"]);
    EXPECT_EQ(entry["operation"], "UPDATE");
    EXPECT_EQ(entry["user"], "admin");
    EXPECT_EQ(entry["dryRun"], false);
    EXPECT_EQ(entry["decision"], "denied");
    const std::string codes = entry["violations"].dump();
    EXPECT_NE(codes.find("ForeignKey"), std::string::npos) << codes;
    // The platform team's log names the tenant that owns the key.
    EXPECT_EQ(entry["otherTenants"], json::array({"team-b"})) << line;
    EXPECT_TRUE(entry["injected"].is_array());
    EXPECT_TRUE(entry["latency_us"].is_number_integer());
  }
  EXPECT_EQ(decisions, 1);
}

TEST_F(AdmissionTest, TextLogFormatIsForPeople) {
  StartServer({"--log-format", "text"});
  Answer("/mutate", LoadReviewFixture("TrainingJob/01-create-base.mutating.json"));
  ASSERT_TRUE(server_->WaitForLog("admission decision webhook=mutate"));
  EXPECT_NE(server_->Log().find("namespace=team-a"), std::string::npos);
  EXPECT_NE(server_->Log().find("decision=patched"), std::string::npos);
}

TEST_F(AdmissionTest, OpsEndpointsAnswer) {
  StartServer();
  EXPECT_EQ(GetOps("/healthz").status, 200);
  EXPECT_EQ(GetOps("/readyz").status, 200);
  EXPECT_EQ(GetOps("/metrics").status, 200);
  EXPECT_EQ(GetOps("/nothing").status, 404);
}

TEST_F(AdmissionTest, OnlyTls12And13WithForwardSecretAeadCiphers) {
  StartServer();
  const int port = server_->admission_port();
  const auto open = [&](TlsOptions options) {
    std::string error;
    return TlsConnection::Open(port, options.Trusting(ca_path_), milliseconds(10'000), &error);
  };
  auto modern = open({});
  ASSERT_NE(modern, nullptr);
  EXPECT_EQ(modern->ProtocolVersion(), "TLSv1.3");

  auto tls12 = open(TlsOptions().Only(TLS1_2_VERSION));
  ASSERT_NE(tls12, nullptr);
  EXPECT_EQ(tls12->CipherName().rfind("ECDHE-", 0), 0u) << tls12->CipherName();

  for (int legacy : {TLS1_VERSION, TLS1_1_VERSION}) {
    EXPECT_EQ(open(TlsOptions().Only(legacy)), nullptr) << "protocol " << legacy;
  }
  for (const char* weak : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA256"}) {
    EXPECT_EQ(open(TlsOptions().Only(TLS1_2_VERSION).Ciphers(weak)), nullptr) << weak;
  }
}

}  // namespace
}  // namespace keyward::testing
