#include "agent/storage/append_error.h"

#include <gtest/gtest.h>

namespace cistern::storage {
namespace {

TEST(AppendErrorTest, RejectionsRoundTripThroughStatus) {
  for (Rejection r :
       {Rejection::kOutOfBounds, Rejection::kOutOfOrder, Rejection::kTooOld, Rejection::kDuplicate}) {
    Status s = RejectionError(r, "timestamp 5");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    ASSERT_TRUE(RejectionOf(s).has_value());
    EXPECT_EQ(*RejectionOf(s), r);
    EXPECT_EQ(RejectionOf(RejectionError(r)), r);
  }
}

TEST(AppendErrorTest, MessagesArePrometheusErrorTexts) {
  EXPECT_EQ(RejectionError(Rejection::kOutOfOrder).message(), "out of order sample");
  EXPECT_EQ(RejectionError(Rejection::kOutOfBounds, "t=1").message(), "out of bounds: t=1");
  EXPECT_EQ(RejectionError(Rejection::kDuplicate).message(), "duplicate sample for timestamp");
  EXPECT_EQ(RejectionError(Rejection::kTooOld).message(), "too old sample");
}

TEST(AppendErrorTest, TooOldCountsAsOutOfBounds) {
  EXPECT_EQ(RejectionReasonLabel(Rejection::kTooOld), "out_of_bounds");
  EXPECT_EQ(RejectionReasonLabel(Rejection::kOutOfBounds), "out_of_bounds");
  EXPECT_EQ(RejectionReasonLabel(Rejection::kOutOfOrder), "out_of_order");
  EXPECT_EQ(RejectionReasonLabel(Rejection::kDuplicate), "duplicate");
}

TEST(AppendErrorTest, OtherStatusesAreNotRejections) {
  EXPECT_FALSE(RejectionOf(OkStatus()).has_value());
  EXPECT_FALSE(RejectionOf(InvalidArgumentError("bad label")).has_value());
  EXPECT_FALSE(RejectionOf(InvalidArgumentError("out of bounds2")).has_value());
  EXPECT_FALSE(RejectionOf(InternalError("out of bounds")).has_value());
}

}  // namespace
}  // namespace cistern::storage
