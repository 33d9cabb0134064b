#include "webhook/observe/metrics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
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

// The docs (the chart's README, its templates and values, the README) name
// only metrics the binary exports, with labels they have and, for the
// result label, values it takes. An alert written from the docs must fire.
TEST(MetricsTest, TheDocsNameOnlyMetricsTheServerExports) {
  const std::string exported = ServerMetrics().Render();
  size_t mentions = 0;
  for (const char* doc : {"charts/keyward/README.md", "charts/keyward/values.yaml", "charts/keyward/templates/NOTES.txt",
                          "README.md", "bench/README.md"}) {
    std::ifstream in(std::string(KEYWARD_SOURCE_DIR) + "/" + doc);
    std::stringstream text;
    text << in.rdbuf();
    const std::string body = text.str();
    const std::regex mention(R"(\b(keyward_[a-z_]+_(total|seconds|info)|keyward_build_info)(\{([^}]*)\})?)");
    for (std::sregex_iterator it(body.begin(), body.end(), mention), end; it != end; ++it) {
      ++mentions;
      const std::string name = (*it)[1];
      EXPECT_NE(exported.find("# TYPE " + name + " "), std::string::npos) << doc << " names " << name;
      // The result label's values are exported from the start (zero
      // series), so an alert on one of them can be checked here.
      const std::string selector = (*it)[4];
      const std::regex result(R"re(result="([^"]*)")re");
      std::smatch m;
      if (std::regex_search(selector, m, result)) {
        EXPECT_NE(exported.find(name + "{result=\"" + m[1].str() + "\"}"), std::string::npos)
            << doc << ": " << name << "{result=\"" << m[1] << "\"} is never exported";
      }
    }
  }
  EXPECT_GT(mentions, 10u);
}

}  // namespace
}  // namespace keyward
