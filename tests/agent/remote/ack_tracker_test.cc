#include "agent/remote/ack_tracker.h"

#include <gtest/gtest.h>

namespace cistern::remote {
namespace {

TEST(AckTrackerTest, PositionAdvancesOnlyOverAContiguousDonePrefix) {
  AckTracker t({1, 0});
  uint64_t a = t.Issue({1, 100});
  uint64_t b = t.Issue({1, 200});
  uint64_t c = t.Issue({1, 300});
  EXPECT_EQ(t.outstanding(), 3u);
  t.Complete(b);  // a is still out: nothing moves
  EXPECT_EQ(t.delivered(), (wal::Position{1, 0}));
  t.Complete(a);
  EXPECT_EQ(t.delivered(), (wal::Position{1, 200}));
  t.Complete(c);
  EXPECT_EQ(t.delivered(), (wal::Position{1, 300}));
  EXPECT_EQ(t.outstanding(), 0u);
}

TEST(AckTrackerTest, LowerAcksOfLaterRequestsNeverMoveThePositionBack) {
  AckTracker t;
  uint64_t a = t.Issue({2, 500});
  uint64_t b = t.Issue({2, 100});  // cut while another shard still held older samples
  t.Complete(a);
  t.Complete(b);
  EXPECT_EQ(t.delivered(), (wal::Position{2, 500}));
}

TEST(AckTrackerTest, RepeatedAndUnknownCompletionsAreIgnored) {
  AckTracker t;
  uint64_t a = t.Issue({1, 10});
  uint64_t b = t.Issue({1, 20});
  t.Complete(a);
  t.Complete(a);
  t.Complete(12345);
  EXPECT_EQ(t.outstanding(), 1u);
  EXPECT_EQ(t.delivered(), (wal::Position{1, 10}));
  t.Complete(b);
  EXPECT_EQ(t.delivered(), (wal::Position{1, 20}));
}

}  // namespace
}  // namespace cistern::remote
