// Deleting series (Db::Delete, CleanTombstones): what queries, restarts, head
// cuts, compactions and snapshots make of tombstones.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "agent/tsdb/block_format.h"
#include "agent/tsdb/db.h"
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

constexpr int64_t kMinT = storage::kMinTime;
constexpr int64_t kMaxT = storage::kMaxTime;

using Selectors = std::vector<std::vector<storage::LabelMatcher>>;

class DbTombstonesTest : public DbTest {
 protected:
  // m{a}, m{b}, other{c}: one sample a minute over [0, 7h); blocks [0, 2h)
  // and [2h, 4h), the rest in the head.
  std::unique_ptr<Db> Populated(DbOptions o) {
    auto db = OpenDb(std::move(o));
    for (int64_t h = 0; h < 7 * kH; h += kH)
      for (const auto& l : {L("m", "a"), L("m", "b"), L("other", "c")})
        EXPECT_TRUE(AppendSeries(db.get(), l, h, h + kH, kMin).ok());
    EXPECT_TRUE(db->Maintain().ok());
    EXPECT_EQ(db->Blocks().size(), 2u);
    return db;
  }
  static std::vector<std::string> Values(Db* db, const std::string& name,
                                         std::vector<storage::LabelMatcher> ms = {}) {
    auto q = db->NewQuerier(kMinT, kMaxT);
    EXPECT_TRUE(q.ok());
    auto v = (*q)->LabelValues(name, ms);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE((*q)->Close().ok());
    return v.ok() ? *v : std::vector<std::string>{};
  }
  static size_t Count(const Result& r, const std::string& series) {
    auto it = r.find(series);
    return it == r.end() ? 0 : it->second.size();
  }
  static std::vector<std::string> BlockDirs(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && IsValidUlid(e.path().filename().string())) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(DbTombstonesTest, DeletedDataDisappearsFromQueriesAtOnce) {
  auto db = Populated(Options());
  ASSERT_TRUE(db->Delete(kMinT, kMaxT, Selectors{{Eq("__name__", "m"), Eq("instance", "a")}}).ok());
  Result r = Read(db.get(), {Eq("__name__", "m")});
  EXPECT_EQ(r.size(), 1u) << "a is gone from blocks and head";
  EXPECT_EQ(Count(r, "m{instance=\"b\"}"), 7u * 60);
  EXPECT_EQ(Values(db.get(), "instance"), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(Values(db.get(), "instance", {Eq("__name__", "m")}), (std::vector<std::string>{"b"}));

  // Part of b, across a block boundary and into the head; two selectors.
  ASSERT_TRUE(
      db->Delete(1 * kH, 5 * kH - 1, Selectors{{Eq("instance", "b")}, {Eq("instance", "nope")}}).ok());
  r = Read(db.get(), {Re("__name__", ".+")});
  ASSERT_EQ(Count(r, "m{instance=\"b\"}"), 3u * 60);
  for (const auto& [t, v] : r["m{instance=\"b\"}"]) EXPECT_TRUE(t < 1 * kH || t >= 5 * kH) << t;
  EXPECT_EQ(Count(r, "other{instance=\"c\"}"), 7u * 60);
  EXPECT_EQ(Values(db.get(), "instance"), (std::vector<std::string>{"b", "c"})) << "b still has samples";
  EXPECT_EQ(Count(Read(db.get(), {Eq("instance", "b")}, 1 * kH, 5 * kH - 1), "m{instance=\"b\"}"), 0u);

  // A deletion ends at the series' newest sample: later samples stay.
  ASSERT_TRUE(AppendSeries(db.get(), L("m", "a"), 7 * kH, 7 * kH + 10 * kMin, kMin).ok());
  EXPECT_EQ(Count(Read(db.get(), {Eq("instance", "a")}), "m{instance=\"a\"}"), 10u);
}

TEST_F(DbTombstonesTest, DeletionsSurviveARestart) {
  Result before;
  {
    auto db = Populated(Options());
    ASSERT_TRUE(db->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "a")}}).ok());
    ASSERT_TRUE(db->Delete(3 * kH, 6 * kH, Selectors{{Eq("instance", "b")}}).ok());
    before = Read(db.get(), {Re("__name__", ".+")});
    ASSERT_TRUE(db->Close().ok());
  }
  EXPECT_TRUE(fs::exists(dir_.path() + "/" + kHeadTombstonesFile));
  for (const std::string& b : BlockDirs(dir_.path()))
    EXPECT_TRUE(fs::exists(b + "/" + kBlockTombstonesFile)) << b;
  auto db = OpenDb(Options());
  EXPECT_EQ(Read(db.get(), {Re("__name__", ".+")}), before);
  EXPECT_EQ(Values(db.get(), "instance"), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(Count(before, "m{instance=\"b\"}"), 7u * 60 - (3 * 60 + 1));
}

