#include "agent/tsdb/head.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <thread>

#include "agent/model/sample.h"
#include "agent/storage/append_error.h"
#include "tests/agent/tsdb/head_test_util.h"
#include "tests/testing/status_matchers.h"

namespace cistern::tsdb {
namespace {

using ::cistern::testing::IsOk;
using ::cistern::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using namespace ::cistern::tsdb::testing;  // NOLINT
using storage::Rejection;

constexpr int64_t kHour = 3600 * 1000;

std::optional<Rejection> ReasonOf(const Status& s) { return storage::RejectionOf(s); }

TEST(HeadTest, CommitMakesSamplesVisible) {
  Head head;
  auto app = head.NewAppender();
  ASSERT_THAT(app->Append(0, Metric("up"), 1000, 1), IsOk());
  ASSERT_THAT(app->Append(0, Metric("up"), 2000, 2), IsOk());
  EXPECT_THAT(QueryOne(head, "up"), IsEmpty());
  EXPECT_EQ(head.MaxTime(), storage::kMinTime);
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(1000, 1), Pair(2000, 2)));
  EXPECT_EQ(head.MinTime(), 1000);
  EXPECT_EQ(head.MaxTime(), 2000);
  EXPECT_EQ(head.metrics().samples_appended->Value(), 2);
}

TEST(HeadTest, RollbackDiscardsSamples) {
  Head head;
  auto app = head.NewAppender();
  ASSERT_THAT(app->Append(0, Metric("up"), 1000, 1), IsOk());
  app->Rollback();
  EXPECT_THAT(QueryOne(head, "up"), IsEmpty());
  EXPECT_EQ(head.metrics().samples_appended->Value(), 0);
  // The series exists (created at Append) until a truncation collects it.
  EXPECT_EQ(head.NumSeries(), 1u);
  head.Truncate(0);
  EXPECT_EQ(head.NumSeries(), 0u);
}

TEST(HeadTest, DestroyingAnUncommittedAppenderRollsBack) {
  Head head;
  {
    auto app = head.NewAppender();
    ASSERT_THAT(app->Append(0, Metric("up"), 1000, 1), IsOk());
  }
  EXPECT_THAT(QueryOne(head, "up"), IsEmpty());
  head.Truncate(0);
  EXPECT_EQ(head.NumSeries(), 0u);  // no pending commit held it
}

TEST(HeadTest, SpentAppenderRefusesMoreWork) {
  Head head;
  auto app = head.NewAppender();
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_THAT(app->Append(0, Metric("up"), 1, 1),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("after commit")));
  EXPECT_THAT(app->Commit(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("commit")));
}

TEST(HeadTest, RefHintSkipsLookupAndStaleRefFallsBackToLabels) {
  Head head;
  auto app = head.NewAppender();
  auto ref = app->Append(0, Metric("up"), 1000, 1);
  ASSERT_THAT(ref, IsOk());
  EXPECT_NE(*ref, 0u);
  auto again = app->Append(*ref, Metric("up"), 2000, 2);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *ref);
  ASSERT_THAT(app->Commit(), IsOk());
  auto other = head.NewAppender();
  auto r2 = other->Append(0, Metric("down"), 1000, 1);
  ASSERT_THAT(r2, IsOk());
  EXPECT_NE(*r2, *ref);
  ASSERT_THAT(other->Commit(), IsOk());
  // An unknown ref resolves through the labels.
  auto third = head.NewAppender();
  auto r3 = third->Append(987654, Metric("up"), 3000, 3);
  ASSERT_THAT(r3, IsOk());
  EXPECT_EQ(*r3, *ref);
  ASSERT_THAT(third->Commit(), IsOk());
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(1000, 1), Pair(2000, 2), Pair(3000, 3)));
}

TEST(HeadTest, InvalidLabelsAreRejected) {
  Head head;
  auto app = head.NewAppender();
  EXPECT_THAT(app->Append(0, model::Labels{}, 1, 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty label set")));
  EXPECT_THAT(app->Append(0, model::Labels{{"__name__", "up"}, {"bad-name", "x"}}, 1, 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid label name")));
  EXPECT_THAT(app->Append(0, model::Labels{{"__name__", "up"}, {"a", "1"}, {"a", "2"}}, 1, 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("duplicate label name")));
  EXPECT_EQ(head.NumSeries(), 0u);
}

TEST(HeadTest, StaleMarkerIsStoredBitExactly) {
  Head head;
  ASSERT_THAT(AppendOne(head, Metric("up"), 1000, 1), IsOk());
  ASSERT_THAT(AppendOne(head, Metric("up"), 2000, model::StaleNaN()), IsOk());
  auto got = QueryOne(head, "up");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(std::bit_cast<uint64_t>(got[1].second), model::kStaleNaNBits);
}

TEST(HeadTest, OlderSampleIsOutOfOrderWithoutWindow) {
  Head head;
  ASSERT_THAT(AppendOne(head, Metric("up"), 10000, 1), IsOk());
  Status s = AppendOne(head, Metric("up"), 5000, 2);
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("out of order sample")));
  EXPECT_EQ(ReasonOf(s), Rejection::kOutOfOrder);
  EXPECT_EQ(head.metrics().rejected_out_of_order->Value(), 1);
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(10000, 1)));
}

