#include "agent/tsdb/db.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/storage/append_error.h"
#include "tests/agent/tsdb/db_test_util.h"

namespace cistern::tsdb {
namespace {

using testing::DbTest;
using testing::Eq;
using testing::kH;
using testing::kMin;
using testing::L;
using testing::Re;
using testing::Result;
namespace fs = std::filesystem;

TEST_F(DbTest, CommittedSamplesSurviveARestartThroughTheWal) {
  {
    auto db = OpenDb(Options());
    ASSERT_TRUE(AppendSeries(db.get(), L("up", "a"), 0, 10 * kMin, 15000).ok());
    auto app = db->NewAppender();
    ASSERT_TRUE(app->Append(0, L("edge", "a"), 1, model::StaleNaN()).ok());
    ASSERT_TRUE(app->Append(0, L("edge", "a"), 2, -0.0).ok());
    ASSERT_TRUE(app->Append(0, L("edge", "a"), 3, std::nan("")).ok());
    ASSERT_TRUE(app->Commit().ok());
    auto rolled = db->NewAppender();
    ASSERT_TRUE(rolled->Append(0, L("never", "a"), 1, 1).ok());
    rolled->Rollback();
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenDb(Options());
  EXPECT_EQ(db->replay_stats().appended, 43u);
  Result r = Read(db.get(), {Re("__name__", ".+")});
  ASSERT_EQ(r.size(), 2u) << "rolled-back samples were never logged";
  EXPECT_EQ(r["up{instance=\"a\"}"].size(), 40u);
  const auto& edge = r["edge{instance=\"a\"}"];
  ASSERT_EQ(edge.size(), 3u);
  EXPECT_TRUE(model::IsStaleNaN(edge[0].second));
  EXPECT_TRUE(std::signbit(edge[1].second));
  EXPECT_TRUE(std::isnan(edge[2].second));
}

TEST_F(DbTest, SecondOpenOfTheSameDirectoryIsRefused) {
  auto db = OpenDb(Options());
  auto again = Db::Open(Options());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("in use by another process"), std::string::npos);
}

TEST_F(DbTest, AcknowledgedSamplesSurviveKillNine) {
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the "server": commits batches and reports each acknowledged one
    close(pipefd[0]);
    DbOptions o = Options();
    o.fsync = FsyncPolicy::kNever;  // kill -9 keeps what write(2) wrote
    auto db = Db::Open(o);
    if (!db.ok()) _exit(2);
    for (int64_t batch = 0;; ++batch) {
      auto app = (*db)->NewAppender();
      for (int s = 0; s < 100; ++s)
        (void)app->Append(0, L("load", std::to_string(s)), batch * 1000, static_cast<double>(batch));
      if (!app->Commit().ok()) _exit(3);
      if (write(pipefd[1], &batch, sizeof batch) != sizeof batch) _exit(4);
    }
  }
  close(pipefd[1]);
  int64_t acked = -1, got;
  while (acked < 300 && read(pipefd[0], &got, sizeof got) == sizeof got) acked = got;
  kill(child, SIGKILL);
  int status;
  waitpid(child, &status, 0);
  while (read(pipefd[0], &got, sizeof got) == sizeof got) acked = got;  // acknowledged before it died
  close(pipefd[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_GE(acked, 300);

  auto db = OpenDb(Options());
  Result r = Read(db.get(), {Eq("__name__", "load")});
  ASSERT_EQ(r.size(), 100u);
  for (const auto& [series, samples] : r) {
    ASSERT_GE(static_cast<int64_t>(samples.size()), acked + 1) << series;
    for (int64_t b = 0; b <= acked; ++b)
      ASSERT_EQ(samples[b], std::make_pair(b * 1000, static_cast<double>(b)));
  }
}

TEST_F(DbTest, HeadIsCutIntoBlocksCompactedAndRetainedOverSimulatedTime) {
  DbOptions o = Options();
  o.retention_ms = 200 * kH;  // compaction ranges up to 10 % of it: 2h, 6h, 18h
  auto db = OpenDb(o);
  // Three series, one sample a minute, 3 days, appended hour by hour with
  // maintenance in between (as the background thread would).
  const int64_t end = 72 * kH;
  for (int64_t h = 0; h < end; h += kH) {
    for (const char* inst : {"a", "b", "c"})
      ASSERT_TRUE(AppendSeries(db.get(), L("m", inst), h, h + kH, kMin).ok());
    ASSERT_TRUE(db->Maintain().ok());
  }
  std::vector<std::shared_ptr<Block>> blocks = db->Blocks();
  ASSERT_FALSE(blocks.empty());
  int max_level = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockMeta& m = blocks[i]->meta();
    max_level = std::max(max_level, m.compaction_level);
    if (i > 0) EXPECT_GE(m.min_time, blocks[i - 1]->meta().max_time) << "blocks never overlap";
  }
  EXPECT_GE(max_level, 3) << "2h blocks were compacted into 6h and 18h blocks";
  EXPECT_GT(Metric("cistern_tsdb_compactions_total"), 0);
  EXPECT_EQ(blocks.front()->meta().min_time, 0);

  // Shorter retention after a restart: whole blocks go, oldest first.
  ASSERT_TRUE(db->Close().ok());
  o.retention_ms = 36 * kH;
  db = OpenDb(o);
  ASSERT_TRUE(db->Maintain().ok());
  blocks = db->Blocks();
  ASSERT_FALSE(blocks.empty());
  int64_t newest = blocks.back()->meta().max_time;
  EXPECT_GT(blocks.front()->meta().min_time, 0) << "older blocks were deleted";
  EXPECT_GT(blocks.front()->meta().max_time, newest - o.retention_ms);
  EXPECT_GT(Metric("cistern_tsdb_retention_deletions_total{reason=\"time\"}"), 0);

  // Everything not deleted by retention reads back exactly once, in order,
  // across blocks and head.
  int64_t first = blocks.front()->meta().min_time;
  Result r = Read(db.get(), {Eq("__name__", "m")});
  ASSERT_EQ(r.size(), 3u);
  for (const auto& [series, samples] : r) {
    ASSERT_EQ(static_cast<int64_t>(samples.size()), (end - first) / kMin) << series;
    for (size_t i = 0; i < samples.size(); ++i) {
      ASSERT_EQ(samples[i].first, first + static_cast<int64_t>(i) * kMin);
      ASSERT_EQ(samples[i].second, samples[i].first / 1000.0);
    }
  }
  // A range inside one block and across a block boundary.
  Result part = Read(db.get(), {Eq("instance", "b")}, 50 * kH + 30 * kMin, 54 * kH + 10 * kMin);
  EXPECT_EQ(part["m{instance=\"b\"}"].size(), static_cast<size_t>(4 * 60 + 10 - 30 + 1));
  EXPECT_LE(db->head().MinTime(), end - kH) << "the head keeps the ranges still open";

  // The same after a restart: blocks reopen, the WAL only replays what is not in them.
  ASSERT_TRUE(db->Close().ok());
  db = OpenDb(o);
  EXPECT_GT(db->replay_stats().persisted + db->replay_stats().appended, 0u);
  EXPECT_EQ(Read(db.get(), {Eq("__name__", "m")}), r);
}

TEST_F(DbTest, OutOfOrderSamplesWithinTheWindowLandInBlocksOlderAreRejected) {
  DbOptions o = Options();
  o.out_of_order_window_ms = 6 * kH;
  auto db = OpenDb(o);
  ASSERT_TRUE(AppendSeries(db.get(), L("live", "a"), 0, 10 * kH, 15000).ok());
  // Backfill 5h behind the newest sample: accepted.
  ASSERT_TRUE(AppendSeries(db.get(), L("late", "a"), 5 * kH, 6 * kH, 15000).ok());
  {
    auto app = db->NewAppender();
    auto r = app->Append(0, L("late", "a"), 3 * kH, 1);  // 7h behind: too old
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(storage::RejectionOf(r.status()), storage::Rejection::kTooOld);
    app->Rollback();
  }
  // Time moves on so the backfilled range is cut into a block.
  ASSERT_TRUE(AppendSeries(db.get(), L("live", "a"), 10 * kH, 14 * kH, 15000).ok());
  ASSERT_TRUE(db->Maintain().ok());
  bool in_block = false;
  for (const auto& b : db->Blocks())
    if (b->meta().min_time <= 5 * kH && b->meta().max_time > 5 * kH) in_block = true;
  EXPECT_TRUE(in_block);
  Result r = Read(db.get(), {Eq("__name__", "late")});
  EXPECT_EQ(r["late{instance=\"a\"}"].size(), 240u);
  EXPECT_EQ(Read(db.get(), {Eq("__name__", "live")})["live{instance=\"a\"}"].size(), 14u * 240);
}

TEST_F(DbTest, CorruptBlockIsQuarantinedAtStartAndTheRestServed) {
  {
    auto db = OpenDb(Options());
    for (int64_t h = 0; h < 8 * kH; h += kH)
      ASSERT_TRUE(AppendSeries(db.get(), L("m", "a"), h, h + kH, kMin).ok());
    ASSERT_TRUE(db->Maintain().ok());
    ASSERT_GE(db->Blocks().size(), 2u);
    ASSERT_TRUE(db->Close().ok());
  }
  // Flip a byte in the middle of the first block's index.
  std::vector<std::string> blocks;
  for (const auto& e : fs::directory_iterator(dir_.path()))
    if (e.is_directory() && IsValidUlid(e.path().filename().string())) blocks.push_back(e.path().string());
  std::sort(blocks.begin(), blocks.end());
  std::string index = blocks.front() + "/index";
  ASSERT_TRUE(fs::exists(index));
  {
    std::fstream f(index, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(index) / 2));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(fs::file_size(index) / 2));
    f.put(static_cast<char>(c ^ 0x5a));
  }
  auto db = OpenDb(Options());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Metric("cistern_tsdb_blocks_quarantined_total"), 1);
  EXPECT_TRUE(fs::exists(dir_.path() + "/quarantine/" + fs::path(blocks.front()).filename().string()));
  EXPECT_EQ(db->Blocks().size(), blocks.size() - 1);
  EXPECT_FALSE(Read(db.get(), {Eq("__name__", "m")}).empty());
}

