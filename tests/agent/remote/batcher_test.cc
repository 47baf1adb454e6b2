#include "agent/remote/batcher.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace cistern::remote