TEST(HeadTest, DecreasingTimestampsInOneTransactionAreOutOfOrder) {
  Head head;
  auto app = head.NewAppender();
  ASSERT_THAT(app->Append(0, Metric("up"), 10000, 1), IsOk());
  EXPECT_EQ(ReasonOf(app->Append(0, Metric("up"), 9000, 1).status()), Rejection::kOutOfOrder);
  ASSERT_THAT(app->Commit(), IsOk());
}

TEST(HeadTest, SampleOlderThanHalfAChunkRangeBehindHeadMaxIsOutOfBounds) {
  Head head(HeadOptions{.chunk_range_ms = 2 * kHour});
  ASSERT_THAT(AppendOne(head, Metric("a"), 10 * kHour, 1), IsOk());
  // A new series, but too far behind the head.
  Status s = AppendOne(head, Metric("b"), 9 * kHour - 1, 1);
  EXPECT_EQ(ReasonOf(s), Rejection::kOutOfBounds);
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("out of bounds")));
  EXPECT_THAT(AppendOne(head, Metric("b"), 9 * kHour, 1), IsOk());
  EXPECT_EQ(head.metrics().rejected_out_of_bounds->Value(), 1);
}

TEST(HeadTest, DuplicateWithSameValueIsAcceptedSilently) {
  Head head;
  ASSERT_THAT(AppendOne(head, Metric("up"), 1000, 1.5), IsOk());
  ASSERT_THAT(AppendOne(head, Metric("up"), 1000, 1.5), IsOk());
  auto app = head.NewAppender();
  ASSERT_THAT(app->Append(0, Metric("up"), 2000, 2), IsOk());
  ASSERT_THAT(app->Append(0, Metric("up"), 2000, 2), IsOk());  // within one transaction too
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(1000, 1.5), Pair(2000, 2)));
  EXPECT_EQ(head.metrics().samples_appended->Value(), 2);
  EXPECT_EQ(head.metrics().rejected_duplicate->Value(), 0);
}

TEST(HeadTest, DuplicateTimestampWithOtherValueIsRejected) {
  Head head;
  ASSERT_THAT(AppendOne(head, Metric("up"), 1000, 1.5), IsOk());
  Status s = AppendOne(head, Metric("up"), 1000, 2.5);
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("duplicate sample for timestamp")));
  EXPECT_EQ(ReasonOf(s), Rejection::kDuplicate);
  // NaN payloads count as different values: the stale marker is not a NaN duplicate.
  ASSERT_THAT(AppendOne(head, Metric("up"), 2000, std::nan("")), IsOk());
  EXPECT_EQ(ReasonOf(AppendOne(head, Metric("up"), 2000, model::StaleNaN())), Rejection::kDuplicate);
  EXPECT_EQ(head.metrics().rejected_duplicate->Value(), 2);
  auto got = QueryOne(head, "up");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_THAT(got[0], Pair(1000, 1.5));
}

TEST(HeadTest, CommitRechecksAgainstSamplesCommittedMeanwhile) {
  Head head;
  auto a = head.NewAppender();
  auto b = head.NewAppender();
  auto c = head.NewAppender();
  ASSERT_THAT(a->Append(0, Metric("up"), 1000, 1), IsOk());
  ASSERT_THAT(c->Append(0, Metric("up"), 1500, 1), IsOk());
  ASSERT_THAT(b->Append(0, Metric("up"), 1000, 2), IsOk());
  ASSERT_THAT(b->Commit(), IsOk());
  ASSERT_THAT(a->Commit(), IsOk());  // Prometheus: commit succeeds, the sample is dropped and counted
  EXPECT_EQ(head.metrics().rejected_duplicate->Value(), 1);
  auto d = head.NewAppender();
  ASSERT_THAT(d->Append(0, Metric("up"), 2000, 2), IsOk());
  ASSERT_THAT(d->Commit(), IsOk());
  ASSERT_THAT(c->Commit(), IsOk());  // 1500 is now behind 2000
  EXPECT_EQ(head.metrics().rejected_out_of_order->Value(), 1);
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(1000, 2), Pair(2000, 2)));
  EXPECT_EQ(head.metrics().samples_appended->Value(), 2);
}

