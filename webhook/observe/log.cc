#include "webhook/observe/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "webhook/observe/json_text.h"

namespace keyward {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kJson};

// A decision line per request at tens of thousands of requests a second
// would cost a write(2) each; lines are batched instead and written when
// the batch fills, at warn and above, every kFlushInterval, and at exit.
constexpr size_t kBatchBytes = 32 * 1024;
constexpr std::chrono::milliseconds kFlushInterval{100};

// Flushes the default logger every kFlushInterval until destroyed (at exit).
class PeriodicFlusher {
 public:
  PeriodicFlusher()
      : thread_([this] {
          std::unique_lock lock(mutex_);
          while (!stop_requested_.wait_for(lock, kFlushInterval, [this] { return stopping_; })) {
            spdlog::default_logger_raw()->flush();
          }
        }) {}
  ~PeriodicFlusher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    stop_requested_.notify_all();
    thread_.join();
    spdlog::default_logger_raw()->flush();
  }

 private:
  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::thread thread_;
};

class BatchedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    batch_.append(formatted.data(), formatted.size());
    if (batch_.size() >= kBatchBytes) flush_();
  }

  void flush_() override {
    size_t written = 0;
    while (written < batch_.size()) {
      const ssize_t n = ::write(STDERR_FILENO, batch_.data() + written, batch_.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to log to: drop rather than block requests
      written += static_cast<size_t>(n);
    }
    batch_.clear();
  }

 private:
  std::string batch_;
};

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
  auto logger = std::make_shared<spdlog::logger>("keyward", std::make_shared<BatchedStderrSink>());
  logger->set_pattern(format == LogFormat::kJson ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
                                                 : "%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  static PeriodicFlusher flusher;
}

void FlushLogs() { spdlog::default_logger_raw()->flush(); }

bool LogEnabled(spdlog::level::level_enum level) { return spdlog::default_logger_raw()->should_log(level); }

LogLine::LogLine(std::string_view message) : json_(g_format == LogFormat::kJson) {
  text_.reserve(256);
  if (json_) {
    members_.String("msg", message);
  } else {
    text_ += message;
  }
}

void LogLine::TextKey(std::string_view key) {
  text_ += ' ';
  text_ += key;
  text_ += '=';
}

LogLine& LogLine::Add(std::string_view key, std::string_view value) {
  if (json_) {
    members_.String(key, value);
  } else {
    TextKey(key);
    AppendTextValue(value, &text_);
  }
  return *this;
}

LogLine& LogLine::Add(std::string_view key, int64_t value) {
  if (json_) {
    members_.Int(key, value);
  } else {
    TextKey(key);
    text_ += std::to_string(value);
  }
  return *this;
}

LogLine& LogLine::Add(std::string_view key, uint64_t value) {
  if (json_) {
    members_.Unsigned(key, value);
  } else {
    TextKey(key);
    text_ += std::to_string(value);
  }
  return *this;
}

LogLine& LogLine::Add(std::string_view key, bool value) {
  if (json_) {
    members_.Bool(key, value);
  } else {
    TextKey(key);
    text_ += value ? "true" : "false";
  }
  return *this;
}

LogLine& LogLine::Add(std::string_view key, const std::vector<std::string>& values) {
  if (json_) {
    members_.Strings(key, values);
    return *this;
  }
  std::string joined;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) joined += ',';
    joined += values[i];
  }
  TextKey(key);
  AppendTextValue(joined, &text_);
  return *this;
}

void LogLine::Emit(spdlog::level::level_enum level) {
  spdlog::default_logger_raw()->log(level, spdlog::string_view_t(text_.data(), text_.size()));
}

}  // namespace keyward
