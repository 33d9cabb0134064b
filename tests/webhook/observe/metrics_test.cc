#include "webhook/observe/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "policy/catalog/violation_codes.h"
#include "webhook/server/server_metrics.h"

namespace keyward {
namespace {

TEST(MetricsTest, RendersCountersWithEscapedLabels) {
  MetricsRegistry registry;
  auto& requests = registry.AddCounter("demo_total", "Demo counter.", {"kind", "note"});
  requests.With({"A", "quote \" back\\slash\nnewline"}).Increment(2);
  requests.With({"A", "plain"}).Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP demo_total Demo counter.\n"
            "# TYPE demo_total counter\n"
            "demo_total{kind=\"A\",note=\"plain\"} 1\n"
            "demo_total{kind=\"A\",note=\"quote \\\" back\\\\slash\\nnewline\"} 2\n");
}

TEST(MetricsTest, GaugesWithoutLabels) {
  MetricsRegistry registry;
  registry.AddGauge("expiry_seconds", "Expiry.", {}).With({}).Set(1.7e9);
  registry.AddGauge("ratio", "Ratio.", {}).With({}).Set(0.25);
  EXPECT_EQ(registry.Render(),
            "# HELP expiry_seconds Expiry.\n# TYPE expiry_seconds gauge\nexpiry_seconds 1700000000\n"
            "# HELP ratio Ratio.\n# TYPE ratio gauge\nratio 0.25\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  auto& latency = registry.AddHistogram("latency_seconds", "Latency.", {"webhook"}, {0.001, 0.01});
  auto& mutate = latency.With({"mutate"});
  mutate.Observe(0.0005);
  mutate.Observe(0.005);
  mutate.Observe(0.005);
  mutate.Observe(3);
  EXPECT_EQ(registry.Render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{webhook=\"mutate\",le=\"0.001\"} 1\n"
            "latency_seconds_bucket{webhook=\"mutate\",le=\"0.01\"} 3\n"
            "latency_seconds_bucket{webhook=\"mutate\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{webhook=\"mutate\"} 3.0105\n"
            "latency_seconds_count{webhook=\"mutate\"} 4\n");
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  MetricsRegistry registry;
  auto& family = registry.AddCounter("hits_total", "Hits.", {"kind"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&family, t] {
      for (int i = 0; i < 10000; ++i) family.With({i % 2 == 0 ? "even" : (t % 2 == 0 ? "odd" : "odd")}).Increment();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(family.With({"even"}).Value() + family.With({"odd"}).Value(), 40000u);
}

TEST(MetricsTest, KindLabelIsBoundedToTheCatalog) {
  EXPECT_EQ(KindLabel("sagemaker.services.k8s.aws", "TrainingJob"), "TrainingJob");
  EXPECT_EQ(KindLabel("sagemaker.aws.amazon.com", "TrainingJob"), "TrainingJob");
  EXPECT_EQ(KindLabel("example.com", "TrainingJob"), "other");
  EXPECT_EQ(KindLabel("sagemaker.services.k8s.aws", "AnyNameAnAttackerLikes"), "other");
}

TEST(MetricsTest, ServerMetricsStartWithTheirZeroSeries) {
  ServerMetrics metrics;
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("keyward_policy_reloads_total{result=\"failure\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("keyward_admission_duration_seconds_count{webhook=\"validate\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("keyward_build_info{version=\"" KEYWARD_VERSION "\"} 1\n"), std::string::npos);
  metrics.CountViolation("TrainingJob", "SomethingNew");
  EXPECT_NE(metrics.Render().find("keyward_violations_total{kind=\"TrainingJob\",code=\"other\"} 1"),
            std::string::npos);
}

// The `code` label's values are the table of codes, each its own series.
TEST(MetricsTest, TheViolationCodeLabelIsTheTableOfCodes) {
  ServerMetrics metrics;
  for (const ViolationCode& row : ViolationCodes()) metrics.CountViolation("TrainingJob", row.code);
  const std::string text = metrics.Render();
  for (const ViolationCode& row : ViolationCodes()) {
    const std::string series = "keyward_violations_total{kind=\"TrainingJob\",code=\"" + std::string(row.code) + "\"} 1\n";
    EXPECT_NE(text.find(series), std::string::npos) << series;
  }
  EXPECT_EQ(text.find("code=\"other\""), std::string::npos);
}

}  // namespace
}  // namespace keyward