TEST(HeadTest, OutOfOrderWithinWindowIsMergedAtQueryTime) {
  Head head(HeadOptions{.out_of_order_window_ms = 6 * kHour});
  for (int64_t t : {10, 20, 30}) ASSERT_THAT(AppendOne(head, Metric("up"), t * 60000, t), IsOk());
  for (int64_t t : {25, 5, 15}) ASSERT_THAT(AppendOne(head, Metric("up"), t * 60000, t), IsOk());
  EXPECT_THAT(QueryOne(head, "up"),
              ElementsAre(Pair(5 * 60000, 5), Pair(10 * 60000, 10), Pair(15 * 60000, 15),
                          Pair(20 * 60000, 20), Pair(25 * 60000, 25), Pair(30 * 60000, 30)));
  EXPECT_EQ(head.metrics().out_of_order_appended->Value(), 3);
  EXPECT_EQ(head.metrics().samples_appended->Value(), 6);
  EXPECT_EQ(head.MinTime(), 5 * 60000);
}

TEST(HeadTest, OutOfOrderOlderThanWindowIsTooOldAndCountedOutOfBounds) {
  Head head(HeadOptions{.out_of_order_window_ms = kHour});
  ASSERT_THAT(AppendOne(head, Metric("up"), 10 * kHour, 1), IsOk());
  ASSERT_THAT(AppendOne(head, Metric("up"), 9 * kHour, 1), IsOk());  // exactly at the window edge
  Status s = AppendOne(head, Metric("up"), 9 * kHour - 1, 1);
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("too old sample")));
  EXPECT_EQ(ReasonOf(s), Rejection::kTooOld);
  EXPECT_EQ(head.metrics().rejected_out_of_bounds->Value(), 1);
  // A series far behind the head goes to the out-of-order data, not out of bounds.
  ASSERT_THAT(AppendOne(head, Metric("late"), 9 * kHour + 5, 7), IsOk());
  EXPECT_THAT(QueryOne(head, "late"), ElementsAre(Pair(9 * kHour + 5, 7)));
}

TEST(HeadTest, OutOfOrderDuplicatesFollowTheSameRules) {
  Head head(HeadOptions{.out_of_order_window_ms = kHour});
  ASSERT_THAT(AppendOne(head, Metric("up"), 10000, 1), IsOk());
  ASSERT_THAT(AppendOne(head, Metric("up"), 5000, 5), IsOk());
  ASSERT_THAT(AppendOne(head, Metric("up"), 5000, 5), IsOk());
  EXPECT_EQ(ReasonOf(AppendOne(head, Metric("up"), 5000, 6)), Rejection::kDuplicate);
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(5000, 5), Pair(10000, 1)));
}

TEST(HeadTest, OutOfOrderBufferFlushesIntoChunksAndStaysSorted) {
  Head head(HeadOptions{.out_of_order_window_ms = kHour, .ooo_capacity = 4});
  ASSERT_THAT(AppendOne(head, Metric("up"), 1000000, -1), IsOk());
  // 10 late samples in descending order: two OOO chunks + 2 buffered.
  for (int i = 10; i >= 1; --i) ASSERT_THAT(AppendOne(head, Metric("up"), i * 1000, i), IsOk());
  auto got = QueryOne(head, "up");
  ASSERT_EQ(got.size(), 11u);
  for (int i = 1; i <= 10; ++i) EXPECT_THAT(got[i - 1], Pair(i * 1000, i));
  EXPECT_THAT(got[10], Pair(1000000, -1));
  EXPECT_EQ(head.metrics().chunks->Value(), 3);  // 1 in-order + 2 out-of-order
}

TEST(HeadTest, InOrderDataWinsOverOutOfOrderAtEqualTimestamps) {
  Head head(HeadOptions{.chunk_range_ms = 0, .out_of_order_window_ms = kHour});
  ASSERT_THAT(AppendOne(head, Metric("up"), 1000, 1), IsOk());
  ASSERT_THAT(AppendOne(head, Metric("up"), 3000, 3), IsOk());
  // 1000 is not the newest sample, so it is not checked as a duplicate: it
  // lands in the OOO data and the in-order sample wins on read.
  ASSERT_THAT(AppendOne(head, Metric("up"), 1000, 99), IsOk());
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(1000, 1), Pair(3000, 3)));
}

