#include "webhook/admission/admission_codec.h"

#include <string>
#include <vector>

#include "policy/base/text.h"
#include "webhook/base/base64.h"
#include "webhook/observe/json_text.h"

namespace keyward {
namespace {

using Json = nlohmann::json;

// Reads an optional string member; a present non-string is an error.
Status OptionalString(const Json& parent, const char* key, std::string_view where, std::string* out) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Status::Error(std::string(where) + " must be a string, not " + it->type_name());
  *out = it->get_ref<const std::string&>();
  return Status::Ok();
}

// Reads an optional object member (null counts as absent).
Status OptionalObject(const Json& parent, const char* key, std::string_view where, const Json** out) {
  *out = nullptr;
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Status::Error(std::string(where) + " must be an object or null, not " + it->type_name());
  *out = &*it;
  return Status::Ok();
}

// Runs the checks in order and returns the first failure (the rest do not
// run), or OK.
template <typename... Checks>
Status FirstFailure(Checks&&... checks) {
  Status failed;
  ((failed.ok() ? (void)(failed = checks()) : (void)0), ...);
  return failed;
}

Status DecodeRequest(const Json& request, DecodedReview* out) {
  AdmissionRequest& decoded = out->request;

  auto uid = request.find("uid");
  if (uid == request.end() || !uid->is_string() || uid->get_ref<const std::string&>().empty()) {
    return Status::Error("request.uid is missing or not a non-empty string: the response must echo it");
  }
  out->uid = uid->get_ref<const std::string&>();

  auto kind = request.find("kind");
  if (kind == request.end() || !kind->is_object()) {
    return Status::Error("request.kind is missing: it must be an object with group, version and kind");
  }
  if (Status read = FirstFailure([&] { return OptionalString(*kind, "group", "request.kind.group", &decoded.group); },
                                 [&] { return OptionalString(*kind, "version", "request.kind.version", &decoded.version); },
                                 [&] { return OptionalString(*kind, "kind", "request.kind.kind", &decoded.kind); });
      !read.ok()) {
    return read;
  }
  if (decoded.kind.empty()) return Status::Error("request.kind.kind is missing: it names the object's kind");

  std::string operation;
  if (Status read = OptionalString(request, "operation", "request.operation", &operation); !read.ok()) return read;
  if (!ParseOperation(operation, &decoded.operation)) {
    return Status::Error("request.operation is \"" + operation + "\": it must be CREATE, UPDATE, DELETE or CONNECT");
  }

  if (Status read = FirstFailure(
          [&] { return OptionalString(request, "namespace", "request.namespace", &decoded.namespace_name); },
          [&] { return OptionalString(request, "name", "request.name", &decoded.name); },
          [&] { return OptionalString(request, "subResource", "request.subResource", &decoded.sub_resource); });
      !read.ok()) {
    return read;
  }

  const Json* user_info = nullptr;
  if (Status read = OptionalObject(request, "userInfo", "request.userInfo", &user_info); !read.ok()) return read;
  if (user_info != nullptr) {
    if (Status read = OptionalString(*user_info, "username", "request.userInfo.username", &decoded.username);
        !read.ok()) {
      return read;
    }
  }

  auto dry_run = request.find("dryRun");
  if (dry_run != request.end() && !dry_run->is_null()) {
    if (!dry_run->is_boolean()) {
      return Status::Error(std::string("request.dryRun must be a boolean, not ") + dry_run->type_name());
    }
    decoded.dry_run = dry_run->get<bool>();
  }

  if (Status read = FirstFailure(
          [&] { return OptionalObject(request, "object", "request.object", &decoded.object); },
          [&] { return OptionalObject(request, "oldObject", "request.oldObject", &decoded.old_object); });
      !read.ok()) {
    return read;
  }
  return CheckRequestObjects(decoded);
}

// The warnings member, if there are any, capped so a huge object cannot
// flood kubectl's output (the list is copied only when it is capped).
void AddWarnings(const std::vector<std::string>& warnings, JsonObjectWriter& response) {
  if (warnings.empty()) return;
  if (warnings.size() <= kMaxWarnings) {
    response.Strings("warnings", warnings);
    return;
  }
  std::vector<std::string> capped(warnings.begin(), warnings.begin() + kMaxWarnings - 1);
  capped.push_back("and " + std::to_string(warnings.size() - kMaxWarnings + 1) +
                   " more (see the keyward log for this request)");
  response.Strings("warnings", capped);
}

std::string Bounded(std::string value) { return ElideEnd(value, kMaxAuditValueLength); }

bool HasAuditLevelViolations(const ValidationResult& result) {
  for (const Violation& v : result.violations) {
    if (v.enforcement == Enforcement::kAudit) return true;
  }
  return false;
}

// The violations at audit level (the others deny or warn).
std::string AuditAnnotations(const ValidationResult& result) {
  std::string violations;
  for (const Violation& v : result.violations) {
    if (v.enforcement != Enforcement::kAudit) continue;
    if (!violations.empty()) violations += "; ";
    violations += v.code + " " + v.path + ": " + v.message;
  }
  std::string text;
  JsonObjectWriter annotations(&text);
  annotations.String(kAuditEnforcementKey, EnforcementName(Enforcement::kAudit));
  if (!result.tenant.empty()) annotations.String(kAuditTenantKey, Bounded(result.tenant));
  annotations.String(kAuditViolationsKey, Bounded(std::move(violations)));
  annotations.Close();
  return text;
}

// Writes the AdmissionReview around a response whose members `fill` adds
// after uid and allowed, into one string.
template <typename Fill>
std::string Envelope(const DecodedReview& review, bool allowed, Fill fill) {
  std::string out;
  out.reserve(768);
  JsonObjectWriter envelope(&out);
  envelope.String("apiVersion", review.api_version)
      .String("kind", "AdmissionReview")
      .Value("response", [&](std::string* text) {
        JsonObjectWriter members(text);
        members.String("uid", review.uid).Bool("allowed", allowed);
        fill(members);
        members.Close();
      });
  envelope.Close();
  return out;
}

}  // namespace

