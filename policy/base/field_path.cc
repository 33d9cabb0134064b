#include "policy/base/field_path.h"

#include <algorithm>

namespace keyward {
namespace {

using Segment = PathSegment;

}  // namespace

SplitPath SplitFieldPath(std::string_view pattern) {
  std::vector<Segment> segments;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t dot = pattern.find('.', start);
    std::string_view part = pattern.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    bool array = part.ends_with("[]");
    if (array) part.remove_suffix(2);
    segments.push_back({part, array});
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return segments;
}

bool HasArray(const SplitPath& path) {
  return std::any_of(path.begin(), path.end(), [](const PathSegment& segment) { return segment.array; });
}

namespace {

const nlohmann::json* Member(const nlohmann::json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

// Where a walk is: the node, and the index taken at each array on the way
// (enough to spell the path once the walk arrives).
struct Cursor {
  const nlohmann::json* node;
  std::vector<size_t>* indices;
};

// Walks all segments from `s` on but the last (the field itself), branching
// at arrays, and calls visit(Cursor) at each parent reached, in document
// order. `fixed` optionally pins the index of the first arrays. Depth first,
// one indices vector for the whole walk: a walk allocates nothing unless it
// crosses an array, and paths are spelled only for the parents reached
// (SpellInstance); spelling every step was most of a walk's cost.
template <typename Visit>
void WalkToParents(const nlohmann::json& node, const std::vector<Segment>& segments, size_t s,
                   const std::vector<size_t>* fixed, size_t fixed_arrays, std::vector<size_t>& indices,
                   Visit& visit) {
  if (s + 1 >= segments.size()) {
    visit(Cursor{&node, &indices});
    return;
  }
  const Segment& segment = segments[s];
  const nlohmann::json* child = Member(node, segment.name);
  if (child == nullptr) return;
  if (!segment.array) {
    if (child->is_object()) WalkToParents(*child, segments, s + 1, fixed, fixed_arrays, indices, visit);
    return;
  }
  if (!child->is_array()) return;
  const size_t array_number = indices.size();
  size_t first = 0, last = child->size();
  if (fixed != nullptr && array_number < fixed_arrays) {
    first = (*fixed)[array_number];
    last = std::min(first + 1, child->size());
  }
  for (size_t i = first; i < last; ++i) {
    const nlohmann::json& element = (*child)[i];
    if (!element.is_object()) continue;
    indices.push_back(i);
    WalkToParents(element, segments, s + 1, fixed, fixed_arrays, indices, visit);
    indices.pop_back();
  }
}

template <typename Visit>
void WalkToParents(const nlohmann::json& root, const std::vector<Segment>& segments, const std::vector<size_t>* fixed,
                   size_t fixed_arrays, Visit visit) {
  std::vector<size_t> indices;
  WalkToParents(root, segments, 0, fixed, fixed_arrays, indices, visit);
}

// The instance of `segments`' last segment under a parent a walk reached:
// its dotted path (spec.productionVariants[1].coreDumpConfig.kmsKeyID) and
// JSON pointer (/spec/productionVariants/1/coreDumpConfig/kmsKeyID), each
// built with one allocation. Appended piece by piece: "." + std::string(...)
// makes GCC 12 at -O3 raise a false -Wrestrict.
FieldInstance SpellInstance(const std::vector<Segment>& segments, const Cursor& parent, const nlohmann::json* value) {
  size_t length = 0;
  for (const Segment& segment : segments) length += segment.name.size() + 1;
  length += 8 * parent.indices->size();
  FieldInstance instance{{}, {}, *parent.indices, value, 0};
  instance.path.reserve(length);
  instance.pointer.reserve(length);
  size_t array_number = 0;
  for (size_t s = 0; s < segments.size(); ++s) {
    if (s > 0) instance.path += '.';
    instance.path += segments[s].name;
    instance.pointer += '/';
    AppendPointerToken(segments[s].name, &instance.pointer);
    // The field itself takes no index: it is the member, whatever it holds.
    if (!segments[s].array || s + 1 == segments.size() || array_number >= instance.indices.size()) continue;
    const std::string digits = std::to_string(instance.indices[array_number++]);
    instance.path += '[';
    instance.path += digits;
    instance.path += ']';
    instance.pointer += '/';
    instance.pointer += digits;
  }
  return instance;
}

}  // namespace

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  AppendPointerToken(token, &out);
  return out;
}

void AppendPointerToken(std::string_view token, std::string* out) {
  for (char c : token) {
    if (c == '~') {
      *out += "~0";
    } else if (c == '/') {
      *out += "~1";
    } else {
      *out += c;
    }
  }
}

bool IsEmptyValue(const nlohmann::json* value) {
  return value == nullptr || value->is_null() || (value->is_string() && value->get_ref<const std::string&>().empty());
}

std::vector<FieldInstance> FindFieldInstances(const nlohmann::json& root, const SplitPath& segments) {
  std::vector<FieldInstance> out;
  const Segment& field = segments.back();
  WalkToParents(root, segments, nullptr, 0, [&](const Cursor& parent) {
    out.push_back(SpellInstance(segments, parent, Member(*parent.node, field.name)));
  });
  return out;
}

std::vector<FieldInstance> FindFieldInstances(const nlohmann::json& root, std::string_view pattern) {
  return FindFieldInstances(root, SplitFieldPath(pattern));
}

std::vector<FieldInstance> FindAnchoredGaps(const nlohmann::json& root, const SplitPath& pattern,
                                            size_t anchor_depth, std::string_view anchor_switch) {
  std::vector<FieldInstance> out;
  // An anchor is a strict ancestor of the key's parent (else there is no gap).
  if (anchor_depth == 0 || anchor_depth + 1 >= pattern.size()) return out;
  const SplitPath anchor(pattern.begin(), pattern.begin() + static_cast<std::ptrdiff_t>(anchor_depth));
  for (FieldInstance& found : FindFieldInstances(root, anchor)) {
    if (found.value == nullptr || !found.value->is_object()) continue;
    if (!anchor_switch.empty()) {
      const nlohmann::json* on = Member(*found.value, anchor_switch);
      if (on != nullptr && on->is_boolean() && !on->get<bool>()) continue;
    }
    FieldInstance gap{std::move(found.path), std::move(found.pointer), std::move(found.indices), nullptr, 0};
    const nlohmann::json* node = found.value;
    bool blocked = false;
    for (size_t s = anchor_depth; s < pattern.size(); ++s) {
      const Segment& segment = pattern[s];
      // Appended piece by piece: "." + std::string(...) makes GCC 12 at -O3
      // raise a false -Wrestrict.
      gap.path += '.';
      gap.path += segment.name;
      gap.pointer += '/';
      AppendPointerToken(segment.name, &gap.pointer);
      if (s + 1 == pattern.size() || gap.missing_objects > 0) continue;
      const nlohmann::json* child = Member(*node, segment.name);
      if (child == nullptr || child->is_null()) {
        gap.missing_objects = pattern.size() - 1 - s;
      } else if (child->is_object() && !segment.array) {
        node = child;
      } else {
        blocked = true;  // a value the schema would reject; nothing to add to
        break;
      }
    }
    if (!blocked && gap.missing_objects > 0) out.push_back(std::move(gap));
  }
  return out;
}

std::vector<FieldInstance> FindFieldSlots(const nlohmann::json& root, const SplitPath& pattern, size_t anchor_depth,
                                          std::string_view anchor_switch) {
  std::vector<FieldInstance> slots = FindFieldInstances(root, pattern);
  for (FieldInstance& gap : FindAnchoredGaps(root, pattern, anchor_depth, anchor_switch)) slots.push_back(std::move(gap));
  return slots;
}

nlohmann::json AddOperation(const FieldInstance& instance, const SplitPath& pattern, nlohmann::json value) {
  std::string pointer = instance.pointer;
  for (size_t k = 0; k < instance.missing_objects && k < pattern.size(); ++k) {
    nlohmann::json parent = nlohmann::json::object();
    parent[std::string(pattern[pattern.size() - 1 - k].name)] = std::move(value);
    value = std::move(parent);
    pointer.erase(pointer.rfind('/'));
  }
  // Built member by member: the initializer-list form copies every value
  // (the key's text among them) through temporary arrays.
  nlohmann::json operation = nlohmann::json::object();
  auto& members = operation.get_ref<nlohmann::json::object_t&>();
  members.emplace("op", "add");
  members.emplace("path", std::move(pointer));
  members.emplace("value", std::move(value));
  return operation;
}

const nlohmann::json* FindSameField(const nlohmann::json& root, const SplitPath& segments,
                                    const std::vector<size_t>& indices) {
  // The first parent reached decides (the walk goes on, finding nothing new).
  bool reached = false;
  const nlohmann::json* found = nullptr;
  WalkToParents(root, segments, &indices, indices.size(), [&](const Cursor& parent) {
    if (reached) return;
    reached = true;
    found = Member(*parent.node, segments.back().name);
  });
  return found;
}

const nlohmann::json* FindSameField(const nlohmann::json& root, std::string_view pattern,
                                    const std::vector<size_t>& indices) {
  return FindSameField(root, SplitFieldPath(pattern), indices);
}

bool PlaceExistedBefore(const nlohmann::json& old_root, const SplitPath& pattern, size_t anchor_depth,
                        const FieldInstance& instance) {
  const size_t depth = instance.missing_objects > 0 ? anchor_depth : pattern.size() - 1;
  if (depth == 0 || depth > pattern.size()) return true;  // the object itself
  const SplitPath holder(pattern.begin(), pattern.begin() + static_cast<std::ptrdiff_t>(depth));
  const size_t arrays = static_cast<size_t>(
      std::count_if(holder.begin(), holder.end(), [](const PathSegment& segment) { return segment.array; }));
  if (arrays > instance.indices.size()) return false;
  // The holder is an array element (spec.productionVariants[]): find the
  // array, then the element.
  const size_t walked = holder.back().array ? arrays - 1 : arrays;
  const std::vector<size_t> indices(instance.indices.begin(),
                                    instance.indices.begin() + static_cast<std::ptrdiff_t>(walked));
  const nlohmann::json* at = FindSameField(old_root, holder, indices);
  if (at != nullptr && holder.back().array) {
    const size_t element = instance.indices[arrays - 1];
    at = at->is_array() && element < at->size() ? &(*at)[element] : nullptr;
  }
  return at != nullptr && at->is_object();
}

std::vector<std::string_view> FindBoundStrings(const nlohmann::json& root, const SplitPath& segments,
                                               const SplitPath& bound, const std::vector<size_t>& bound_indices) {
  // Count the arrays on the common prefix of both patterns: those are the
  // same array, so they take the key field's indices.
  size_t shared_arrays = 0;
  for (size_t s = 0; s < segments.size() && s < bound.size(); ++s) {
    if (segments[s].name != bound[s].name || segments[s].array != bound[s].array) break;
    if (segments[s].array) ++shared_arrays;
  }
  shared_arrays = std::min(shared_arrays, bound_indices.size());
  std::vector<std::string_view> out;
  WalkToParents(root, segments, &bound_indices, shared_arrays, [&](const Cursor& parent) {
    const nlohmann::json* value = Member(*parent.node, segments.back().name);
    if (value != nullptr && value->is_string()) out.push_back(value->get_ref<const std::string&>());
  });
  return out;
}

std::vector<std::string_view> FindBoundStrings(const nlohmann::json& root, std::string_view pattern,
                                               std::string_view bound_pattern,
                                               const std::vector<size_t>& bound_indices) {
  return FindBoundStrings(root, SplitFieldPath(pattern), SplitFieldPath(bound_pattern), bound_indices);
}

const nlohmann::json* FindPlain(const nlohmann::json& root, std::string_view dotted_path) {
  const nlohmann::json* node = &root;
  for (const Segment& segment : SplitFieldPath(dotted_path)) {
    node = Member(*node, segment.name);
    if (node == nullptr) return nullptr;
  }
  return node;
}

}  // namespace keyward
