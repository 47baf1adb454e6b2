#include "agent/base/status.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace cistern {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

StatusOr<int> Half(int x) {
  if (x % 2) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

Status Quarter(int x, int* out) {
  CISTERN_ASSIGN_OR_RETURN(int h, Half(x));
  CISTERN_ASSIGN_OR_RETURN(*out, Half(h));
  return OkStatus();
}

TEST(StatusTest, OkIsCheapAndDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, ErrorCarriesCodeMessageAndRetryAfter) {
  Status s = ResourceExhaustedError("remote: 429");
  s.WithRetryAfterMs(1500);
  Status copy = s;
  EXPECT_EQ(copy.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(copy.message(), "remote: 429");
  EXPECT_EQ(copy.retry_after_ms(), 1500);
  EXPECT_EQ(copy.Annotate("endpoint a").message(), "endpoint a: remote: 429");
  EXPECT_EQ(copy.Annotate("endpoint a").retry_after_ms(), 1500);
}

TEST(StatusTest, MacrosPropagateTheFirstError) {
  int out = 0;
  CISTERN_EXPECT_OK(Quarter(8, &out));
  EXPECT_EQ(out, 2);
  EXPECT_THAT(Quarter(6, &out), StatusIs(StatusCode::kInvalidArgument, HasSubstr("odd: 3")));
}

}  // namespace
}  // namespace cistern
