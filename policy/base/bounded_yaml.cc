#include "policy/base/bounded_yaml.h"

#include <yaml.h>

#include <algorithm>
#include <deque>
#include <cstring>
#include <memory>
#include <unordered_map>

namespace keyward {

// One document's nodes. Children are stored contiguously per collection
// (a mapping's as key, value, key, value...); an alias is stored as the
// index of the node it names, so the tree is a DAG and an alias costs one
// index, while `expanded` keeps what it stands for countable.
class YamlTree {
 public:
  struct Node {
    YamlNode::Type type = YamlNode::Type::kNull;
    bool plain = false;
    YamlMark mark;
    std::string scalar;
    uint32_t first_child = 0;
    uint32_t child_count = 0;
    size_t expanded = 1;  // nodes this one stands for, itself included
    uint32_t height = 0;  // 0 for a scalar; 1 + the tallest child otherwise
  };

  // A deque, not a vector: growing it never copies (and for a moment doubles)
  // the nodes already read.
  std::deque<Node> nodes;
  std::vector<uint32_t> children;

  YamlNode Handle(uint32_t index) const { return YamlNode(this, index); }
  const Node& At(uint32_t index) const { return nodes[index]; }

  void Clear() {
    nodes.clear();
    children.clear();
  }
};

namespace {

const std::string kEmpty;

bool IsNullText(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

YamlMark MarkOf(const yaml_mark_t& mark) {
  return {static_cast<int>(std::min<size_t>(mark.line, INT32_MAX)),
          static_cast<int>(std::min<size_t>(mark.column, INT32_MAX))};
}

// The line and column of a byte offset (libyaml reports encoding problems
// by offset only).
YamlMark MarkAtOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const size_t line = static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t line_start = before.rfind('\n');
  const size_t column = line_start == std::string_view::npos ? offset : offset - line_start - 1;
  return {static_cast<int>(std::min<size_t>(line, INT32_MAX)), static_cast<int>(std::min<size_t>(column, INT32_MAX))};
}

std::string Text(const yaml_char_t* text) { return text == nullptr ? "" : reinterpret_cast<const char*>(text); }

struct ParserDeleter {
  void operator()(yaml_parser_t* parser) const {
    yaml_parser_delete(parser);
    delete parser;
  }
};

struct EventDeleter {
  void operator()(yaml_event_t* event) const { yaml_event_delete(event); }
};

class TreeBuilder {
 public:
  TreeBuilder(const YamlLimits& limits, std::string_view text) : limits_(limits), text_(text) {}

  std::optional<YamlError> Read(const YamlDocumentHandler& on_document) {
    std::unique_ptr<yaml_parser_t, ParserDeleter> parser(new yaml_parser_t);
    if (yaml_parser_initialize(parser.get()) == 0) {
      delete parser.release();
      return YamlError{{}, "out of memory starting the YAML parser"};
    }
    yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
    for (;;) {
      yaml_event_t event;
      if (yaml_parser_parse(parser.get(), &event) == 0) return ParserError(*parser);
      std::unique_ptr<yaml_event_t, EventDeleter> owned(&event);
      if (event.type == YAML_STREAM_END_EVENT) return std::nullopt;
      if (event.type == YAML_DOCUMENT_END_EVENT) {
        const bool go_on = on_document(root_ ? tree_.Handle(*root_) : YamlNode());
        StartDocument();
        if (!go_on) return std::nullopt;
        continue;
      }
      if (std::optional<YamlError> error = OnEvent(event)) return error;
    }
  }

 private:
  struct Collection {
    uint32_t node;
    std::string anchor;
    std::vector<uint32_t> children;
  };

  void StartDocument() {
    tree_.Clear();
    open_.clear();
    anchors_.clear();
    root_.reset();
    document_nodes_ = 0;
  }

  YamlError ParserError(const yaml_parser_t& parser) const {
    std::string message = "not valid YAML";
    if (parser.problem != nullptr) message += std::string(": ") + parser.problem;
    if (parser.context != nullptr) message += std::string(" (") + parser.context + ")";
    if (parser.error == YAML_READER_ERROR) {
      // Encoding problems carry a byte offset and no line.
      return {MarkAtOffset(text_, parser.problem_offset),
              message + "; YAML text must be UTF-8 (or UTF-16 with a byte order mark) without control characters"};
    }
    if (parser.error == YAML_MEMORY_ERROR) return {{}, "out of memory reading YAML"};
    return {MarkOf(parser.problem_mark), message};
  }

  YamlError TooBig(const yaml_mark_t& mark) const {
    return {MarkOf(mark), "the document holds more than " + std::to_string(limits_.max_nodes_per_document) +
                              " values (an alias counts as the values it repeats); split it into smaller documents"};
  }

  YamlError TooDeep(const yaml_mark_t& mark) const {
    return {MarkOf(mark),
            "values nest deeper than " + std::to_string(limits_.max_depth) + " levels; flatten the document"};
  }

  // Counts `count` more nodes against the document's budget.
  bool Spend(size_t count) {
    if (count > limits_.max_nodes_per_document - std::min(document_nodes_, limits_.max_nodes_per_document)) {
      return false;
    }
    document_nodes_ += count;
    return true;
  }

