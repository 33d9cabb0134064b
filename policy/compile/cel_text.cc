#include "policy/compile/cel_text.h"

#include <cctype>
#include <cstdio>

namespace keyward {
namespace {

bool IsIdentifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  // CEL's reserved words cannot be selected with a dot.
  for (std::string_view reserved : {"in", "as", "break", "const", "continue", "else", "for", "function", "if",
                                    "import", "let", "loop", "package", "namespace", "return", "var", "void",
                                    "while", "true", "false", "null"}) {
    if (name == reserved) return false;
  }
  return true;
}

// Built by appending: "e" + std::to_string(...) makes GCC 12 at -O3 raise a
// false -Wrestrict.
std::string LoopVariable(int depth) {
  std::string name = "e";
  name += std::to_string(depth);
  return name;
}

}  // namespace

std::string CelString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string GlobRegex(std::string_view glob) {
  std::string out = "^";
  for (char c : glob) {
    if (c == '*') {
      out += "(?s:.*)";
    } else if (c == '?') {
      out += "(?s:.)";
    } else if (std::string_view("\\.+()[]{}|^$").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out + "$";
}

std::string CelMember(std::string_view base, std::string_view name) {
  if (IsIdentifier(name)) return std::string(base) + "." + std::string(name);
  return std::string(base) + "[" + CelString(name) + "]";
}

std::string CelHas(std::string_view base, std::string_view name) {
  if (IsIdentifier(name)) return "has(" + std::string(base) + "." + std::string(name) + ")";
  return std::string("(") + CelString(name) + " in " + std::string(base) + ")";
}

std::string ForEveryParent(std::string_view root, const SplitPath& path,
                           const std::function<std::string(const std::string& parent, std::string_view name)>& per_parent,
                           int depth) {
  std::string base(root);
  std::string guard;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    guard += (guard.empty() ? "" : " && ") + CelHas(base, path[i].name);
    base = CelMember(base, path[i].name);
    if (path[i].array) {
      const std::string element = LoopVariable(depth);
      const SplitPath rest(path.begin() + static_cast<long>(i) + 1, path.end());
      const std::string inner = ForEveryParent(element, rest, per_parent, depth + 1);
      return "!(" + guard + ") || " + base + ".all(" + element + ", " + inner + ")";
    }
  }
  const std::string condition = per_parent(base, path.back().name);
  if (guard.empty()) return "(" + condition + ")";
  return "!(" + guard + ") || (" + condition + ")";
}

std::string ForSomeValue(std::string_view root, const SplitPath& path,
                         const std::function<std::string(const std::string& value)>& per_value, int depth) {
  std::string base(root);
  std::string guard;
  for (size_t i = 0; i < path.size(); ++i) {
    guard += (guard.empty() ? "" : " && ") + CelHas(base, path[i].name);
    base = CelMember(base, path[i].name);
    if (path[i].array) {
      const std::string element = LoopVariable(depth);
      const SplitPath rest(path.begin() + static_cast<long>(i) + 1, path.end());
      const std::string inner =
          rest.empty() ? per_value(element) : ForSomeValue(element, rest, per_value, depth + 1);
      return "(" + guard + " && " + base + ".exists(" + element + ", " + inner + "))";
    }
  }
  return "(" + guard + " && " + per_value(base) + ")";
}

std::string PlainAccess(std::string_view root, const SplitPath& path) {
  std::string base(root);
  for (const PathSegment& segment : path) {
    if (segment.array) return "";
    base = CelMember(base, segment.name);
  }
  return base;
}

std::string PlainGuard(std::string_view root, const SplitPath& path) {
  std::string base(root);
  std::string guard;
  for (const PathSegment& segment : path) {
    guard += (guard.empty() ? "" : " && ") + CelHas(base, segment.name);
    base = CelMember(base, segment.name);
  }
  return guard.empty() ? "true" : guard;
}

}  // namespace keyward