TEST_F(DbTest, SnapshotIsAValidDataDirWithEverySampleCommittedBeforeIt) {
  auto db = OpenDb(Options());
  for (int64_t h = 0; h < 5 * kH; h += kH)
    ASSERT_TRUE(AppendSeries(db.get(), L("m", "a"), h, h + kH, kMin).ok());
  ASSERT_TRUE(db->Maintain().ok());
  ASSERT_FALSE(db->Blocks().empty()) << "some data in blocks, the rest in the head";
  auto name = db->Snapshot(false);
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(name->size(), 16u + 1 + 16) << *name;
  // Appends after the snapshot are not in it.
  ASSERT_TRUE(AppendSeries(db.get(), L("m", "a"), 5 * kH, 6 * kH, kMin).ok());
  auto skip = db->Snapshot(true);
  ASSERT_TRUE(skip.ok());

  obs::Registry other;
  DbOptions o = Options();
  o.registry = &other;
  o.dir = dir_.path() + "/snapshots/" + *name;
  auto restored = Db::Open(o);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  Result r = Read(restored->get(), {Eq("__name__", "m")});
  EXPECT_EQ(r["m{instance=\"a\"}"].size(), 5u * 60);
  EXPECT_EQ(r, Read(db.get(), {Eq("__name__", "m")}, storage::kMinTime, 5 * kH - 1));
  ASSERT_TRUE((*restored)->Close().ok());

  o.dir = dir_.path() + "/snapshots/" + *skip;
  auto blocks_only = Db::Open(o);
  ASSERT_TRUE(blocks_only.ok());
  int64_t block_end = db->Blocks().back()->meta().max_time;
  EXPECT_EQ(Read(blocks_only->get(), {Eq("__name__", "m")})["m{instance=\"a\"}"].size(),
            static_cast<size_t>(block_end / kMin))
      << "skip_head: only what blocks hold";
}

