// Pieces of CEL text, made from the catalog's field paths and the policy's
// values, for the ValidatingAdmissionPolicy compiler (vap.h).
//
// Every access they write is guarded with has() on the way down, so an
// object that lacks a member never makes an expression fail (the apiserver
// would deny it under failurePolicy: Fail). Lists are walked with all() and
// exists() over one list at a time: no comprehension inside another over
// the object's own arrays.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "policy/base/field_path.h"

namespace keyward {

// A CEL string literal ('...' with \\ and \' escaped, control characters
// as \x escapes).
std::string CelString(std::string_view text);

// The RE2 pattern that matches exactly what the keyward glob matches
// (policy/base/glob.h): anchored, `*` any run, `?` one character,
// everything else literal.
std::string GlobRegex(std::string_view glob);

// `base.name`, or `base['name']` when the name is not a CEL identifier.
std::string CelMember(std::string_view base, std::string_view name);
// `has(base.name)` (or `'name' in base` for a name that is not an
// identifier).
std::string CelHas(std::string_view base, std::string_view name);

// A CEL condition that holds for every instance of `path` under `root`
// (an expression such as "object"): `per_parent(parent, name)` is the
// condition on one instance, given the expression of its parent object and
// the field's name; instances whose parent is absent are not judged
// (true). Arrays are walked with all(); `depth` names the loop variables.
std::string ForEveryParent(std::string_view root, const SplitPath& path,
                           const std::function<std::string(const std::string& parent, std::string_view name)>& per_parent,
                           int depth = 0);

// A CEL condition that holds when some instance of `path` under `root`
// satisfies `per_value(value)` (its parent present and the field set).
std::string ForSomeValue(std::string_view root, const SplitPath& path,
                         const std::function<std::string(const std::string& value)>& per_value, int depth = 0);

// The expression of a path without arrays, or "" when `path` has one, and
// the has() chain that guards it ("true" for an empty path).
std::string PlainAccess(std::string_view root, const SplitPath& path);
std::string PlainGuard(std::string_view root, const SplitPath& path);

}  // namespace keyward
