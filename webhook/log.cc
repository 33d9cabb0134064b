#include "webhook/log.h"

#include <atomic>
#include <cstdio>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace keyward {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kJson};

void AppendJsonString(std::string_view value, std::string* out) {
  out->push_back('"');
  for (char c : value) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          *out += escaped;
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void AppendTextValue(std::string_view value, std::string* out) {
  if (NeedsQuotes(value)) {
    AppendJsonString(value, out);
  } else {
    *out += value;
  }
}

}  // namespace

bool ParseLogFormat(std::string_view text, LogFormat* out) {
  if (text == "json") {
    *out = LogFormat::kJson;
  } else if (text == "text") {
    *out = LogFormat::kText;
  } else {
    return false;
  }
  return true;
}

void ConfigureLogging(LogFormat format, spdlog::level::level_enum level) {
  g_format = format;
  auto logger = std::make_shared<spdlog::logger>("keyward", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern(format == LogFormat::kJson ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
                                                 : "%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

LogLine::LogLine(std::string_view message) {
  text_.reserve(256);
  if (g_format == LogFormat::kJson) {
    text_ += "\"msg\":";
    AppendJsonString(message, &text_);
  } else {
    text_ += message;
  }
}

void LogLine::Key(std::string_view key) {
  if (g_format == LogFormat::kJson) {
    text_ += ",\"";
    text_ += key;
    text_ += "\":";
  } else {
    text_ += ' ';
    text_ += key;
    text_ += '=';
  }
}

LogLine& LogLine::Add(std::string_view key, std::string_view value) {
  Key(key);
  if (g_format == LogFormat::kJson) {
    AppendJsonString(value, &text_);
  } else {
    AppendTextValue(value, &text_);
  }
  return *this;
}

LogLine& LogLine::Add(std::string_view key, int64_t value) {
  Key(key);
  text_ += std::to_string(value);
  return *this;
}

LogLine& LogLine::Add(std::string_view key, uint64_t value) {
  Key(key);
  text_ += std::to_string(value);
  return *this;
}

LogLine& LogLine::Add(std::string_view key, bool value) {
  Key(key);
  text_ += value ? "true" : "false";
  return *this;
}

LogLine& LogLine::Add(std::string_view key, const std::vector<std::string>& values) {
  Key(key);
  if (g_format == LogFormat::kJson) {
    text_ += '[';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) text_ += ',';
      AppendJsonString(values[i], &text_);
    }
    text_ += ']';
  } else {
    std::string joined;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) joined += ',';
      joined += values[i];
    }
    AppendTextValue(joined, &text_);
  }
  return *this;
}

void LogLine::Emit(spdlog::level::level_enum level) {
  spdlog::default_logger_raw()->log(level, spdlog::string_view_t(text_.data(), text_.size()));
}

std::string PrintablePrefix(std::string_view bytes, size_t limit) {
  std::string out(bytes.substr(0, limit));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

}  // namespace keyward
