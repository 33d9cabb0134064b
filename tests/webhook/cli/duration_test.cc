// `keyward serve`'s duration flags (--reload-interval, --shutdown-delay...).
#include <gtest/gtest.h>

#include "webhook/cli/duration.h"

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

}  // namespace
}  // namespace keyward
