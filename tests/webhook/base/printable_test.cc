// Untrusted text cut down for a message or a log line.
#include "webhook/base/printable.h"

#include <gtest/gtest.h>

namespace keyward {
namespace {

TEST(PrintableTest, PrintablePrefixIsBoundedAndHarmless) {
  EXPECT_EQ(PrintablePrefix("abc\n\xff" "def", 5), "abc??");
  EXPECT_EQ(PrintablePrefix("short", 100), "short");
}

}  // namespace
}  // namespace keyward
