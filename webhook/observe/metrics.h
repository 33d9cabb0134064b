// A small Prometheus metrics registry: counters, gauges and histograms with
// fixed label names, kept in atomics and rendered in the text exposition
// format (version 0.0.4). Callers choose label values from bounded sets; the
// registry does not guard cardinality itself.
//
// Thread safety: the metrics (Counter, Gauge, Histogram) and Family::With()
// may be used from any thread at once, and Render() may run meanwhile (a
// rendering reads each value on its own, so it is not one instant's
// snapshot). MetricsRegistry's Add*() calls are not synchronised: register
// every family before the registry is shared, as ServerMetrics does in its
// constructor.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace keyward {

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::span<const double> upper_bounds);
  void Observe(double value);
  // Appends the _bucket, _sum and _count lines; `labels` is `a="x",` or "".
  void Render(std::string_view name, std::string_view labels, std::string* out) const;

 private:
  std::span<const double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // not cumulative; one per bound
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  virtual void Render(std::string* out) const = 0;
};

// One metric name with its labelled children, created on first use.
template <typename Metric>
class Family : public MetricFamily {
 public:
  Family(std::string name, std::string help, std::string type, std::vector<std::string> label_names,
         std::vector<double> histogram_bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(std::move(type)),
        label_names_(std::move(label_names)),
        histogram_bounds_(std::move(histogram_bounds)) {}

  // The child for these label values (one per label name, in order).
  Metric& With(std::initializer_list<std::string_view> values);
  void Render(std::string* out) const override;


 private:
  struct LessLabels {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                          [](std::string_view x, std::string_view y) { return x < y; });
    }
  };

  std::string name_;
  std::string help_;
  std::string type_;
  std::vector<std::string> label_names_;
  std::vector<double> histogram_bounds_;
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>, LessLabels> children_;
};

class MetricsRegistry {
 public:
  Family<Counter>& AddCounter(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Histogram>& AddHistogram(std::string name, std::string help, std::vector<std::string> label_names,
                                  std::vector<double> upper_bounds);

  // Every family in registration order, in the Prometheus text format.
  std::string Render() const;

 private:
  template <typename Metric>
  Family<Metric>& Add(std::unique_ptr<Family<Metric>> family);

  std::vector<std::unique_ptr<MetricFamily>> families_;
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string EscapeLabelValue(std::string_view value);
// Formats a sample value the way Prometheus parses it (+Inf, integers plainly).
std::string FormatSampleValue(double value);

}  // namespace keyward
