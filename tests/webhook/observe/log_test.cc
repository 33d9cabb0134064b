// The log's helpers.
#include <gtest/gtest.h>

#include "webhook/observe/log.h"

namespace keyward {
namespace {

TEST(LogTest, PrintablePrefixIsBoundedAndHarmless) {
  EXPECT_EQ(PrintablePrefix("abc\n\xff" "def", 5), "abc??");
  EXPECT_EQ(PrintablePrefix("short", 100), "short");
}

}  // namespace
}  // namespace keyward
