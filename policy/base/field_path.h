// Finds the concrete places in an object that a catalog field path names.
//
// A catalog path such as spec.productionVariants[].coreDumpConfig.kmsKeyID
// stands for one field per array element. The walkers here are iterative over
// the (short, fixed) path, never recursive over the object, so object depth
// does not matter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyward {

// A catalog path split into its segments: spec.productionVariants[].kmsKeyID
// is {spec}, {productionVariants, array}, {kmsKeyID}. The catalog splits each
// of its paths once, when it is built; the string_view overloads below split
// on every call and serve tests and one-off lookups.
struct PathSegment {
  std::string_view name;
  bool array;  // name[] : every element
};
using SplitPath = std::vector<PathSegment>;
SplitPath SplitFieldPath(std::string_view pattern);

// True when the path passes through an array (a segment name[]): the
// field has one instance per element.
bool HasArray(const SplitPath& path);

struct FieldInstance {
  std::string path;                  // spec.productionVariants[1].coreDumpConfig.kmsKeyID
  std::string pointer;               // /spec/productionVariants/1/coreDumpConfig/kmsKeyID
  std::vector<size_t> indices;       // the array index chosen at each [] on the way
  const nlohmann::json* value;       // the field, or nullptr when absent
  // How many of the field's parent objects are absent (FindAnchoredGaps);
  // 0 for an instance whose parent exists.
  size_t missing_objects = 0;
};

// Every instance of `pattern` in `root` whose parent object exists (for
// arrays: in each element that is an object), in document order.
std::vector<FieldInstance> FindFieldInstances(const nlohmann::json& root, const SplitPath& pattern);
std::vector<FieldInstance> FindFieldInstances(const nlohmann::json& root, std::string_view pattern);

// The instances of `pattern` whose parent objects are absent while the object
// at its first `anchor_depth` segments exists: the data exists, the key's
// place does not. `anchor_switch` names a boolean member of the anchor that,
// when false, means there is no data. The segments after the anchor must not
// be arrays. Instances whose parent exists are FindFieldInstances' business.
std::vector<FieldInstance> FindAnchoredGaps(const nlohmann::json& root, const SplitPath& pattern,
                                            size_t anchor_depth, std::string_view anchor_switch);

// Where a field is, or must be: FindFieldInstances, then for an anchored
// field (anchor_depth > 0) FindAnchoredGaps.
std::vector<FieldInstance> FindFieldSlots(const nlohmann::json& root, const SplitPath& pattern, size_t anchor_depth,
                                          std::string_view anchor_switch);

// The RFC 6902 `add` operation that sets `instance` to `value`, adding its
// missing parent objects (instance.missing_objects) in the same operation.
nlohmann::json AddOperation(const FieldInstance& instance, const SplitPath& pattern, nlohmann::json value);

// The field at the concrete position of `instance` (same array indices) in
// another version of the object, or nullptr when absent there.
const nlohmann::json* FindSameField(const nlohmann::json& root, const SplitPath& pattern,
                                    const std::vector<size_t>& indices);
const nlohmann::json* FindSameField(const nlohmann::json& root, std::string_view pattern,
                                    const std::vector<size_t>& indices);

// True when the object that makes `instance` (a place of `pattern` in a
// newer version of the object) exist also existed in `old_root` at the same
// array positions: the place's parent, or for an anchored gap
// (missing_objects > 0) its anchor. False means the newer version brings
// the place's data in new, as a CREATE would.
bool PlaceExistedBefore(const nlohmann::json& old_root, const SplitPath& pattern, size_t anchor_depth,
                        const FieldInstance& instance);

// String values of `pattern` in `root`, where the leading arrays that
// `pattern` shares with `bound_pattern` are fixed to `bound_indices`: the
// instance types of the same array element as the key field.
std::vector<std::string_view> FindBoundStrings(const nlohmann::json& root, const SplitPath& pattern,
                                               const SplitPath& bound_pattern,
                                               const std::vector<size_t>& bound_indices);
std::vector<std::string_view> FindBoundStrings(const nlohmann::json& root, std::string_view pattern,
                                               std::string_view bound_pattern,
                                               const std::vector<size_t>& bound_indices);

// The value at a dotted path without arrays (e.g. metadata.name), or nullptr.
const nlohmann::json* FindPlain(const nlohmann::json& root, std::string_view dotted_path);

// RFC 6901 escaping of one reference token ("~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(std::string_view token);
void AppendPointerToken(std::string_view token, std::string* out);

// True for absent, null and "" values: SageMaker treats them alike.
bool IsEmptyValue(const nlohmann::json* value);

}  // namespace keyward
