// `keyward serve`'s duration flags (--reload-interval, --shutdown-delay...).
#include <gtest/gtest.h>

#include "webhook/cli/duration.h"

namespace keyward {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesUnits) {
  milliseconds out{};
  EXPECT_EQ(ParseDuration("250ms", &out).ToString(), "");
  EXPECT_EQ(out, milliseconds(250));
  EXPECT_EQ(ParseDuration("5s", &out).ToString(), "");
  EXPECT_EQ(out, milliseconds(5000));
  EXPECT_EQ(ParseDuration("7", &out).ToString(), "");
  EXPECT_EQ(out, milliseconds(7000));
  EXPECT_EQ(ParseDuration("2m", &out).ToString(), "");
  EXPECT_EQ(out, milliseconds(120000));
  EXPECT_EQ(ParseDuration("1h", &out).ToString(), "");
  EXPECT_EQ(out, milliseconds(3600000));
  EXPECT_NE(ParseDuration("", &out).ToString().find("whole number"), std::string::npos);
  EXPECT_NE(ParseDuration("-1s", &out).ToString().find("non-negative"), std::string::npos);
  EXPECT_NE(ParseDuration("5 s", &out).ToString().find("unit"), std::string::npos);
  EXPECT_NE(ParseDuration("1.5s", &out).ToString().find("unit"), std::string::npos);
  EXPECT_NE(ParseDuration("99999999999999999h", &out).ToString(), "");
}

}  // namespace
}  // namespace keyward
