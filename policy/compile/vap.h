// The key policy compiled to ValidatingAdmissionPolicies: denials the
// kube-apiserver makes itself, which hold while the keyward webhook is down.
//
// The CEL is generated from the catalog's tables (key fields, role fields,
// where SageMaker refuses a field) and never names a tenant, a key or a
// namespace: those live in one params object (KeyPolicyParams, a
// cluster-scoped kind of keyward's own), so editing the policy changes data,
// not CEL. What CEL cannot express is listed in `not_expressed`.
//
// The contract the differential test holds it to: a policy denies only
// what the core denies too (Validate, on the same object and namespace),
// so it never refuses what the webhook admits; and where the core denies
// with a code a policy covers, it denies too.
//
// Pure: a function of the policy and the catalog. Thread safety: none
// needed, no state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/base/enum_words.h"
#include "policy/model/policy.h"

namespace keyward {

enum class VapApiVersion { kV1, kV1beta1 };
inline constexpr EnumWord<VapApiVersion> kVapApiVersionWords[] = {{VapApiVersion::kV1, "v1"},
                                                                 {VapApiVersion::kV1beta1, "v1beta1"}};

inline constexpr std::string_view kParamsGroup = "keyward.dev";
inline constexpr std::string_view kParamsVersion = "v1alpha1";
inline constexpr std::string_view kParamsKind = "KeyPolicyParams";
inline constexpr std::string_view kParamsName = "keyward";

struct CompiledVap {
  // In the order they apply: the params CRD, the params, then each policy
  // followed by its binding.
  std::vector<nlohmann::json> objects;
  // The violation codes some policy denies.
  std::vector<std::string> covered_codes;
  // A rule or place CEL cannot express, and why (one sentence each).
  std::vector<std::string> not_expressed;
};

CompiledVap CompileVap(const Policy& policy, VapApiVersion version);

// The params object alone (for a policy change: re-apply it, the CEL stays).
nlohmann::json VapParams(const Policy& policy);

}  // namespace keyward
