#include "webhook/observe/json_text.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#include <nlohmann/json.hpp>

namespace keyward {

namespace {

// True when one of the eight bytes of `word` must be escaped in a JSON
// string: one below 0x20, '"' or '\\'. The classic has-a-byte-less-than and
// has-a-zero-byte tests, exact for whether any byte matches. Strings are
// scanned eight bytes at a time: answers and log lines are mostly text that
// needs no escape, and this scan was a tenth of a request's instructions.
bool AnyNeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t quote = word ^ (kOnes * '"');
  const uint64_t backslash = word ^ (kOnes * '\\');
  const uint64_t below_space = (word - kOnes * 0x20) & ~word;
  return ((below_space | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHigh) != 0;
}

}  // namespace

void AppendJsonString(std::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain_from = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if (i + 8 <= value.size()) {
      uint64_t word = 0;
      std::memcpy(&word, value.data() + i, sizeof word);
      if (!AnyNeedsEscape(word)) {
        i += 7;
        continue;
      }
    }
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

void AppendJsonValue(const nlohmann::json& value, std::string* out) {
  using Json = nlohmann::json;
  switch (value.type()) {
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(key, out);
        out->push_back(':');
        AppendJsonValue(member, out);
      }
      out->push_back('}');
      return;
    }
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& item : value.get_ref<const Json::array_t&>()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonValue(item, out);
      }
      out->push_back(']');
      return;
    }
    case Json::value_t::string:
      AppendJsonString(value.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::boolean:
      *out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: {
      char digits[24];
      const auto written = value.is_number_unsigned()
                               ? std::to_chars(digits, digits + sizeof digits, value.get<uint64_t>())
                               : std::to_chars(digits, digits + sizeof digits, value.get<int64_t>());
      out->append(digits, written.ptr);
      return;
    }
    case Json::value_t::null:
    case Json::value_t::number_float:  // nlohmann's shortest round-trip form
    case Json::value_t::binary:
    case Json::value_t::discarded:
      *out += value.dump();
      return;
  }
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
