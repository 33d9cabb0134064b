// A client that plays the kube-apiserver's part for one object: wraps it in
// an AdmissionReview, posts it to /mutate, applies the returned patch, and
// posts the result to /validate. Used by `keyward review` and the demo.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class SSLClient;
}

#include "webhook/base/status.h"

namespace keyward {

struct ReviewIdentity {
  std::string namespace_name;  // used when the object names none
  std::string username;
};

// An admission.k8s.io/v1 AdmissionReview of a CREATE of `object`, as the
// apiserver would send it (kind from apiVersion/kind, namespace and name
// from the metadata, userInfo, dryRun false).
nlohmann::json BuildAdmissionReview(const nlohmann::json& object, std::string_view uid,
                                    const ReviewIdentity& identity);

struct ReviewOutcome {
  nlohmann::json patch = nlohmann::json::array();  // what /mutate returned
  std::vector<std::string> mutation_warnings;
  nlohmann::json mutated_object;  // the object with the patch applied
  bool allowed = true;            // what /validate returned
  std::string message;            // the denial message
  std::vector<std::string> warnings;
  nlohmann::json audit_annotations = nlohmann::json::object();
};

class ReviewClient {
 public:
  // `server` is https://host:port; `ca_file` verifies its certificate.
  static Result<std::unique_ptr<ReviewClient>> Connect(std::string_view server, const std::string& ca_file);
  ~ReviewClient();

  // A failure says what went wrong on the wire.
  Status Review(const nlohmann::json& object, const ReviewIdentity& identity, ReviewOutcome* out);

 private:
  explicit ReviewClient(std::unique_ptr<httplib::SSLClient> client);
  Status Post(std::string_view path, const nlohmann::json& review, nlohmann::json* response);

  std::unique_ptr<httplib::SSLClient> client_;
  uint64_t next_uid_ = 1;
};

}  // namespace keyward
