#include "webhook/observe/json_text.h"

namespace keyward {

void AppendJsonString(std::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain_from = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(value.substr(plain_from, i - plain_from));
    plain_from = i + 1;
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        *out += "\\u00";
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
  }
  out->append(value.substr(plain_from));
  out->push_back('"');
}

void JsonObjectWriter::Key(std::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendJsonString(key, out_);
  out_->push_back(':');
}

JsonObjectWriter& JsonObjectWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(value, out_);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Bool(std::string_view key, bool value) {
  Key(key);
  *out_ += value ? "true" : "false";
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  *out_ += std::to_string(value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Unsigned(std::string_view key, uint64_t value) {
  Key(key);
  *out_ += std::to_string(value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Strings(std::string_view key, const std::vector<std::string>& values) {
  Key(key);
  out_->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out_->push_back(',');
    AppendJsonString(values[i], out_);
  }
  out_->push_back(']');
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Raw(std::string_view key, std::string_view json) {
  Key(key);
  *out_ += json;
  return *this;
}

}  // namespace keyward