TEST(HeadTest, ChunksAreCutEvery120Samples) {
  Head head;
  auto app = head.NewAppender();
  for (int i = 0; i < 250; ++i) ASSERT_THAT(app->Append(0, Metric("up"), i * 1000, i), IsOk());
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_EQ(head.metrics().chunks->Value(), 3);
  auto got = QueryOne(head, "up");
  ASSERT_EQ(got.size(), 250u);
  for (int i = 0; i < 250; ++i) EXPECT_THAT(got[i], Pair(i * 1000, i));
}

TEST(HeadTest, ChunksAreCutAtChunkRangeBoundaries) {
  Head head(HeadOptions{.chunk_range_ms = 10000});
  auto app = head.NewAppender();
  for (int i = 0; i < 6; ++i) ASSERT_THAT(app->Append(0, Metric("up"), 7000 + i * 1000, i), IsOk());
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_EQ(head.metrics().chunks->Value(), 2);  // [7000, 9000], [10000, 12000]
}

TEST(HeadTest, TruncateDropsOldChunksAndCollectsEmptySeries) {
  obs::Registry registry;
  Head head(HeadOptions{.chunk_range_ms = 0, .samples_per_chunk = 10, .registry = &registry});
  auto app = head.NewAppender();
  for (int i = 0; i < 30; ++i) ASSERT_THAT(app->Append(0, Metric("long"), i * 1000, i), IsOk());
  for (int i = 0; i < 5; ++i) ASSERT_THAT(app->Append(0, Metric("short", "x"), i * 1000, i), IsOk());
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_EQ(head.NumSeries(), 2u);
  EXPECT_EQ(head.metrics().chunks->Value(), 4);
  head.Truncate(15000);
  // "long": [0,9] dropped, [10,19] overlaps 15000 and stays, [20,29] stays.
  auto got = QueryOne(head, "long");
  ASSERT_EQ(got.size(), 20u);
  EXPECT_THAT(got.front(), Pair(10000, 10));
  EXPECT_THAT(QueryOne(head, "short"), IsEmpty());
  EXPECT_EQ(head.NumSeries(), 1u);
  EXPECT_EQ(head.metrics().chunks->Value(), 2);
  EXPECT_EQ(head.metrics().series->Value(), 1);
  EXPECT_EQ(head.MinTime(), 10000);
  // The index forgot the collected series.
  auto q = head.NewQuerier(storage::kMinTime, storage::kMaxTime);
  auto inst = (*q)->LabelValues("instance", {});
  ASSERT_THAT(inst, IsOk());
  EXPECT_THAT(*inst, ElementsAre("1"));
  // Older than the truncation point: out of bounds; a new series gets a new ref.
  EXPECT_EQ(ReasonOf(AppendOne(head, Metric("short", "x"), 14999, 1)), Rejection::kOutOfBounds);
  ASSERT_THAT(AppendOne(head, Metric("short", "x"), 30000, 1), IsOk());
  EXPECT_THAT(QueryOne(head, "short"), ElementsAre(Pair(30000, 1)));
  EXPECT_NE(registry.RenderText().find("cistern_tsdb_head_series 2"), std::string::npos)
      << registry.RenderText();
}

TEST(HeadTest, TruncateKeepsSeriesWithPendingAppends) {
  Head head;
  auto app = head.NewAppender();
  auto ref = app->Append(0, Metric("up"), 1000, 1);
  ASSERT_THAT(ref, IsOk());
  head.Truncate(0);  // the series is empty but an appender holds samples for it
  EXPECT_EQ(head.NumSeries(), 1u);
  ASSERT_THAT(app->Commit(), IsOk());
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(1000, 1)));
}

TEST(HeadTest, AppendWithRefOfCollectedSeriesRecreatesIt) {
  Head head;
  auto app = head.NewAppender();
  auto ref = app->Append(0, Metric("up"), 1000, 1);
  ASSERT_THAT(ref, IsOk());
  app->Rollback();
  head.Truncate(0);
  ASSERT_EQ(head.NumSeries(), 0u);
  auto again = head.NewAppender();
  auto r2 = again->Append(*ref, Metric("up"), 2000, 2);
  ASSERT_THAT(r2, IsOk());
  EXPECT_NE(*r2, *ref);  // refs are never reused
  ASSERT_THAT(again->Commit(), IsOk());
  EXPECT_THAT(QueryOne(head, "up"), ElementsAre(Pair(2000, 2)));
}