bool IsAdmissionApiVersion(std::string_view api_version) {
  return api_version == kAdmissionV1 || api_version == kAdmissionV1beta1;
}

Status CheckRequestObjects(const AdmissionRequest& request) {
  if (IsSubresourceRequest(request)) return Status::Ok();  // never judged: no object needed
  const bool needs_object = request.operation == Operation::kCreate || request.operation == Operation::kUpdate;
  if (needs_object && request.object == nullptr) {
    std::string message = "request.object is missing: a ";
    message += OperationName(request.operation);
    message += " review carries the object as it will be stored";
    return Status::Error(std::move(message));
  }
  if (request.operation == Operation::kUpdate && request.old_object == nullptr) {
    return Status::Error("request.oldObject is missing: an UPDATE review carries the stored object");
  }
  return Status::Ok();
}

Status DecodeAdmissionReview(const Json& review, DecodedReview* out) {
  if (!review.is_object()) {
    return Status::Error(std::string("the body is a JSON ") + review.type_name() + ", not an AdmissionReview object");
  }
  auto api_version = review.find("apiVersion");
  if (api_version == review.end() || !api_version->is_string()) {
    return Status::Error("apiVersion is missing: expected admission.k8s.io/v1 or admission.k8s.io/v1beta1");
  }
  const auto& version = api_version->get_ref<const std::string&>();
  if (!IsAdmissionApiVersion(version)) {
    return Status::Error("apiVersion is \"" + version + "\": expected admission.k8s.io/v1 or admission.k8s.io/v1beta1");
  }
  auto kind = review.find("kind");
  if (kind == review.end() || !kind->is_string() || kind->get_ref<const std::string&>() != "AdmissionReview") {
    return Status::Error("kind must be \"AdmissionReview\"");
  }
  auto request = review.find("request");
  if (request == review.end() || !request->is_object()) {
    return Status::Error("request is missing: an AdmissionReview sent to a webhook carries a request object");
  }
  out->api_version = version;
  return DecodeRequest(*request, out);
}

std::string EncodeMutationReview(const DecodedReview& review, const MutationResult& result) {
  return Envelope(review, true, [&result](JsonObjectWriter& response) {
    if (!result.patch.empty()) {
      response.String("patchType", "JSONPatch").Value("patch", [&result](std::string* text) {
        text->push_back('"');
        std::string patch;
        patch.reserve(256);
        AppendJsonValue(result.patch, &patch);
        AppendBase64(patch, text);
        text->push_back('"');
      });
    }
    AddWarnings(result.warnings, response);
  });
}

std::string EncodeValidationReview(const DecodedReview& review, const ValidationResult& result) {
  return Envelope(review, result.allowed, [&result](JsonObjectWriter& response) {
    if (!result.allowed) {
      response.Value("status", [&result](std::string* text) {
        JsonObjectWriter(text)
            .String("status", "Failure")
            .Int("code", 403)
            .String("reason", "Forbidden")
            .String("message", result.message)
            .Close();
      });
    }
    AddWarnings(result.warnings, response);
    if (HasAuditLevelViolations(result)) {
      response.Raw("auditAnnotations", AuditAnnotations(result));
    }
  });
}

std::string EncodeUnavailableReview(const DecodedReview& review, std::string_view message) {
  return Envelope(review, false, [message](JsonObjectWriter& response) {
    response.Value("status", [message](std::string* text) {
      JsonObjectWriter(text)
          .String("status", "Failure")
          .Int("code", 503)
          .String("reason", "ServiceUnavailable")
          .String("message", message)
          .Close();
    });
  });
}

std::string EncodeAllowedReview(const DecodedReview& review) {
  return Envelope(review, true, [](JsonObjectWriter&) {});
}

std::string EncodeHttpError(int http_status, std::string_view message) {
  const char* reason = http_status == 413   ? "RequestEntityTooLarge"
                       : http_status == 415 ? "UnsupportedMediaType"
                       : http_status == 404 ? "NotFound"
                       : http_status == 405 ? "MethodNotAllowed"
                       : http_status == 411 ? "LengthRequired"
                       : http_status >= 500 ? "InternalError"
                                            : "BadRequest";
  Json body = {{"apiVersion", "v1"}, {"kind", "Status"},  {"status", "Failure"},
               {"code", http_status}, {"reason", reason}, {"message", std::string(message)}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace keyward
