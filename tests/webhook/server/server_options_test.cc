// What the server takes from its options and requests: listen addresses
// and the request content type.
#include <gtest/gtest.h>

#include "webhook/server/admission_handler.h"
#include "webhook/server/listen_address.h"

namespace keyward {
namespace {

TEST(ListenAddressTest, ParsesHostAndPort) {
  ListenAddress address;
  EXPECT_EQ(ParseListenAddress("0.0.0.0:8443", &address).ToString(), "");
  EXPECT_EQ(address.host, "0.0.0.0");
  EXPECT_EQ(address.port, 8443);
  EXPECT_EQ(ParseListenAddress(":9000", &address).ToString(), "");
  EXPECT_EQ(address.host, "0.0.0.0");
  EXPECT_EQ(ParseListenAddress("[::1]:0", &address).ToString(), "");
  EXPECT_EQ(address.host, "::1");
  EXPECT_EQ(address.port, 0);
  EXPECT_NE(ParseListenAddress("8443", &address).ToString().find("no port"), std::string::npos);
  EXPECT_NE(ParseListenAddress("host:65536", &address).ToString().find("invalid port"), std::string::npos);
  EXPECT_NE(ParseListenAddress("host:http", &address).ToString().find("invalid port"), std::string::npos);
}

TEST(ContentTypeTest, OnlyApplicationJson) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType(""));
  EXPECT_FALSE(IsJsonContentType("application/jsonp"));
  EXPECT_FALSE(IsJsonContentType("text/json"));
  EXPECT_FALSE(IsJsonContentType("application/yaml"));
}

}  // namespace
}  // namespace keyward