  std::optional<YamlError> OnEvent(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_SCALAR_EVENT: {
        if (!Spend(1)) return TooBig(event.start_mark);
        const auto& s = event.data.scalar;
        YamlTree::Node node;
        node.mark = MarkOf(event.start_mark);
        const std::string tag = Text(s.tag);
        node.plain = s.style == YAML_PLAIN_SCALAR_STYLE && tag != "!" && tag != "tag:yaml.org,2002:str";
        node.scalar.assign(reinterpret_cast<const char*>(s.value), s.length);
        node.type = node.plain && IsNullText(node.scalar) ? YamlNode::Type::kNull : YamlNode::Type::kScalar;
        if (node.type == YamlNode::Type::kNull) node.scalar.clear();
        return Complete(Store(std::move(node)), Text(s.anchor));
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (!Spend(1)) return TooBig(event.start_mark);
        if (open_.size() + 1 > limits_.max_depth) return TooDeep(event.start_mark);
        YamlTree::Node node;
        node.mark = MarkOf(event.start_mark);
        node.type = event.type == YAML_SEQUENCE_START_EVENT ? YamlNode::Type::kSequence : YamlNode::Type::kMapping;
        const yaml_char_t* anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor
                                                                            : event.data.mapping_start.anchor;
        open_.push_back({Store(std::move(node)), Text(anchor), {}});
        return std::nullopt;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        Collection done = std::move(open_.back());
        open_.pop_back();
        YamlTree::Node& node = tree_.nodes[done.node];
        node.first_child = static_cast<uint32_t>(tree_.children.size());
        node.child_count = static_cast<uint32_t>(done.children.size());
        for (uint32_t child : done.children) {
          const YamlTree::Node& c = tree_.nodes[child];
          node.expanded += c.expanded;
          node.height = std::max(node.height, c.height + 1);
        }
        node.height = std::max<uint32_t>(node.height, 1);
        tree_.children.insert(tree_.children.end(), done.children.begin(), done.children.end());
        return Complete(done.node, done.anchor);
      }
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(Text(event.data.alias.anchor));
        if (it == anchors_.end()) {
          return YamlError{MarkOf(event.start_mark), "the alias *" + Text(event.data.alias.anchor) +
                                                         " names no anchor defined (and closed) before it"};
        }
        const YamlTree::Node& target = tree_.nodes[it->second];
        if (!Spend(target.expanded)) return TooBig(event.start_mark);
        if (open_.size() + target.height > limits_.max_depth) return TooDeep(event.start_mark);
        return Complete(it->second, "");
      }
      default:  // stream and document starts: nothing to build
        return std::nullopt;
    }
  }

  uint32_t Store(YamlTree::Node node) {
    tree_.nodes.push_back(std::move(node));
    return static_cast<uint32_t>(tree_.nodes.size() - 1);
  }

  // A node is finished: it becomes its parent's child (or the root), and its
  // anchor becomes usable.
  std::optional<YamlError> Complete(uint32_t index, const std::string& anchor) {
    if (!anchor.empty()) anchors_[anchor] = index;
    if (open_.empty()) {
      root_ = index;
    } else {
      open_.back().children.push_back(index);
    }
    return std::nullopt;
  }

  const YamlLimits limits_;
  const std::string_view text_;
  YamlTree tree_;
  std::vector<Collection> open_;
  std::unordered_map<std::string, uint32_t> anchors_;
  std::optional<uint32_t> root_;
  size_t document_nodes_ = 0;
};

}  // namespace

YamlNode::Type YamlNode::type() const { return tree_ == nullptr ? Type::kNull : tree_->At(index_).type; }

const std::string& YamlNode::Scalar() const { return tree_ == nullptr ? kEmpty : tree_->At(index_).scalar; }

bool YamlNode::IsPlain() const { return tree_ != nullptr && tree_->At(index_).plain; }

YamlMark YamlNode::Mark() const { return tree_ == nullptr ? YamlMark{} : tree_->At(index_).mark; }

size_t YamlNode::ExpandedSize() const { return tree_ == nullptr ? 0 : tree_->At(index_).expanded; }

size_t YamlNode::size() const {
  if (tree_ == nullptr) return 0;
  const YamlTree::Node& node = tree_->At(index_);
  return node.type == Type::kMapping ? node.child_count / 2 : node.child_count;
}

YamlNode YamlNode::operator[](size_t index) const {
  if (!IsSequence() || index >= size()) return {};
  return tree_->Handle(tree_->children[tree_->At(index_).first_child + index]);
}

YamlNode YamlNode::Key(size_t index) const {
  if (!IsMap() || index >= size()) return {};
  return tree_->Handle(tree_->children[tree_->At(index_).first_child + 2 * index]);
}

YamlNode YamlNode::Value(size_t index) const {
  if (!IsMap() || index >= size()) return {};
  return tree_->Handle(tree_->children[tree_->At(index_).first_child + 2 * index + 1]);
}

std::optional<YamlError> ReadYaml(std::string_view text, const YamlLimits& limits,
                                  const YamlDocumentHandler& on_document) {
  return TreeBuilder(limits, text).Read(on_document);
}

}  // namespace keyward
