// What the cluster says of a namespace (its labels and annotations), and the
// Kubernetes label selectors a tenant may claim namespaces with. The server
// learns namespaces by watching them; `keyward check` from Namespace objects
// among its inputs. A request without one is decided from names alone.
//
// Plain values: immutable once made, read from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "policy/base/enum_words.h"

namespace keyward {

using LabelMap = std::map<std::string, std::string, std::less<>>;

struct NamespaceInfo {
  std::string name;
  LabelMap labels;
  LabelMap annotations;
};

// The annotations ACK reads on a namespace (the ACK runtime's
// pkg/runtime, "services.k8s.aws/default-region" and
// "services.k8s.aws/owner-account-id"), and on a resource.
inline constexpr std::string_view kResourceRegionAnnotation = "services.k8s.aws/region";
inline constexpr std::string_view kNamespaceRegionAnnotation = "services.k8s.aws/default-region";
// ACK's cross-account resource management: the namespace's resources are
// made in this AWS account.
inline constexpr std::string_view kNamespaceOwnerAccountAnnotation = "services.k8s.aws/owner-account-id";

// True for the namespace annotations a decision reads. The server keeps only
// these (and every label: a selector may name any), so a namespace's
// last-applied-configuration or a tool's large annotation costs no memory.
bool IsNamespaceAnnotationRead(std::string_view key);

// matchExpressions operators, with Kubernetes' spelling.
enum class SelectorOperator { kIn, kNotIn, kExists, kDoesNotExist };
inline constexpr EnumWord<SelectorOperator> kSelectorOperatorWords[] = {{SelectorOperator::kIn, "In"},
                                                                        {SelectorOperator::kNotIn, "NotIn"},
                                                                        {SelectorOperator::kExists, "Exists"},
                                                                        {SelectorOperator::kDoesNotExist, "DoesNotExist"}};

struct LabelRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kIn;
  std::vector<std::string> values;  // In and NotIn only

  bool operator==(const LabelRequirement&) const = default;
};

// Kubernetes semantics: every matchLabels pair and every requirement must
// hold (NotIn and DoesNotExist hold for a label that is absent).
struct LabelSelector {
  LabelMap match_labels;
  std::vector<LabelRequirement> match_expressions;

  bool Matches(const LabelMap& labels) const;
  bool operator==(const LabelSelector&) const = default;
};

// The label keys a selector reads, for lint.
std::vector<std::string> SelectorKeys(const LabelSelector& selector);

}  // namespace keyward