TEST_F(DbTest, SnapshotOfABlockDamagedSinceItWasOpenedFailsAndLeavesNothing) {
  auto db = OpenDb(Options());
  for (int64_t h = 0; h < 5 * kH; h += kH)
    ASSERT_TRUE(AppendSeries(db.get(), L("m", "a"), h, h + kH, kMin).ok());
  ASSERT_TRUE(db->Maintain().ok());
  ASSERT_FALSE(db->Blocks().empty());
  std::shared_ptr<Block> victim = db->Blocks().front();
  // Bit rot in the first chunk frame (the mapping sees the file's bytes).
  std::string chunks = victim->dir() + "/chunks";
  {
    std::fstream f(chunks, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(20);
    char c;
    f.get(c);
    f.seekp(20);
    f.put(static_cast<char>(c ^ 0x01));
  }
  auto name = db->Snapshot(false);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(name.status().message(), "tsdb: snapshot: block " + victim->meta().ulid +
                                         ": chunks: offset 8: frame 0: checksum mismatch");
  std::error_code ec;
  EXPECT_TRUE(!fs::exists(dir_.path() + "/snapshots") || fs::is_empty(dir_.path() + "/snapshots", ec))
      << "no half snapshot left behind";
}

TEST_F(DbTest, SnapshotUnderConcurrentIngestHasEverySampleAcknowledgedBeforeIt) {
  DbOptions o = Options();
  o.block_range_ms = 10 * kMin;
  auto db = OpenDb(o);
  std::atomic<bool> done{false};
  std::atomic<int64_t> acked{-1};  // newest timestamp whose commit returned
  std::thread writer([&] {
    for (int64_t t = 0; t < 3 * kH; t += 15000) {
      auto app = db->NewAppender();
      for (int s = 0; s < 10; ++s) (void)app->Append(0, L("c", std::to_string(s)), t, static_cast<double>(t));
      ASSERT_TRUE(app->Commit().ok());
      acked.store(t);
    }
  });
  std::thread maint([&] {
    while (!done.load()) {
      (void)db->Maintain();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // std::mutex is not fair: let Snapshot in
    }
  });
  std::vector<std::pair<std::string, int64_t>> snapshots;
  for (int i = 0; i < 5; ++i) {
    while (acked.load() < (i + 1) * 30 * kMin) std::this_thread::yield();
    int64_t before = acked.load();
    auto name = db->Snapshot(false);
    ASSERT_TRUE(name.ok()) << name.status().ToString();
    snapshots.emplace_back(*name, before);
  }
  done.store(true);
  writer.join();
  maint.join();
  for (const auto& [name, before] : snapshots) {
    obs::Registry other;
    DbOptions so = Options();
    so.registry = &other;
    so.dir = dir_.path() + "/snapshots/" + name;
    auto restored = Db::Open(so);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    Result r = Read(restored->get(), {Eq("__name__", "c")}, 0, before);
    ASSERT_EQ(r.size(), 10u) << name;
    for (const auto& [series, samples] : r)
      ASSERT_EQ(static_cast<int64_t>(samples.size()), before / 15000 + 1) << name << " " << series;
  }
}

TEST_F(DbTest, UnfinishedBlockDirectoriesAreRemovedAtStart) {
  fs::create_directories(dir_.path() + "/01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp");
  auto db = OpenDb(Options());
  EXPECT_FALSE(fs::exists(dir_.path() + "/01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp"));
}

TEST_F(DbTest, QueriesRunConcurrentlyWithIngestAndMaintenance) {
  DbOptions o = Options();
  o.block_range_ms = 10 * kMin;
  auto db = OpenDb(o);
  std::atomic<bool> done{false};
  std::atomic<int64_t> written{0};
  std::thread writer([&] {
    for (int64_t t = 0; t < 2 * kH; t += 15000) {
      auto app = db->NewAppender();
      for (int s = 0; s < 20; ++s) (void)app->Append(0, L("c", std::to_string(s)), t, static_cast<double>(t));
      ASSERT_TRUE(app->Commit().ok());
      written.store(t);
    }
    done.store(true);
  });
  std::thread maint([&] {
    while (!done.load()) (void)db->Maintain();
  });
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      while (!done.load()) {
        int64_t upto = written.load();
        Result r = Read(db.get(), {Eq("__name__", "c")}, 0, upto);
        for (const auto& [series, samples] : r) {
          // Every committed sample up to `upto` is there exactly once, in order.
          ASSERT_EQ(static_cast<int64_t>(samples.size()), upto / 15000 + 1) << series;
        }
      }
    });
  }
  writer.join();
  maint.join();
  for (auto& t : readers) t.join();
  EXPECT_FALSE(db->Blocks().empty());
}

}  // namespace
}  // namespace cistern::tsdb
