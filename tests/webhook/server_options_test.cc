#include <gtest/gtest.h>

#include "webhook/server/admission_handler.h"
#include "webhook/cli/duration.h"
#include "webhook/server/listen_address.h"
#include "webhook/observe/log.h"

namespace keyward {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesUnits) {
  milliseconds out{};
  EXPECT_EQ(ParseDuration("250ms", &out), "");
  EXPECT_EQ(out, milliseconds(250));
  EXPECT_EQ(ParseDuration("5s", &out), "");
  EXPECT_EQ(out, milliseconds(5000));
  EXPECT_EQ(ParseDuration("7", &out), "");
  EXPECT_EQ(out, milliseconds(7000));
  EXPECT_EQ(ParseDuration("2m", &out), "");
  EXPECT_EQ(out, milliseconds(120000));
  EXPECT_EQ(ParseDuration("1h", &out), "");
  EXPECT_EQ(out, milliseconds(3600000));
  EXPECT_NE(ParseDuration("", &out).find("whole number"), std::string::npos);
  EXPECT_NE(ParseDuration("-1s", &out).find("non-negative"), std::string::npos);
  EXPECT_NE(ParseDuration("5 s", &out).find("unit"), std::string::npos);
  EXPECT_NE(ParseDuration("1.5s", &out).find("unit"), std::string::npos);
  EXPECT_NE(ParseDuration("99999999999999999h", &out), "");
}

TEST(ListenAddressTest, ParsesHostAndPort) {
  ListenAddress address;
  EXPECT_EQ(ParseListenAddress("0.0.0.0:8443", &address), "");
  EXPECT_EQ(address.host, "0.0.0.0");
  EXPECT_EQ(address.port, 8443);
  EXPECT_EQ(ParseListenAddress(":9000", &address), "");
  EXPECT_EQ(address.host, "0.0.0.0");
  EXPECT_EQ(ParseListenAddress("[::1]:0", &address), "");
  EXPECT_EQ(address.host, "::1");
  EXPECT_EQ(address.port, 0);
  EXPECT_NE(ParseListenAddress("8443", &address).find("no port"), std::string::npos);
  EXPECT_NE(ParseListenAddress("host:65536", &address).find("invalid port"), std::string::npos);
  EXPECT_NE(ParseListenAddress("host:http", &address).find("invalid port"), std::string::npos);
}

TEST(ContentTypeTest, OnlyApplicationJson) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType(""));
  EXPECT_FALSE(IsJsonContentType("application/jsonp"));
  EXPECT_FALSE(IsJsonContentType("text/json"));
  EXPECT_FALSE(IsJsonContentType("application/yaml"));
}

TEST(LogTest, PrintablePrefixIsBoundedAndHarmless) {
  EXPECT_EQ(PrintablePrefix("abc\n\xff" "def", 5), "abc??");
  EXPECT_EQ(PrintablePrefix("short", 100), "short");
}

}  // namespace
}  // namespace keyward
