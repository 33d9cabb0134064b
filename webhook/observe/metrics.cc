#include "webhook/observe/metrics.h"

#include <charconv>
#include <cmath>

namespace keyward {
namespace {

std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    text += names[i];
    text += "=\"";
    text += EscapeLabelValue(values[i]);
    text += "\",";
  }
  return text;  // trailing comma; callers strip or extend it
}

std::string Braced(std::string labels) {
  if (labels.empty()) return labels;
  labels.pop_back();
  return "{" + labels + "}";
}

void RenderSample(const std::string& name, const std::string& labels, const Counter& metric, std::string* out) {
  *out += name + Braced(labels) + " " + std::to_string(metric.Value()) + "\n";
}

void RenderSample(const std::string& name, const std::string& labels, const Gauge& metric, std::string* out) {
  *out += name + Braced(labels) + " " + FormatSampleValue(metric.Value()) + "\n";
}

void RenderSample(const std::string& name, const std::string& labels, const Histogram& metric, std::string* out) {
  metric.Render(name, labels, out);
}

template <typename Metric>
std::unique_ptr<Metric> MakeMetric(std::span<const double> bounds) {
  if constexpr (std::is_same_v<Metric, Histogram>) {
    return std::make_unique<Histogram>(bounds);
  } else {
    (void)bounds;
    return std::make_unique<Metric>();
  }
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[32];
  // The shortest text that reads back as the same double.
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

Histogram::Histogram(std::span<const double> upper_bounds)
    : upper_bounds_(upper_bounds), buckets_(new std::atomic<uint64_t>[upper_bounds.size()]) {
  for (size_t i = 0; i < upper_bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    if (value <= upper_bounds_[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::Render(std::string_view name, std::string_view labels, std::string* out) const {
  // Read the count first: buckets observed later only make the +Inf bucket
  // (the count) lag, never undercut, a finite bucket's cumulative total.
  const uint64_t count = count_.load(std::memory_order_relaxed);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    *out += std::string(name) + "_bucket{" + std::string(labels) + "le=\"" + FormatSampleValue(upper_bounds_[i]) +
            "\"} " + std::to_string(std::min(cumulative, count)) + "\n";
  }
  std::string braced;  // appended, not "{" + ...: GCC 12 at -O3 raises a false -Wrestrict on that
  if (!labels.empty()) {
    braced += '{';
    braced += labels.substr(0, labels.size() - 1);
    braced += '}';
  }
  *out += std::string(name) + "_bucket{" + std::string(labels) + "le=\"+Inf\"} " + std::to_string(count) + "\n";
  *out += std::string(name) + "_sum" + braced + " " + FormatSampleValue(sum_.load(std::memory_order_relaxed)) + "\n";
  *out += std::string(name) + "_count" + braced + " " + std::to_string(count) + "\n";
}

template <typename Metric>
Metric& Family<Metric>::With(std::initializer_list<std::string_view> values) {
  std::span<const std::string_view> key(values.begin(), values.size());
  {
    std::shared_lock lock(mutex_);
    auto it = children_.find(key);
    if (it != children_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto it = children_.find(key);
  if (it != children_.end()) return *it->second;
  std::vector<std::string> labels(values.begin(), values.end());
  labels.resize(label_names_.size());
  auto inserted = children_.emplace(std::move(labels), MakeMetric<Metric>(histogram_bounds_));
  return *inserted.first->second;
}

template <typename Metric>
void Family<Metric>::Render(std::string* out) const {
  *out += "# HELP " + name_ + " " + help_ + "\n";
  *out += "# TYPE " + name_ + " " + type_ + "\n";
  std::shared_lock lock(mutex_);
  for (const auto& [values, metric] : children_) {
    RenderSample(name_, LabelText(label_names_, values), *metric, out);
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <typename Metric>
Family<Metric>& MetricsRegistry::Add(std::unique_ptr<Family<Metric>> family) {
  auto& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Family<Counter>& MetricsRegistry::AddCounter(std::string name, std::string help,
                                             std::vector<std::string> label_names) {
  return Add(std::make_unique<Family<Counter>>(std::move(name), std::move(help), "counter", std::move(label_names)));
}

Family<Gauge>& MetricsRegistry::AddGauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return Add(std::make_unique<Family<Gauge>>(std::move(name), std::move(help), "gauge", std::move(label_names)));
}

Family<Histogram>& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                                 std::vector<std::string> label_names,
                                                 std::vector<double> upper_bounds) {
  return Add(std::make_unique<Family<Histogram>>(std::move(name), std::move(help), "histogram",
                                                 std::move(label_names), std::move(upper_bounds)));
}

std::string MetricsRegistry::Render() const {
  std::string out;
  for (const auto& family : families_) family->Render(&out);
  return out;
}

}  // namespace keyward
