#include "webhook/cli/manifest_reader.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "webhook/base/json_member.h"
#include "webhook/base/text_file.h"
#include "webhook/base/yaml_json.h"

namespace keyward {
namespace {

std::string Location(const std::string& source, const YamlMark& mark) {
  return source + ":" + std::to_string(mark.line + 1);
}

void AddDocument(const YamlNode& document, const std::string& source, ManifestReadResult& out) {
  if (document.IsNull()) return;  // empty document between ---
  std::string where = Location(source, document.Mark());
  if (!document.IsMap()) {
    out.errors.push_back(Status::Error("a manifest must be a mapping with apiVersion, kind and metadata",
                                       YamlPosition(source, document.Mark())));
    return;
  }
  nlohmann::json object = YamlToJson(document);
  std::string kind = StringMember(object, "kind");
  if (kind.empty() || StringMember(object, "apiVersion").empty()) {
    out.errors.push_back(Status::Error("a manifest needs apiVersion and kind, each a non-empty string", where));
    return;
  }
  if (!kind.ends_with("List") || !object.contains("items")) {
    out.manifests.push_back({std::move(object), where});
    return;
  }
  YamlNode items;
  for (size_t i = 0; i < document.size(); ++i) {
    if (document.Key(i).Scalar() == "items") items = document.Value(i);
  }
  if (!items.IsSequence()) {
    out.errors.push_back(Status::Error("items of a " + kind + " must be a list", where));
    return;
  }
  for (size_t i = 0; i < items.size(); ++i) AddDocument(items[i], source, out);
}

}  // namespace

// Built by appending: "a" + std::to_string(...) makes GCC 12 at -O3 raise a
// false -Wrestrict.
std::string YamlPosition(const std::string& source, const YamlMark& mark) {
  std::string out = source;
  if (mark.is_null()) return out;
  out += ':';
  out += std::to_string(mark.line + 1);
  out += ':';
  out += std::to_string(mark.column + 1);
  return out;
}

ManifestReadResult ParseManifests(const std::string& text, const std::string& source_name, size_t* values_left) {
  ManifestReadResult out;
  size_t budget = kMaxManifestValues;
  if (values_left == nullptr) values_left = &budget;
  std::optional<YamlError> error = ReadYaml(text, kManifestYamlLimits, [&](const YamlNode& document) {
    if (document.ExpandedSize() > *values_left) {
      out.errors.push_back(Status::Error("the input holds more than " + std::to_string(kMaxManifestValues) +
                                             " values in all",
                                         YamlPosition(source_name, document.Mark()), "check it in several runs"));
      *values_left = 0;
      return false;
    }
    *values_left -= document.ExpandedSize();
    try {
      AddDocument(document, source_name, out);
    } catch (const UnsupportedYamlKey& e) {
      out.errors.push_back(Status::Error(e.what(), YamlPosition(source_name, e.mark)));
    }
    return true;
  });
  if (error) {
    out.errors.push_back(Status::Error(error->message, YamlPosition(source_name, error->mark)));
  }
  return out;
}

ManifestReadResult ReadManifests(const std::vector<std::string>& inputs, std::istream& standard_input) {
  ManifestReadResult all;
  size_t values_left = kMaxManifestValues;
  auto merge = [&all](ManifestReadResult part) {
    std::move(part.manifests.begin(), part.manifests.end(), std::back_inserter(all.manifests));
    std::move(part.errors.begin(), part.errors.end(), std::back_inserter(all.errors));
  };
  for (const std::string& input : inputs) {
    if (input == "-") {
      std::ostringstream text;
      text << standard_input.rdbuf();
      merge(ParseManifests(text.str(), "<stdin>", &values_left));
      continue;
    }
    std::vector<std::string> files;
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(input, ec)) {
        std::string extension = entry.path().extension().string();
        if (entry.is_regular_file() && (extension == ".yaml" || extension == ".yml" || extension == ".json")) {
          files.push_back(entry.path().string());
        }
      }
      if (ec) all.errors.push_back(Status::IoError(ec.message(), input));
      std::sort(files.begin(), files.end());
      if (files.empty() && !ec) {
        all.errors.push_back(Status::Error("no *.yaml, *.yml or *.json files in this directory", input));
      }
    } else {
      files.push_back(input);
    }
    for (const std::string& file : files) {
      if (values_left == 0) break;  // the error is reported once
      Result<std::string> text = ReadTextFile(file, kMaxManifestBytes);
      if (!text.ok()) {
        all.errors.push_back(text.status());
        continue;
      }
      merge(ParseManifests(text.value(), file, &values_left));
    }
  }
  return all;
}

}  // namespace keyward
