#include "agent/pipeline/wal_appendable.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "agent/wal/wal.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::pipeline {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

class WalAppendableTest : public ::testing::TestWithParam<FsyncMode> {
 protected:
  void SetUp() override {
    wal::Options o;
    o.dir = dir_.Join("wal");
    auto w = wal::Wal::Open(o);
    ASSERT_TRUE(w.ok());
    wal_ = std::move(*w);
  }
  size_t ReadCount() {
    auto r = wal_->NewReader(wal_->Begin());
    wal::ReadBatch b;
    size_t n = 0;
    while (*r->Next(&b)) n += b.samples.size();
    return n;
  }
  testing::TempDir dir_;
  std::unique_ptr<wal::Wal> wal_;
  obs::Registry metrics_;
};

TEST_P(WalAppendableTest, CommittedBatchesReachTheWalFromManyThreads) {
  WalAppendableOptions o;
  o.fsync = GetParam();
  o.fsync_interval = Duration(50);
  o.metrics = &metrics_;
  WalAppendable sink(wal_.get(), o);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < 50; ++b) {
        auto app = sink.NewAppender();
        for (int i = 0; i < 10; ++i) {
          ASSERT_TRUE(app->Append(0, model::Labels{{"__name__", "m"}, {"t", std::to_string(t)}, {"i", std::to_string(i)}},
                                  b * 1000, b).ok());
        }
        CISTERN_ASSERT_OK(app->Commit());
      }
    });
  }
  for (auto& th : threads) th.join();
  sink.Flush();
  EXPECT_EQ(ReadCount(), 4u * 50 * 10);
  EXPECT_THAT(metrics_.RenderText(), HasSubstr("cistern_pipeline_batches_total 200\n"));
}

INSTANTIATE_TEST_SUITE_P(FsyncModes, WalAppendableTest,
                         ::testing::Values(FsyncMode::kAlways, FsyncMode::kInterval, FsyncMode::kNever));

TEST_F(WalAppendableTest, InvalidLabelsAreRefusedAtAppend) {
  WalAppendable sink(wal_.get(), {});
  auto app = sink.NewAppender();
  EXPECT_THAT(app->Append(0, model::Labels{{"__name__", "bad-name"}}, 1, 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid metric name")));
}

TEST_F(WalAppendableTest, RolledBackBatchesAreNotWritten) {
  WalAppendable sink(wal_.get(), {});
  auto app = sink.NewAppender();
  ASSERT_TRUE(app->Append(0, model::Labels{{"__name__", "m"}}, 1, 1).ok());
  app->Rollback();
  sink.Flush();
  EXPECT_EQ(ReadCount(), 0u);
}

TEST_F(WalAppendableTest, WriterFallingBehindRefusesInsteadOfGrowingWithoutBound) {
  WalAppendableOptions o;
  o.max_queued_samples = 5;
  o.metrics = &metrics_;
  WalAppendable sink(wal_.get(), o);
  auto app = sink.NewAppender();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(app->Append(0, model::Labels{{"__name__", "m"}, {"i", std::to_string(i)}}, 1, 1).ok());
  EXPECT_THAT(app->Commit(), StatusIs(StatusCode::kResourceExhausted, HasSubstr("dropped")));
  EXPECT_THAT(metrics_.RenderText(), HasSubstr("cistern_wal_samples_dropped_total{reason=\"queue_full\"} 6\n"));
}

TEST_F(WalAppendableTest, DestructionDrainsAndSyncs) {
  {
    WalAppendable sink(wal_.get(), {});
    auto app = sink.NewAppender();
    ASSERT_TRUE(app->Append(0, model::Labels{{"__name__", "m"}}, 1, 1).ok());
    CISTERN_ASSERT_OK(app->Commit());
  }
  EXPECT_EQ(ReadCount(), 1u);
}

}  // namespace
}  // namespace cistern::pipeline
