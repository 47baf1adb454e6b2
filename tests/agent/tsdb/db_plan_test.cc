#include "agent/tsdb/db_plan.h"

#include <gtest/gtest.h>

#include <limits>

namespace cistern::tsdb {
namespace {

constexpr int64_t kH = 3600 * 1000;
constexpr int64_t kNone = std::numeric_limits<int64_t>::min();

BlockMeta B(int64_t min_h, int64_t max_h, int level = 1, std::string ulid = "",
            std::vector<std::string> sources = {}) {
  BlockMeta m;
  m.min_time = min_h * kH;
  m.max_time = max_h * kH;
  m.compaction_level = level;
  m.ulid = ulid;
  m.sources = sources.empty() && !ulid.empty() ? std::vector<std::string>{ulid} : sources;
  return m;
}

TEST(DbPlanTest, AlignDownFloorsNegativeTimesToo) {
  EXPECT_EQ(AlignDown(7, 5), 5);
  EXPECT_EQ(AlignDown(5, 5), 5);
  EXPECT_EQ(AlignDown(-1, 5), -5);
  EXPECT_EQ(AlignDown(-5, 5), -5);
}

TEST(DbPlanTest, HeadRangeIsCutOnlyOnceNoSampleCanLandInIt) {
  int64_t mint = 0;
  // Strict (no OOO window): Prometheus' rule, cut once the head spans 1.5 block ranges.
  EXPECT_FALSE(NextHeadCut(0, 3 * kH - 1, kNone, 2 * kH, 0, &mint));
  EXPECT_TRUE(NextHeadCut(0, 3 * kH, kNone, 2 * kH, 0, &mint));
  EXPECT_EQ(mint, 0);
  // With a 6h window the head keeps 2h + 6h before the first cut.
  EXPECT_FALSE(NextHeadCut(0, 8 * kH - 1, kNone, 2 * kH, 6 * kH, &mint));
  EXPECT_TRUE(NextHeadCut(30 * 60 * 1000, 8 * kH, kNone, 2 * kH, 6 * kH, &mint));
  EXPECT_EQ(mint, 0) << "ranges are aligned to the block range";
  // Never the same range twice: the head may still hold samples of a cut range.
  EXPECT_TRUE(NextHeadCut(kH, 10 * kH, 2 * kH, 2 * kH, 6 * kH, &mint));
  EXPECT_EQ(mint, 2 * kH);
  EXPECT_FALSE(NextHeadCut(kH, 10 * kH, 4 * kH, 2 * kH, 6 * kH, &mint));
  EXPECT_FALSE(NextHeadCut(std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), kNone,
                           2 * kH, 0, &mint))
      << "empty head";
}

TEST(DbPlanTest, CompactionRangesGrowByThreeUpToTheCap) {
  EXPECT_EQ(CompactionRanges(2 * kH, 30 * kH), (std::vector<int64_t>{2 * kH, 6 * kH, 18 * kH}));
  EXPECT_EQ(CompactionRanges(2 * kH, 72 * kH).back(), 54 * kH);
  EXPECT_EQ(CompactionRanges(2 * kH, kH), (std::vector<int64_t>{2 * kH})) << "cap below the block range";
}

TEST(DbPlanTest, CompletedWindowsAreCompactedButNotTheNewestBlock) {
  auto ranges = CompactionRanges(2 * kH, 100 * kH);
  // Three 2h blocks filling [0, 6h) and one newer: the window [0,6h) is compacted.
  auto plans = PlanCompaction({B(0, 2), B(2, 4), B(4, 6), B(6, 8)}, ranges);
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0], (std::vector<size_t>{0, 1, 2}));
  // Until a block after the window exists, the window may still grow: wait.
  EXPECT_TRUE(PlanCompaction({B(0, 2), B(2, 4), B(4, 6)}, ranges).empty());
  // The window [6h,12h) is not complete yet (newest block ends at 10h).
  plans = PlanCompaction({B(0, 6, 2), B(6, 8), B(8, 10)}, ranges);
  EXPECT_TRUE(plans.empty());
  // Three 6h blocks make an 18h one once a later block exists.
  plans = PlanCompaction({B(0, 6, 2), B(6, 12, 2), B(12, 18, 2), B(18, 20)}, ranges);
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0], (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(PlanCompaction({B(0, 2)}, ranges).empty());
}

TEST(DbPlanTest, OverlappingBlocksAreMergedFirst) {
  auto ranges = CompactionRanges(2 * kH, 100 * kH);
  auto plans = PlanCompaction({B(0, 2), B(1, 3), B(4, 6), B(6, 8)}, ranges);
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0], (std::vector<size_t>{0, 1}));
}

TEST(DbPlanTest, RetentionByTimeThenBySizeOldestFirst) {
  std::vector<BlockMeta> blocks{B(0, 2), B(2, 4), B(4, 6), B(6, 8)};
  std::vector<uint64_t> bytes{100, 100, 100, 100};
  auto gone = PlanRetention(blocks, bytes, 4 * kH, 0, 0);
  ASSERT_EQ(gone.size(), 2u) << "max_time 2h and 4h are >= 4h older than the newest end (8h)";
  EXPECT_EQ(gone[0].index, 0u);
  EXPECT_EQ(gone[1].index, 1u);
  EXPECT_EQ(gone[0].reason, RetentionReason::kTime);
  gone = PlanRetention(blocks, bytes, 0, 250, 50);  // 400 + 50 WAL bytes > 250: drop two
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].reason, RetentionReason::kSize);
  EXPECT_EQ(gone[1].index, 1u);
  gone = PlanRetention(blocks, bytes, 5 * kH, 250, 0);
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].reason, RetentionReason::kTime);
  EXPECT_EQ(gone[1].reason, RetentionReason::kSize);
  EXPECT_TRUE(PlanRetention(blocks, bytes, 0, 0, 1 << 30).empty()) << "both off";
}

TEST(DbPlanTest, InputsOfAFinishedCompactionAreRedundant) {
  std::vector<BlockMeta> blocks{B(0, 2, 1, "A"), B(2, 4, 1, "B"), B(0, 4, 2, "C", {"A", "B"}),
                                B(4, 6, 1, "D")};
  EXPECT_EQ(RedundantBlocks(blocks), (std::vector<size_t>{0, 1}));
  blocks = {B(0, 2, 1, "A"), B(2, 4, 1, "B")};
  EXPECT_TRUE(RedundantBlocks(blocks).empty());
}

TEST(DbPlanTest, TheOriginalOfAFinishedRewriteIsRedundant) {
  // clean_tombstones wrote B2 (same level, same sources as B, later ULID) and
  // stopped before removing B.
  std::vector<BlockMeta> blocks{B(0, 2, 1, "A"), B(2, 4, 1, "B"), B(2, 4, 1, "B2", {"B"})};
  EXPECT_EQ(RedundantBlocks(blocks), (std::vector<size_t>{1}));
  blocks = {B(0, 6, 2, "C", {"A", "B"}), B(0, 6, 2, "C2", {"A", "B"})};
  EXPECT_EQ(RedundantBlocks(blocks), (std::vector<size_t>{0}));
  blocks = {B(0, 6, 2, "C", {"A", "B"}), B(0, 6, 2, "D", {"A", "E"})};
  EXPECT_TRUE(RedundantBlocks(blocks).empty())
      << "different sources: an overlap for compaction, not a rewrite";
}

}  // namespace
}  // namespace cistern::tsdb
