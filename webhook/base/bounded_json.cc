#include "webhook/base/bounded_json.h"

#include <nlohmann/json.hpp>

// json_sax_dom_parser is an internal of nlohmann/json 3.11 (its template
// signature changes in 3.12); this file is the only one that uses it.
#if NLOHMANN_JSON_VERSION_MAJOR != 3 || NLOHMANN_JSON_VERSION_MINOR != 11
#error "webhook/base/bounded_json.cc uses nlohmann::detail::json_sax_dom_parser of nlohmann/json 3.11: check it against this version, then update this check"
#endif

#include <string>

namespace keyward {
namespace {

using Json = nlohmann::json;
using DomBuilder = nlohmann::detail::json_sax_dom_parser<Json>;

// Forwards every SAX event to nlohmann's own DOM builder, refusing to open a
// container deeper than the bound.
class DepthBoundedBuilder {
 public:
  DepthBoundedBuilder(Json* root, size_t max_depth) : builder_(*root, false), max_depth_(max_depth) {}

  bool null() { return builder_.null(); }
  bool boolean(bool value) { return builder_.boolean(value); }
  bool number_integer(Json::number_integer_t value) { return builder_.number_integer(value); }
  bool number_unsigned(Json::number_unsigned_t value) { return builder_.number_unsigned(value); }
  bool number_float(Json::number_float_t value, const Json::string_t& text) {
    return builder_.number_float(value, text);
  }
  bool string(Json::string_t& value) { return builder_.string(value); }
  bool binary(Json::binary_t& value) { return builder_.binary(value); }
  bool key(Json::string_t& value) { return builder_.key(value); }

  bool start_object(std::size_t size) { return Enter() && builder_.start_object(size); }
  bool start_array(std::size_t size) { return Enter() && builder_.start_array(size); }
  bool end_object() {
    --depth_;
    return builder_.end_object();
  }
  bool end_array() {
    --depth_;
    return builder_.end_array();
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& e) {
    error_ = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    if (auto close = error_.find("] "); error_.rfind("[json.exception.", 0) == 0 && close != std::string::npos) {
      error_.erase(0, close + 2);
    }
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  bool Enter() {
    if (++depth_ > max_depth_) {
      error_ = "JSON nesting deeper than " + std::to_string(max_depth_) +
               " levels; an AdmissionReview nests far less, so this is not one";
      return false;
    }
    return true;
  }

  DomBuilder builder_;
  size_t max_depth_;
  size_t depth_ = 0;
  std::string error_;
};

}  // namespace

Result<Json> ParseBoundedJson(std::string_view text, size_t max_depth) {
  Json value;
  DepthBoundedBuilder builder(&value, max_depth);
  const bool ok = Json::sax_parse(text.data(), text.data() + text.size(), &builder,
                                  nlohmann::detail::input_format_t::json, /*strict=*/true);
  // On failure the partial value is at most max_depth deep, so destroying it
  // is safe.
  if (!ok) return Status::Error(builder.error().empty() ? "invalid JSON" : builder.error());
  return value;
}

void ReleaseDocument(Json& document) {
  if (document.is_object()) {
    Json::object_t& members = document.get_ref<Json::object_t&>();
    for (auto& member : members) {
      if (member.second.is_structured()) ReleaseDocument(member.second);
    }
    members.clear();
  } else if (document.is_array()) {
    Json::array_t& items = document.get_ref<Json::array_t&>();
    for (Json& item : items) {
      if (item.is_structured()) ReleaseDocument(item);
    }
    items.clear();
  }
}

}  // namespace keyward
