// The loader's reading tools: typed reads of a YAML policy that report every
// problem (file, line, column, field path, fix) instead of stopping at the
// first. Internal to policy/model: the sections of the loader
// (policy_sections.h) read through one PolicyReader.
//
// Not thread-safe: one reader serves one LoadPolicy call.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/base/bounded_yaml.h"
#include "policy/base/enum_words.h"
#include "policy/model/policy.h"

namespace keyward {

// A mapping's known fields, by name.
using Fields = std::map<std::string, YamlNode>;
// A list's values, each with where it was written.
using ListItems = std::vector<std::pair<std::string, YamlMark>>;

class PolicyReader {
 public:
  explicit PolicyReader(std::string_view file) : file_(file) {}

  void Report(const YamlMark& mark, std::string path, std::string message);
  const std::string& File() const { return file_; }
  // Problems reported so far: a section compares counts to know whether a
  // read of its own succeeded.
  size_t ProblemCount() const { return diagnostics_.size(); }

  // The mapping's fields, reporting unknown ones with the closest known name
  // and a field given twice.
  Fields Expect(const YamlNode& node, const std::string& path, std::initializer_list<std::string_view> known);

  std::optional<std::string> Scalar(const YamlNode& node, const std::string& path);
  // fields[name] must be `expected` (apiVersion, kind).
  void CheckConstant(Fields& fields, const char* name, std::string_view expected, const YamlNode& parent);

  // Enums are read as text: YAML 1.1 tools turn a bare off/no into a boolean,
  // so such a value is called out rather than guessed at. Leaves *out alone
  // when the field is absent or wrong.
  template <typename E>
  void Enum(Fields& fields, const char* name, const std::string& path, std::span<const EnumWord<E>> words, E* out) {
    if (!fields.count(name)) return;
    std::string field_path = Join(path, name);
    auto value = Scalar(fields[name], field_path);
    if (!value) return;
    if (const E* choice = ValueOf(words, *value)) {
      *out = *choice;
      return;
    }
    std::string allowed;
    for (const EnumWord<E>& choice : words) allowed += (allowed.empty() ? "" : " | ") + std::string(choice.word);
    ReportNotAWord(fields[name].Mark(), field_path, *value, allowed);
  }

  // A YAML boolean. Only true and false: the YAML 1.1 spellings (yes, on)
  // mean different things to different tools.
  void Bool(Fields& fields, const char* name, const std::string& path, bool* out);

  // A list of strings, each checked by `check` (which returns an error or "").
  ListItems StringList(Fields& fields, const char* name, const std::string& path,
                       const std::function<std::string(const std::string&)>& check);

  // An AWS region name (defaultRegion, a tenant's region); nullopt, reported,
  // when it is not one.
  std::optional<std::string> Region(Fields& fields, const char* name, const std::string& path);

  // The policy, indexed, when nothing was reported; else every problem, in
  // the order of the file.
  PolicyLoadResult Finish(std::shared_ptr<Policy> policy);

  static std::string Join(const std::string& path, std::string_view field);
  static std::vector<std::string> Values(const ListItems& items);

 private:
  void ReportNotAWord(const YamlMark& mark, const std::string& path, const std::string& value,
                      const std::string& allowed);

  std::string file_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace keyward
