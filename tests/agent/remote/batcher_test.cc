#include "agent/remote/batcher.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace cistern::remote {
namespace {

wal::ReadBatch Batch(std::vector<model::Labels>* keep, int n, int64_t ts, wal::Position end) {
  wal::ReadBatch b;
  keep->clear();
  for (int i = 0; i < n; ++i) keep->push_back(model::Labels{{"__name__", "m"}, {"i", std::to_string(i)}});
  for (int i = 0; i < n; ++i) {
    b.samples.push_back({static_cast<storage::SeriesRef>(i + 1), ts, 1.0});
    b.labels.push_back(&(*keep)[i]);
  }
  b.end = end;
  return b;
}

TEST(BatcherTest, RequestsAcknowledgeOnlyWalRecordsTheyComplete) {
  BatcherOptions o;
  o.max_samples_per_send = 4;
  Batcher batcher(o);
  std::vector<PendingRequest> out;
  auto emit = [&](PendingRequest r) { out.push_back(std::move(r)); };
  std::vector<model::Labels> keep;
  batcher.Add(Batch(&keep, 6, 1000, {1, 100}), 0, emit);  // 4 sent, 2 pending
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].samples, 4u);
  EXPECT_EQ(out[0].ack, (wal::Position{0, 0}));  // record 1 is not complete in it
  batcher.Add(Batch(&keep, 3, 2000, {1, 200}), 0, emit);  // 2 + 2 -> cut, 1 pending
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].ack, (wal::Position{1, 100}));
  batcher.Flush(emit);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].samples, 1u);
  EXPECT_EQ(out[2].ack, (wal::Position{1, 200}));
  auto decoded = DecodeWriteRequest(out[1].body);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->timeseries.size(), 4u);
}

TEST(BatcherTest, FilteredRecordsStillMoveTheCursor) {
  auto relabel = model::Relabeler::Compile({model::RelabelRule{{"__name__"}, ";", "", "m", 0, "$1", model::RelabelAction::kDrop}});
  ASSERT_TRUE(relabel.ok());
  BatcherOptions o;
  o.relabel = &*relabel;
  Batcher batcher(o);
  std::vector<PendingRequest> out;
  std::vector<model::Labels> keep;
  batcher.Add(Batch(&keep, 5, 1000, {2, 50}), 0, [&](PendingRequest r) { out.push_back(std::move(r)); });
  batcher.Flush([&](PendingRequest r) { out.push_back(std::move(r)); });
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].body.empty());  // ack-only
  EXPECT_EQ(out[0].ack, (wal::Position{2, 50}));
  EXPECT_EQ(batcher.counts().dropped_relabel, 5u);
}

TEST(BatcherTest, SamplesOlderThanTheAgeLimitAreDroppedAndCounted) {
  BatcherOptions o;
  o.sample_age_limit = Duration(60000);
  Batcher batcher(o);
  std::vector<PendingRequest> out;
  std::vector<model::Labels> keep;
  batcher.Add(Batch(&keep, 3, 1000, {1, 10}), /*now_ms=*/1000 + 120000, [&](PendingRequest r) { out.push_back(std::move(r)); });
  EXPECT_EQ(batcher.counts().dropped_too_old, 3u);
  EXPECT_EQ(batcher.pending_samples(), 0u);
}

TEST(BatcherTest, EverySeriesStaysOnOneShard) {
  BatcherOptions o;
  o.shards = 4;
  o.max_samples_per_send = 1000;
  Batcher batcher(o);
  std::vector<PendingRequest> out;
  auto emit = [&](PendingRequest r) { out.push_back(std::move(r)); };
  std::vector<model::Labels> keep;
  for (int b = 0; b < 3; ++b) {
    batcher.Add(Batch(&keep, 40, 1000 * (b + 1), {1, 100u * (b + 1)}), 0, emit);
    batcher.Flush(emit);
  }
  std::map<std::string, size_t> shard_of;
  std::set<size_t> used;
  for (const PendingRequest& r : out) {
    if (r.body.empty()) continue;
    auto decoded = DecodeWriteRequest(r.body);
    ASSERT_TRUE(decoded.ok());
    used.insert(r.shard);
    for (const auto& ts : decoded->timeseries) {
      auto [it, fresh] = shard_of.try_emplace(ts.labels.ToString(), r.shard);
      EXPECT_EQ(it->second, r.shard) << ts.labels.ToString() << " moved between shards";
    }
  }
  EXPECT_EQ(shard_of.size(), 40u);
  EXPECT_EQ(used.size(), 4u);  // 40 series spread over all four
}

TEST(BatcherTest, ACutShardWaitsForRecordsOtherShardsStillHold) {
  BatcherOptions o;
  o.shards = 2;
  o.max_samples_per_send = 3;
  Batcher batcher(o);
  batcher.Reset({1, 0});
  std::vector<PendingRequest> out;
  auto emit = [&](PendingRequest r) { out.push_back(std::move(r)); };
  std::vector<model::Labels> keep;
  // Record 1 (ends at 1:100) puts samples on both shards; record 2 (1:200)
  // fills one shard first. That request may not acknowledge record 1, whose
  // other samples still wait in the other shard.
  for (int r = 1; r <= 4 && out.empty(); ++r) batcher.Add(Batch(&keep, 2, 1000 * r, {1, 100u * r}), 0, emit);
  // Both shards fill up in record 3; the one cut first may not acknowledge
  // record 1, the one cut second (nothing else pending) may go up to record 2.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ack, (wal::Position{1, 0}));
  EXPECT_EQ(out[1].ack, (wal::Position{1, 200}));
  batcher.Add(Batch(&keep, 2, 5000, {1, 500}), 0, emit);
  batcher.Flush(emit);
  wal::Position highest;
  for (const PendingRequest& r : out) highest = std::max(highest, r.ack);
  EXPECT_EQ(highest, (wal::Position{1, 500}));  // after the flush everything read is acknowledged
}

}  // namespace
}  // namespace cistern::remote
