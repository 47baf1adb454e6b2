#include "agent/remote/retry.h"

#include <gtest/gtest.h>

namespace cistern::remote {
namespace {

TEST(ClassifyTest, TwoHundredsAreSent) {
  EXPECT_EQ(Classify(OkStatus(), 204, "", 0).outcome, Outcome::kSent);
}

TEST(ClassifyTest, ServerErrorsTooManyRequestsAndNetworkErrorsAreRetried) {
  EXPECT_EQ(Classify(OkStatus(), 500, "", 0).outcome, Outcome::kRetry);
  EXPECT_EQ(Classify(OkStatus(), 503, "", 0).reason, "http_503");
  EXPECT_EQ(Classify(OkStatus(), 429, "", 0).outcome, Outcome::kRetry);
  EXPECT_EQ(Classify(UnavailableError("refused"), 0, "", 0).reason, "network");
  EXPECT_EQ(Classify(DeadlineExceededError("slow"), 0, "", 0).reason, "timeout");
}

TEST(ClassifyTest, OtherFourHundredsAreNotRetried) {
  for (int code : {400, 401, 403, 404, 409, 413, 415}) {
    auto c = Classify(OkStatus(), code, "", 0);
    EXPECT_EQ(c.outcome, Outcome::kDrop) << code;
    EXPECT_EQ(c.reason, "http_" + std::to_string(code));
  }
}

TEST(ClassifyTest, RetryAfterSecondsAndHttpDateAreHonoured) {
  auto c = Classify(OkStatus(), 429, "7", 0);
  ASSERT_TRUE(c.retry_after);
  EXPECT_EQ(c.retry_after->count(), 7000);
  // 1994-11-06T08:49:37Z = 784111777 s
  auto d = ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111777000 - 2500);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count(), 2500);
  EXPECT_FALSE(ParseRetryAfter("soon", 0));
}

TEST(BackoffTest, DoublesFromMinUpToMaxWithJitter) {
  Backoff b(Duration(30), Duration(5000), 42);
  int64_t prev_cap = 30;
  for (int i = 0; i < 20; ++i) {
    Duration d = b.Next();
    EXPECT_GE(d.count(), prev_cap / 2) << i;
    EXPECT_LE(d.count(), prev_cap) << i;
    prev_cap = std::min<int64_t>(prev_cap * 2, 5000);
  }
  b.Reset();
  EXPECT_LE(b.Next().count(), 30);
}

TEST(BackoffTest, RetryAfterLongerThanBackoffWins) {
  Backoff b(Duration(30), Duration(5000), 1);
  EXPECT_EQ(b.Next(Duration(10000)).count(), 10000);
}

}  // namespace
}  // namespace cistern::remote
