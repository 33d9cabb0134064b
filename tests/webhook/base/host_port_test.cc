// host:port as flags give it, and https:// URLs.
#include "webhook/base/host_port.h"

#include <gtest/gtest.h>

namespace keyward {
namespace {

TEST(HostPortTest, SplitsHostAndPort) {
  HostPort address;
  ASSERT_EQ(SplitHostPort("127.0.0.1:8443", std::nullopt, &address), HostPortProblem::kNone);
  EXPECT_EQ(address.host, "127.0.0.1");
  EXPECT_EQ(address.port, 8443);
  ASSERT_EQ(SplitHostPort("[::1]:0", std::nullopt, &address), HostPortProblem::kNone);
  EXPECT_EQ(address.host, "::1");
  EXPECT_EQ(address.port, 0);
  ASSERT_EQ(SplitHostPort("[::1]", 443, &address), HostPortProblem::kNone);
  EXPECT_EQ(address.host, "::1");
  EXPECT_EQ(address.port, 443);
}

TEST(HostPortTest, SaysWhatIsWrongWithThePort) {
  HostPort address;
  EXPECT_EQ(SplitHostPort("host", std::nullopt, &address), HostPortProblem::kNoPort);
  EXPECT_EQ(SplitHostPort("host:", 443, &address), HostPortProblem::kBadPort);
  EXPECT_EQ(SplitHostPort("host:65536", std::nullopt, &address), HostPortProblem::kBadPort);
  EXPECT_EQ(SplitHostPort("host:12ab", std::nullopt, &address), HostPortProblem::kBadPort);
}

TEST(HostPortTest, JoinsWithBracketsAroundIpv6) {
  EXPECT_EQ(JoinHostPort("10.0.0.1", "443"), "10.0.0.1:443");
  EXPECT_EQ(JoinHostPort("fd00::1", "6443"), "[fd00::1]:6443");
}

TEST(HttpsUrlTest, ReadsHostPortAndPath) {
  HttpsUrl url;
  ASSERT_EQ(ParseHttpsUrl("https://api.example.com", &url), UrlProblem::kNone);
  EXPECT_EQ(url.address.host, "api.example.com");
  EXPECT_EQ(url.address.port, 443);
  EXPECT_EQ(url.path, "");
  ASSERT_EQ(ParseHttpsUrl("https://[fd00::1]:6443/k8s/clusters/c-1", &url), UrlProblem::kNone);
  EXPECT_EQ(url.address.host, "fd00::1");
  EXPECT_EQ(url.address.port, 6443);
  EXPECT_EQ(url.path, "/k8s/clusters/c-1");
}

TEST(HttpsUrlTest, SaysWhatIsWrong) {
  HttpsUrl url;
  EXPECT_EQ(ParseHttpsUrl("http://api:80", &url), UrlProblem::kNotHttps);
  EXPECT_EQ(ParseHttpsUrl("https://[fd00::1:6443", &url), UrlProblem::kUnclosedBracket);
  EXPECT_EQ(ParseHttpsUrl("https://", &url), UrlProblem::kBadHostOrPort);
  EXPECT_EQ(ParseHttpsUrl("https://api:0", &url), UrlProblem::kBadHostOrPort);
  EXPECT_EQ(ParseHttpsUrl("https://api:https", &url), UrlProblem::kBadHostOrPort);
}

}  // namespace
}  // namespace keyward
