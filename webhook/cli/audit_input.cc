#include "webhook/cli/audit_input.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "webhook/base/bounded_json.h"
#include "webhook/base/text_file.h"
#include "webhook/cli/manifest_reader.h"

namespace keyward {
namespace {

// A cursor over JSON text that skips values without building them.
class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : text_(text) {}

  size_t at() const { return at_; }
  bool done() { SkipSpace(); return at_ >= text_.size(); }
  char Peek() { SkipSpace(); return at_ < text_.size() ? text_[at_] : '\0'; }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++at_;
    return true;
  }
  // The line of `offset`; offsets come in increasing order, so counting
  // resumes where it stopped (linear over the whole input).
  size_t Line(size_t offset) {
    offset = std::min(offset, text_.size());
    if (offset < line_offset_) line_offset_ = 0, line_ = 1;
    line_ += static_cast<size_t>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(line_offset_),
                                            text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    line_offset_ = offset;
    return line_;
  }

  // A string's raw text (without quotes), or false at the end of input.
  bool String(std::string_view* out) {
    if (!Consume('"')) return false;
    size_t start = at_;
    while (at_ < text_.size() && text_[at_] != '"') at_ += text_[at_] == '\\' ? 2 : 1;
    if (at_ >= text_.size()) return false;
    *out = text_.substr(start, at_ - start);
    ++at_;
    return true;
  }

  // Skips one value; returns its text, or false when it does not end.
  bool Value(std::string_view* out) {
    SkipSpace();
    const size_t start = at_;
    size_t depth = 0;
    bool in_string = false;
    for (; at_ < text_.size(); ++at_) {
      const char c = text_[at_];
      if (in_string) {
        if (c == '\\') ++at_;
        else if (c == '"') in_string = false;
        if (!in_string && depth == 0) { ++at_; break; }
        continue;
      }
      if (c == '"') { in_string = true; continue; }
      if (c == '{' || c == '[') { ++depth; continue; }
      if (c == '}' || c == ']') {
        if (depth == 0) break;  // the end of the enclosing container
        if (--depth == 0) { ++at_; break; }
        continue;
      }
      if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) break;
    }
    if (at_ > text_.size()) at_ = text_.size();
    *out = text_.substr(start, at_ - start);
    return !out->empty();
  }

 private:
  void SkipSpace() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) ++at_;
  }
  std::string_view text_;
  size_t at_ = 0;
  size_t line_offset_ = 0;
  size_t line_ = 1;
};

bool LooksLikeJson(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
}

}  // namespace

const std::string& StandardInput::Text() {
  if (!text_) {
    std::ostringstream buffer;
    buffer << in_.rdbuf();
    text_ = buffer.str();
  }
  return *text_;
}

std::vector<Status> ReadJsonItems(std::string_view text, const std::string& name, const OnAuditObject& on_object,
                                  std::string_view only_if_contains) {
  std::vector<Status> errors;
  JsonScanner scan(text);
  auto parse_item = [&](std::string_view item, size_t offset) {
    // A JSON escape (backslash, u) could spell what is looked for: such an
    // item is parsed.
    if (!only_if_contains.empty() && item.find(only_if_contains) == std::string_view::npos &&
        item.find("\\u") == std::string_view::npos) {
      return;
    }
    const std::string where = name + ":" + std::to_string(scan.Line(offset));
    if (item.size() > kMaxAuditItemBytes) {
      errors.push_back(Status::Error("an item of " + std::to_string(item.size()) + " bytes is over the " +
                                         std::to_string(kMaxAuditItemBytes >> 20) + " MiB limit per object",
                                     where, "remove it from the input"));
      return;
    }
    Result<nlohmann::json> parsed = ParseBoundedJson(item);
    if (!parsed.ok()) {
      errors.push_back(Status::Error("not valid JSON: " + parsed.status().ToString(), where));
      return;
    }
    on_object(std::move(parsed.value()), where);
  };
  auto each_element = [&]() {  // after '['
    if (scan.Consume(']')) return true;
    while (true) {
      std::string_view item;
      const size_t start = (scan.Peek(), scan.at());
      if (!scan.Value(&item)) return false;
      parse_item(item, start);
      if (scan.Consume(',')) continue;
      return scan.Consume(']');
    }
  };
  bool ok = true;
  if (scan.Consume('[')) {
    ok = each_element();
  } else if (scan.Consume('{')) {
    // A List: its items one by one; any other object as it is.
    std::string_view key;
    bool is_list = false;
    while (ok && !scan.Consume('}')) {
      if (!scan.String(&key) || !scan.Consume(':')) { ok = false; break; }
      if (key == "items" && scan.Consume('[')) {
        is_list = true;
        ok = each_element();
      } else {
        std::string_view skipped;
        ok = scan.Value(&skipped);
      }
      if (ok) scan.Consume(',');
    }
    if (ok && !is_list) {
      Result<nlohmann::json> whole = ParseBoundedJson(text);
      if (whole.ok()) {
        on_object(std::move(whole.value()), name + ":1");
      } else {
        errors.push_back(Status::Error("not valid JSON: " + whole.status().ToString(), name));
      }
      return errors;
    }
  } else {
    ok = false;
  }
  if (!ok || !scan.done()) {
    errors.push_back(Status::Error("the JSON does not end where it should (at byte " + std::to_string(scan.at()) + ")",
                                   name, "give kubectl get ... -o json output, a List, an array or one object"));
  }
  return errors;
}

std::vector<Status> ReadAuditInputs(const std::vector<std::string>& inputs, StandardInput& standard_input,
                                    const OnAuditObject& on_object, std::string_view only_if_contains) {
  std::vector<Status> errors;
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (input != "-" && std::filesystem::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::directory_iterator(input, ec)) {
        const std::string ext = entry.path().extension().string();
        if (entry.is_regular_file() && (ext == ".json" || ext == ".yaml" || ext == ".yml")) found.push_back(entry.path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  for (const std::string& file : files) {
    std::string read_text;
    if (file != "-") {
      Result<std::string> read = ReadTextFile(file, 4ull << 30);
      if (!read.ok()) {
        errors.push_back(read.status());
        continue;
      }
      read_text = std::move(read.value());
    }
    const std::string& text = file == "-" ? standard_input.Text() : read_text;
    const std::string name = file == "-" ? "(stdin)" : file;
    if (LooksLikeJson(text)) {
      for (Status& error : ReadJsonItems(text, name, on_object, only_if_contains)) errors.push_back(std::move(error));
      continue;
    }
    ManifestReadResult read = ParseManifests(text, name);
    for (Status& error : read.errors) errors.push_back(std::move(error));
    for (Manifest& manifest : read.manifests) on_object(std::move(manifest.object), manifest.source);
  }
  return errors;
}

}  // namespace keyward