TEST(HeadTest, RejectionMetricsAreExposedWithReasonLabel) {
  obs::Registry registry;
  Head head(HeadOptions{.registry = &registry});
  ASSERT_THAT(AppendOne(head, Metric("up"), 10000, 1), IsOk());
  (void)AppendOne(head, Metric("up"), 5000, 1);
  (void)AppendOne(head, Metric("up"), 10000, 2);
  std::string text = registry.RenderText();
  EXPECT_NE(text.find("cistern_tsdb_samples_rejected_total{reason=\"out_of_order\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("cistern_tsdb_samples_rejected_total{reason=\"duplicate\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("cistern_tsdb_head_samples_appended_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("cistern_tsdb_head_chunks 1"), std::string::npos) << text;
}

// Several appender threads (each with its own series, plus churn series that
// are created, rolled back and collected), querier threads and a truncating
// thread at once. Afterwards every committed sample is read back exactly once.
TEST(HeadTest, ConcurrentAppendersQueriersAndTruncationLoseNothing) {
  Head head(HeadOptions{.chunk_range_ms = 0, .out_of_order_window_ms = 1000000, .stripes = 16});
  constexpr int kWriters = 4, kSeriesPerWriter = 20, kBatches = 60, kPerBatch = 5;
  std::atomic<bool> stop{false};
  std::atomic<int> reader_errors{0};
  std::vector<std::thread> writers, others;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::vector<storage::SeriesRef> refs(kSeriesPerWriter, 0);
      for (int b = 0; b < kBatches; ++b) {
        auto app = head.NewAppender();
        for (int s = 0; s < kSeriesPerWriter; ++s) {
          model::Labels l{{"__name__", "m"}, {"w", std::to_string(w)}, {"s", std::to_string(s)}};
          for (int k = 0; k < kPerBatch; ++k) {
            int64_t t = (b * kPerBatch + k) * 1000;
            auto r = app->Append(refs[s], l, t, static_cast<double>(t + s));
            ASSERT_TRUE(r.ok()) << r.status().ToString();
            refs[s] = *r;
          }
        }
        ASSERT_TRUE(app->Commit().ok());
        // Churn: series that never get committed samples, for GC to collect.
        auto churn = head.NewAppender();
        (void)churn->Append(0, model::Labels{{"__name__", "churn"}, {"w", std::to_string(w)}}, b, 1);
        churn->Rollback();
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    others.emplace_back([&, r] {
      while (!stop.load()) {
        auto q = head.NewQuerier(storage::kMinTime, storage::kMaxTime);
        auto set = (*q)->Select(r % 2 == 0, nullptr, std::vector{Eq("__name__", "m")});
        while (set->Next()) {
          auto it = set->At()->Iterator();
          int64_t prev = -1;
          int s = std::stoi(std::string(set->At()->Labels().Get("s")));
          while (it->Next()) {
            model::Sample x = it->At();
            if (x.timestamp_ms <= prev || x.value != static_cast<double>(x.timestamp_ms + s)) ++reader_errors;
            prev = x.timestamp_ms;
          }
        }
        auto names = (*q)->LabelValues("w", std::vector{Re("__name__", "m|churn")});
        if (!names.ok()) ++reader_errors;
      }
    });
  }
  others.emplace_back([&] {
    while (!stop.load()) {
      head.Truncate(-1);  // drops no sample, collects the churn series
      std::this_thread::yield();
    }
  });
  for (auto& t : writers) t.join();
  stop = true;
  for (auto& t : others) t.join();
  EXPECT_EQ(reader_errors.load(), 0);

  Result all = Query(head, {Eq("__name__", "m")});
  ASSERT_EQ(all.size(), static_cast<size_t>(kWriters * kSeriesPerWriter));
  for (const auto& [labels, samples] : all) {
    ASSERT_EQ(samples.size(), static_cast<size_t>(kBatches * kPerBatch)) << labels;
    for (size_t i = 0; i < samples.size(); ++i)
      EXPECT_EQ(samples[i].first, static_cast<int64_t>(i) * 1000) << labels;
  }
  EXPECT_EQ(head.metrics().samples_appended->Value(), kWriters * kSeriesPerWriter * kBatches * kPerBatch);
  head.Truncate(-1);
  EXPECT_EQ(head.NumSeries(), static_cast<size_t>(kWriters * kSeriesPerWriter));
}

}  // namespace
}  // namespace cistern::tsdb
