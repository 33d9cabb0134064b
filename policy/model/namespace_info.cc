#include "policy/model/namespace_info.h"

#include <algorithm>

namespace keyward {

bool IsNamespaceAnnotationRead(std::string_view key) {
  return key == kNamespaceRegionAnnotation || key == kNamespaceOwnerAccountAnnotation;
}

bool LabelSelector::Matches(const LabelMap& labels) const {
  for (const auto& [key, value] : match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  for (const LabelRequirement& requirement : match_expressions) {
    auto it = labels.find(requirement.key);
    const bool present = it != labels.end();
    const bool listed =
        present && std::find(requirement.values.begin(), requirement.values.end(), it->second) != requirement.values.end();
    switch (requirement.op) {
      case SelectorOperator::kIn:
        if (!listed) return false;
        break;
      case SelectorOperator::kNotIn:
        if (listed) return false;
        break;
      case SelectorOperator::kExists:
        if (!present) return false;
        break;
      case SelectorOperator::kDoesNotExist:
        if (present) return false;
        break;
    }
  }
  return true;
}

std::vector<std::string> SelectorKeys(const LabelSelector& selector) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : selector.match_labels) keys.push_back(key);
  for (const LabelRequirement& requirement : selector.match_expressions) keys.push_back(requirement.key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace keyward
