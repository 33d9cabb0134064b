// The shell's one failure type: what, where, how to fix, and the one line a
// user reads.
#include "webhook/base/status.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace keyward {
namespace {

TEST(StatusTest, OkSaysNothing) {
  const Status ok = Status::Ok();
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), Status::Code::kOk);
  EXPECT_EQ(ok.ToString(), "");
}

TEST(StatusTest, AFailureSaysWhatWhereAndHowToFixIt) {
  const Status failed = Status::Error("has no port", "listen address \"x\"", "write host:port");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), Status::Code::kInvalid);
  EXPECT_EQ(failed.ToString(), "listen address \"x\": has no port; write host:port");
  EXPECT_EQ(Status::Error("bare").ToString(), "bare");
  EXPECT_EQ(Status::IoError("No such file or directory", "/p").code(), Status::Code::kIoError);
  EXPECT_EQ(Status::IoError("No such file or directory", "/p").ToString(), "/p: No such file or directory");
}

TEST(ResultTest, HoldsAValueOrAFailure) {
  Result<std::unique_ptr<int>> value = std::make_unique<int>(7);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value.value(), 7);
  const Result<int> failed = Status::Error("no");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().ToString(), "no");
}

}  // namespace
}  // namespace keyward