// A deletion acknowledged (Delete() returned, the API's 204) survives kill -9
// of the process right after, in the head and in blocks, while ingest goes on.
TEST_F(DbTombstonesTest, AcknowledgedDeletionsSurviveKillNine) {
  Populated(Options()).reset();  // blocks [0, 2h), [2h, 4h) and a head, on disk
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the "server": deletes, reports the acknowledgement, keeps ingesting
    close(pipefd[0]);
    DbOptions o = Options();
    o.fsync = FsyncPolicy::kNever;
    auto db = Db::Open(o);
    if (!db.ok()) _exit(2);
    if (!(*db)->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "a")}}).ok()) _exit(3);
    if (!(*db)->Delete(30 * kMin, 6 * kH, Selectors{{Eq("instance", "b")}}).ok()) _exit(3);
    char ack = 1;
    if (write(pipefd[1], &ack, 1) != 1) _exit(4);
    for (int64_t t = 7 * kH;; t += 1000) {  // more samples until killed
      auto app = (*db)->NewAppender();
      (void)app->Append(0, L("other", "c"), t, 1);
      if (!app->Commit().ok()) _exit(5);
    }
  }
  close(pipefd[1]);
  char ack = 0;
  ASSERT_EQ(read(pipefd[0], &ack, 1), 1);
  usleep(20000);
  kill(child, SIGKILL);
  int status;
  waitpid(child, &status, 0);
  close(pipefd[0]);
  ASSERT_TRUE(WIFSIGNALED(status));

  auto db = OpenDb(Options());
  Result r = Read(db.get(), {Eq("__name__", "m")});
  EXPECT_EQ(Count(r, "m{instance=\"a\"}"), 0u);
  ASSERT_EQ(Count(r, "m{instance=\"b\"}"), 30u + 59u);  // [0, 30m) and (6h, 7h): both ends deleted
  for (const auto& [t, v] : r["m{instance=\"b\"}"]) EXPECT_TRUE(t < 30 * kMin || t > 6 * kH) << t;
}

TEST_F(DbTombstonesTest, HeadCutsAndCompactionsWriteNoDeletedSample) {
  DbOptions o = Options();
  o.retention_ms = 200 * kH;  // compaction ranges 2h, 6h, 18h
  auto db = Populated(o);
  ASSERT_TRUE(db->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "a")}}).ok());        // blocks and head
  ASSERT_TRUE(db->Delete(4 * kH, 5 * kH - 1, Selectors{{Eq("instance", "b")}}).ok());  // head only
  Result expect = Read(db.get(), {Re("__name__", ".+")});
  // Time goes on: [4h, 6h) and later are cut, [0, 6h) is compacted.
  for (int64_t h = 7 * kH; h < 14 * kH; h += kH)
    for (const auto& l : {L("m", "b"), L("other", "c")})
      ASSERT_TRUE(AppendSeries(db.get(), l, h, h + kH, kMin).ok());
  ASSERT_TRUE(db->Maintain().ok());
  bool compacted = false;
  for (const auto& b : db->Blocks()) {
    const BlockMeta& m = b->meta();
    EXPECT_TRUE(b->tombstones()->empty()) << m.ulid << ": written without the deleted data";
    EXPECT_FALSE(fs::exists(b->dir() + "/" + kBlockTombstonesFile));
    if (m.min_time == 0 && m.max_time == 6 * kH) {
      compacted = true;
      EXPECT_EQ(m.compaction_level, 2);
      EXPECT_EQ(m.num_series, 2u);
      EXPECT_EQ(m.num_samples, 6u * 60 + 5 * 60) << "c whole, b without its deleted hour";
    }
  }
  EXPECT_TRUE(compacted);
  EXPECT_FALSE(db->head().HasTombstones()) << "pruned with the data they covered";
  Result r = Read(db.get(), {Re("__name__", ".+")}, kMinT, 7 * kH - 1);
  EXPECT_EQ(r, expect);
  ASSERT_TRUE(db->Close().ok());
  EXPECT_FALSE(fs::exists(dir_.path() + "/" + kHeadTombstonesFile));
}

