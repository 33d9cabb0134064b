// YAML read with bounds that hold whatever the input is.
//
// Every YAML text keyward reads (policies, manifests) comes through here.
// libyaml's streaming parser (Debian's libyaml 0.2.5) produces events, and
// this reader builds a compact tree from them while it counts: nodes per
// document (aliases counted as expanded), nesting depth, and aliases that
// point at nothing or at a node still open. A budget is checked before the
// node that would exceed it is stored, so memory stays proportional to the
// budget and time to the text, and the reader stops at the first problem.
//
// yaml-cpp 0.7 (Debian 12) is deliberately not used to read: it loops
// forever on some malformed input (upstream #1040; a 21-byte example is in
// tests/hardening/fuzz-regressions/fuzz_manifest_reader/), and it builds the
// whole node tree, about 100 times the text, before anyone can count it.
// libyaml is non-recursive, validates UTF-8, and reports every problem with
// a position.
//
// Contract: ReadYaml returns within time linear in the text, and holds at
// most one document's tree at a time: max_nodes_per_document nodes (plus
// their scalars' text), whatever the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyward {

// A position in the text, 0-based as yaml-cpp and libyaml count.
struct YamlMark {
  int line = -1;
  int column = -1;
  bool is_null() const { return line < 0; }
};

struct YamlLimits {
  size_t max_nodes_per_document;  // aliases count as the nodes they stand for
  size_t max_depth;               // mappings and sequences inside each other
};

// Kubernetes objects: far below either bound, even a List of hundreds of
// objects; an alias bomb or a 300,000-key mapping is refused after a few
// megabytes of work.
inline constexpr YamlLimits kManifestYamlLimits{200'000, 128};
// Policies: 10,000 tenants with namespaces, keys and allow-lists are about
// 200,000 nodes.
inline constexpr YamlLimits kPolicyYamlLimits{1'000'000, 64};

struct YamlError {
  YamlMark mark;
  std::string message;  // what is wrong and, where it helps, how to fix it
};

class YamlTree;

// A node of one document: a cheap handle, valid while the document handler
// that received its root runs. A default-constructed node is null with no
// position (a field that is absent).
class YamlNode {
 public:
  enum class Type : uint8_t { kNull, kScalar, kSequence, kMapping };

  YamlNode() = default;

  Type type() const;
  bool IsNull() const { return type() == Type::kNull; }
  bool IsScalar() const { return type() == Type::kScalar; }
  bool IsSequence() const { return type() == Type::kSequence; }
  bool IsMap() const { return type() == Type::kMapping; }

  // The text of a scalar ("" for anything else).
  const std::string& Scalar() const;
  // True for a scalar written plain (no quotes, no block style) and without
  // an explicit !!str tag: the only kind of scalar that may mean a number,
  // a boolean or null.
  bool IsPlain() const;
  YamlMark Mark() const;

  // The nodes this one stands for, itself and aliases expanded included.
  size_t ExpandedSize() const;

  // Items of a sequence, or entries of a mapping.
  size_t size() const;
  YamlNode operator[](size_t index) const;  // a sequence item
  YamlNode Key(size_t index) const;          // a mapping entry's key
  YamlNode Value(size_t index) const;        // a mapping entry's value

 private:
  friend class YamlTree;
  YamlNode(const YamlTree* tree, uint32_t index) : tree_(tree), index_(index) {}

  const YamlTree* tree_ = nullptr;
  uint32_t index_ = 0;
};

// Called with each document's root, in order; returning false stops reading.
using YamlDocumentHandler = std::function<bool(const YamlNode& root)>;

// Reads every document of `text`. Returns the first problem found (invalid
// YAML or UTF-8, an exceeded limit); documents before it were handled.
std::optional<YamlError> ReadYaml(std::string_view text, const YamlLimits& limits,
                                  const YamlDocumentHandler& on_document);

}  // namespace keyward
