#include "webhook/cli/review_client.h"

#include <unistd.h>

#include <httplib.h>

#include "policy/rules/decision.h"
#include "webhook/base/base64.h"
#include "webhook/base/host_port.h"
#include "webhook/base/json_member.h"

namespace keyward {
namespace {

using Json = nlohmann::json;

std::vector<std::string> Strings(const Json& response, const char* key) {
  std::vector<std::string> out;
  auto it = response.find(key);
  if (it == response.end() || !it->is_array()) return out;
  for (const Json& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

Json BuildAdmissionReview(const Json& object, std::string_view uid, const ReviewIdentity& identity) {
  const AdmissionRequest create = CreateRequestFor(object);
  const std::string namespace_name = create.namespace_name.empty() ? identity.namespace_name : create.namespace_name;

  Json stored = object;
  if (stored.is_object() && !namespace_name.empty()) stored["metadata"]["namespace"] = namespace_name;
  const Json group_version_kind = {{"group", create.group}, {"version", create.version}, {"kind", create.kind}};
  Json request = {
      {"uid", uid},
      {"kind", group_version_kind},
      {"requestKind", group_version_kind},
      {"name", create.name},
      {"namespace", namespace_name},
      {"operation", "CREATE"},
      {"userInfo", {{"username", identity.username}, {"groups", Json::array({"system:authenticated"})}}},
      {"object", std::move(stored)},
      {"oldObject", nullptr},
      {"dryRun", false},
  };
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"request", std::move(request)}};
}

Result<std::unique_ptr<ReviewClient>> ReviewClient::Connect(std::string_view server, const std::string& ca_file) {
  HttpsUrl url;
  const UrlProblem problem = ParseHttpsUrl(server, &url);
  if (problem == UrlProblem::kNotHttps) {
    return Status::Error("--server must start with https://, e.g. https://127.0.0.1:8443");
  }
  // A host and port only: the paths are the server's own (/mutate, /validate).
  if (problem != UrlProblem::kNone || (!url.path.empty() && url.path != "/")) {
    return Status::Error("--server has an invalid port: " + std::string(server));
  }
  if (::access(ca_file.c_str(), R_OK) != 0) {
    return Status::IoError("cannot read the CA file " + ca_file);
  }
  auto client = std::make_unique<httplib::SSLClient>(url.address.host, url.address.port);
  client->set_ca_cert_path(ca_file.c_str());
  client->enable_server_certificate_verification(true);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // headers and body are separate writes
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(15, 0);
  return std::unique_ptr<ReviewClient>(new ReviewClient(std::move(client)));
}

ReviewClient::ReviewClient(std::unique_ptr<httplib::SSLClient> client) : client_(std::move(client)) {}
ReviewClient::~ReviewClient() = default;

Status ReviewClient::Post(std::string_view path, const Json& review, Json* response) {
  auto result = client_->Post(std::string(path).c_str(), review.dump(), "application/json");
  if (!result) {
    std::string error = "POST " + std::string(path) + " failed: " + httplib::to_string(result.error());
    if (result.error() == httplib::Error::SSLServerVerification) {
      error += " (the server certificate is not signed by the CA given with --ca-file)";
    }
    return Status::IoError(error);
  }
  if (result->status != 200) {
    return Status::Error("POST " + std::string(path) + " answered HTTP " + std::to_string(result->status) + ": " +
                         result->body);
  }
  Json parsed = Json::parse(result->body, nullptr, false);
  const std::string& uid = review["request"]["uid"].get_ref<const std::string&>();
  if (!parsed.is_object() || !parsed.contains("response") || !parsed["response"].is_object()) {
    return Status::Error("POST " + std::string(path) + " did not answer with an AdmissionReview");
  }
  if (StringMember(parsed["response"], "uid") != uid) {
    return Status::Error("POST " + std::string(path) + " answered for another uid than " + uid);
  }
  *response = std::move(parsed["response"]);
  return Status::Ok();
}

Status ReviewClient::Review(const Json& object, const ReviewIdentity& identity, ReviewOutcome* out) {
  const std::string prefix = "keyward-review-" + std::to_string(::getpid()) + "-";
  Json mutation;
  if (Status posted = Post("/mutate", BuildAdmissionReview(object, prefix + std::to_string(next_uid_++), identity),
                           &mutation);
      !posted.ok()) {
    return posted;
  }
  out->mutation_warnings = Strings(mutation, "warnings");
  out->mutated_object = object;
  if (mutation.contains("patch")) {
    std::optional<std::string> patch_text = Base64Decode(StringMember(mutation, "patch"));
    Json patch = patch_text ? Json::parse(*patch_text, nullptr, false) : Json();
    if (!patch.is_array()) return Status::Error("/mutate returned a patch that is not a base64 JSON Patch array");
    try {
      out->mutated_object = object.patch(patch);
    } catch (const std::exception& e) {
      return Status::Error(std::string("/mutate returned a patch that does not apply: ") + e.what());
    }
    out->patch = std::move(patch);
  }

  Json validation;
  if (Status posted = Post("/validate",
                           BuildAdmissionReview(out->mutated_object, prefix + std::to_string(next_uid_++), identity),
                           &validation);
      !posted.ok()) {
    return posted;
  }
  out->allowed = BoolMember(validation, "allowed", false);
  if (validation.contains("status") && validation["status"].is_object()) {
    out->message = StringMember(validation["status"], "message");
  }
  out->warnings = Strings(validation, "warnings");
  if (validation.contains("auditAnnotations")) out->audit_annotations = validation["auditAnnotations"];
  return Status::Ok();
}

}  // namespace keyward