TEST_F(DbTombstonesTest, CleanTombstonesRewritesTheBlocksThatHaveThem) {
  auto db = Populated(Options());
  std::vector<std::string> old = BlockDirs(dir_.path());
  ASSERT_TRUE(db->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "a")}}).ok());
  ASSERT_TRUE(db->Delete(0, 2 * kH - 1, Selectors{{Re("__name__", ".+")}}).ok());  // all of [0, 2h)
  Result expect = Read(db.get(), {Re("__name__", ".+")});
  ASSERT_TRUE(db->CleanTombstones().ok());
  std::vector<std::shared_ptr<Block>> blocks = db->Blocks();
  ASSERT_EQ(blocks.size(), 1u) << "the wholly deleted block is removed";
  const BlockMeta& m = blocks[0]->meta();
  EXPECT_EQ(m.min_time, 2 * kH);
  EXPECT_EQ(m.max_time, 4 * kH);
  EXPECT_EQ(m.num_series, 2u);
  EXPECT_EQ(m.num_samples, 2u * 120);
  EXPECT_TRUE(blocks[0]->tombstones()->empty());
  EXPECT_FALSE(fs::exists(blocks[0]->dir() + "/" + kBlockTombstonesFile));
  for (const std::string& d : old) EXPECT_FALSE(fs::exists(d)) << d;
  EXPECT_EQ(Read(db.get(), {Re("__name__", ".+")}), expect);
  EXPECT_TRUE(db->head().HasTombstones()) << "the head's stay until its data is cut";
  ASSERT_TRUE(db->Close().ok());
  db = OpenDb(Options());
  EXPECT_EQ(Read(db.get(), {Re("__name__", ".+")}), expect);
}

TEST_F(DbTombstonesTest, ARewriteInterruptedBeforeRemovingTheOldBlockIsFinishedAtStart) {
  auto db = Populated(Options());
  ASSERT_TRUE(db->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "a")}}).ok());
  std::string saved = dir_.path() + "/saved";
  fs::create_directories(saved);
  std::vector<std::string> old = BlockDirs(dir_.path());
  for (const std::string& d : old) fs::copy(d, saved + "/" + fs::path(d).filename().string());
  ASSERT_TRUE(db->CleanTombstones().ok());
  Result expect = Read(db.get(), {Re("__name__", ".+")});
  ASSERT_TRUE(db->Close().ok());
  // As if the process died after writing the new blocks: the old ones are back.
  for (const std::string& d : old) fs::rename(saved + "/" + fs::path(d).filename().string(), d);
  db = OpenDb(Options());
  EXPECT_EQ(db->Blocks().size(), 2u);
  for (const std::string& d : old) EXPECT_FALSE(fs::exists(d)) << "superseded by its rewrite: " << d;
  EXPECT_EQ(Read(db.get(), {Re("__name__", ".+")}), expect);
}

TEST_F(DbTombstonesTest, SnapshotsLeaveDeletedDataOutAndKeepTheirTombstones) {
  auto db = Populated(Options());
  ASSERT_TRUE(db->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "a")}}).ok());
  Result expect = Read(db.get(), {Re("__name__", ".+")});
  auto name = db->Snapshot(false);
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  // A later deletion replaces the blocks' tombstones files, not the snapshot's.
  ASSERT_TRUE(db->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "b")}}).ok());
  std::string snap = dir_.path() + "/snapshots/" + *name;
  size_t with_tombstones = 0;
  for (const std::string& b : BlockDirs(snap)) with_tombstones += fs::exists(b + "/" + kBlockTombstonesFile);
  EXPECT_EQ(with_tombstones, 2u) << "the linked blocks carry theirs; the head block was written without a";

  obs::Registry other;
  DbOptions o = Options();
  o.registry = &other;
  o.dir = snap;
  auto restored = Db::Open(o);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(Read(restored->get(), {Re("__name__", ".+")}), expect);
}

TEST_F(DbTombstonesTest, CorruptTombstonesFilesAreReportedNotFatal) {
  {
    auto db = Populated(Options());
    ASSERT_TRUE(db->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "a")}}).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  std::vector<std::string> blocks = BlockDirs(dir_.path());
  {
    std::fstream f(blocks[0] + "/" + kBlockTombstonesFile, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(9);
    f.put('\x7f');
  }
  std::ofstream(dir_.path() + "/" + kHeadTombstonesFile, std::ios::trunc) << "garbage";
  auto db = OpenDb(Options());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Metric("cistern_tsdb_blocks_quarantined_total"), 1);
  EXPECT_TRUE(fs::exists(dir_.path() + "/quarantine/" + fs::path(blocks[0]).filename().string()));
  EXPECT_FALSE(fs::exists(dir_.path() + "/" + kHeadTombstonesFile));
  bool moved = false;
  for (const auto& e : fs::directory_iterator(dir_.path() + "/quarantine"))
    moved = moved || e.path().filename().string().starts_with(kHeadTombstonesFile);
  EXPECT_TRUE(moved);
  Result r = Read(db.get(), {Eq("instance", "a")});
  EXPECT_EQ(Count(r, "m{instance=\"a\"}"), 3u * 60)
      << "the head's deletion is undone, the good block keeps its";
}

TEST_F(DbTombstonesTest, ReadOnlyDbRefusesToDelete) {
  { auto db = Populated(Options()); }
  DbOptions o = Options();
  o.read_only = true;
  auto db = OpenDb(o);
  Status s = db->Delete(kMinT, kMaxT, Selectors{{Eq("instance", "a")}});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(db->CleanTombstones().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace cistern::tsdb
