// A request through keyward's two webhooks as the kube-apiserver runs it:
// the AdmissionReview to the mutating webhook's Admit, its JSON Patch
// applied to the object, the patched object to the validating webhook's
// Admit. `keyward check` and `keyward test` decide with it, so their answers
// are the server's on the same request.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/admission/admit.h"

namespace keyward {

struct ApiServerRun {
  AdmissionOutcome mutation;
  AdmissionOutcome validation;  // set when the patch applied (error empty)
  nlohmann::json patch = nlohmann::json::array();  // the mutating webhook's, applied
  nlohmann::json patched;       // the object after the patch; null for a DELETE
  std::vector<std::string> warnings;  // both webhooks', in the order kubectl prints them
  size_t mutation_warnings = 0;       // how many of them, first, are the mutating webhook's
  std::string message;          // the validating webhook's denial message, if any
  // An answer the apiserver would not take (an HTTP error, a patch that
  // does not apply): what it was.
  std::string error;
};

// `review` is an AdmissionReview request (its object and oldObject are what
// the apiserver sends).
ApiServerRun AdmitAsTheApiServer(const Policy& policy, nlohmann::json review, const AdmitOptions& options);

// What a review for `object` says besides the object itself.
struct ReviewRequest {
  Operation operation = Operation::kCreate;
  std::string namespace_name;  // empty: the object's metadata.namespace, else "default"
  std::string username = "kubernetes-user";
  const nlohmann::json* old_object = nullptr;  // UPDATE
  std::string uid = "keyward-local";
  // Write the namespace into the objects' metadata.namespace, as the
  // apiserver has them. `keyward check -o yaml` keeps the manifests as
  // written, for `kubectl apply -n`.
  bool write_namespace = true;
};

// The admission.k8s.io/v1 AdmissionReview the apiserver sends for `object`:
// group, version and kind from the object, the resource from the catalog,
// the name (or generateName), the namespace (see write_namespace). A DELETE
// sends the object as oldObject.
nlohmann::json ReviewFor(const nlohmann::json& object, const ReviewRequest& request);

}  // namespace keyward
