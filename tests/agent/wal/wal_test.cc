#include "agent/wal/wal.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/model/sample.h"
#include "tests/testing/metric_value.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::wal {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

int64_t NowMillisForTest() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

model::Labels SeriesLabels(int i) {
  return model::Labels{{"__name__", "node_metric_" + std::to_string(i % 7)},
                       {"instance", "host-" + std::to_string(i / 7)},
                       {"job", "node"}};
}

class WalTest : public ::testing::Test {
 protected:
  Options Opts() {
    Options o;
    o.dir = dir_.Join("wal");
    o.metrics = &metrics_;
    return o;
  }
  std::unique_ptr<Wal> MustOpen(Options o) {
    auto w = Wal::Open(std::move(o));
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }
  // Appends `batches` scrapes of `series` series; value = batch*1000 + series,
  // plus (noisy) a fraction that defeats compression, in [0, 0.5).
  void Fill(Wal& w, int batches, int series, int64_t t0 = 1700000000000, int first_batch = 0, bool noisy = false) {
    for (int b = first_batch; b < first_batch + batches; ++b) {
      std::vector<SampleRef> s;
      for (int i = 0; i < series; ++i) {
        double v = b * 1000.0 + i;
        if (noisy) v += static_cast<double>((static_cast<uint64_t>(b) * 2654435761u + i * 40503u) % 1000003) / 2000006.0;
        s.push_back({w.Series(SeriesLabels(i)), t0 + b * 15000LL, v});
      }
      CISTERN_ASSERT_OK(w.Append(s));
    }
  }
  struct Got {
    std::vector<std::tuple<std::string, int64_t, double>> samples;
    Position end;
  };
  Got ReadAll(Wal& w, Position from) {
    Got g;
    auto r = w.NewReader(from);
    ReadBatch b;
    while (true) {
      auto more = r->Next(&b);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      for (size_t i = 0; i < b.samples.size(); ++i) {
        g.samples.emplace_back(b.labels[i]->ToString(), b.samples[i].timestamp_ms, b.samples[i].value);
      }
      g.end = b.end;
    }
    return g;
  }
  double Metric(const std::string& line) { return testing::MetricValue(metrics_, line); }
  testing::TempDir dir_;
  obs::Registry metrics_;
};

TEST_F(WalTest, AppendedSamplesReadBackInOrderWithLabels) {
  auto w = MustOpen(Opts());
  Fill(*w, 10, 50);
  Got g = ReadAll(*w, w->Begin());
  ASSERT_EQ(g.samples.size(), 500u);
  EXPECT_EQ(std::get<0>(g.samples[0]), SeriesLabels(0).ToString());
  EXPECT_EQ(std::get<2>(g.samples[51]), 1001.0);
  EXPECT_EQ(std::get<1>(g.samples[499]), 1700000000000 + 9 * 15000);
  EXPECT_EQ(g.end, w->End());
  EXPECT_EQ(w->Series(SeriesLabels(3)), w->Series(SeriesLabels(3)));
}

TEST_F(WalTest, SpecialValuesSurviveBitExactly) {
  auto w = MustOpen(Opts());
  storage::SeriesRef r = w->Series(SeriesLabels(0));
  std::vector<double> vals = {model::StaleNaN(), std::nan(""), -0.0, INFINITY, -INFINITY, 5e-324};
  for (size_t i = 0; i < vals.size(); ++i) {
    std::vector<SampleRef> s = {{r, static_cast<int64_t>(i), vals[i]}};
    CISTERN_ASSERT_OK(w->Append(s));
  }
  auto reader = w->NewReader(w->Begin());
  ReadBatch b;
  for (double v : vals) {
    ASSERT_TRUE(*reader->Next(&b));
    EXPECT_EQ(std::bit_cast<uint64_t>(b.samples[0].value), std::bit_cast<uint64_t>(v));
  }
}

TEST_F(WalTest, ReopenReplaysSeriesAndKeepsRefs) {
  storage::SeriesRef ref;
  {
    auto w = MustOpen(Opts());
    Fill(*w, 3, 20);
    ref = w->Series(SeriesLabels(5));
    CISTERN_ASSERT_OK(w->Close());
  }
  auto w = MustOpen(Opts());
  EXPECT_EQ(w->Series(SeriesLabels(5)), ref);
  EXPECT_EQ(w->series_count(), 20u);
  Fill(*w, 2, 21, 1700000000000, 3);  // one new series
  Got g = ReadAll(*w, w->Begin());
  EXPECT_EQ(g.samples.size(), 3u * 20 + 2 * 21);
  EXPECT_EQ(std::get<2>(g.samples.back()), 4000.0 + 20);
}

TEST_F(WalTest, SegmentsRotateAtTheConfiguredSize) {
  Options o = Opts();
  o.segment_size = 16 << 10;
  auto w = MustOpen(o);
  Fill(*w, 200, 100, 1700000000000, 0, true);
  EXPECT_GT(w->Segments().size(), 3u);
  for (const auto& s : w->Segments()) EXPECT_LE(s.size, o.segment_size);
  Got g = ReadAll(*w, w->Begin());
  EXPECT_EQ(g.samples.size(), 200u * 100);
}

TEST_F(WalTest, CompactOnNodeExporterLikeData) {
  auto w = MustOpen(Opts());
  // Constant gauges, slow counters with fractional steps, noisy gauges.
  std::vector<storage::SeriesRef> refs;
  for (int i = 0; i < 1000; ++i) refs.push_back(w->Series(SeriesLabels(i)));
  for (int b = 0; b < 40; ++b) {
    std::vector<SampleRef> s;
    for (int i = 0; i < 1000; ++i) {
      double v = i % 5 < 2 ? 8.0e9 : i % 5 < 4 ? 1000.0 * i + b * 0.83 : 1.5e9 + ((b * 7919 + i) % 1000) * 4096.0;
      s.push_back({refs[i], 1700000000000 + b * 15000LL, v});
    }
    CISTERN_ASSERT_OK(w->Append(s));
  }
  double bytes_per_sample = double(w->End().offset) / 40000.0;
  std::printf("bytes per sample: %.2f\n", bytes_per_sample);
  EXPECT_LT(bytes_per_sample, 8.0);  // sanity: well below raw (16 B); the figure itself is benchmarked
}

TEST_F(WalTest, TornTailIsTruncatedOnOpen) {
  Position good;
  {
    auto w = MustOpen(Opts());
    Fill(*w, 5, 10);
    good = w->End();
    CISTERN_ASSERT_OK(w->Close());
  }
  std::string seg = Opts().dir + "/" + "00000001";
  {
    std::ofstream f(seg, std::ios::app | std::ios::binary);
    f << std::string("\x12\x34\x56\x78\x90\x00\x01partial-record", 21);
  }
  auto w = MustOpen(Opts());
  EXPECT_EQ(std::filesystem::file_size(seg), good.offset);
  EXPECT_EQ(ReadAll(*w, w->Begin()).samples.size(), 50u);
  EXPECT_EQ(Metric("cistern_wal_corruptions_total"), 0);
}

TEST_F(WalTest, CorruptRecordMidSegmentIsSkippedAndCounted) {
  Options o = Opts();
  o.epoch_bytes = 4096;  // values stored in full again every 4 KiB: bounds what a lost record takes with it
  {
    auto w = MustOpen(o);
    Fill(*w, 400, 10, 1700000000000, 0, true);  // several blocks
    CISTERN_ASSERT_OK(w->Close());
  }
  std::string seg = Opts().dir + "/00000001";
  ASSERT_GT(std::filesystem::file_size(seg), 40000u);  // more than one 32 KiB block
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10000);
    f.put('\x55');
    f.put('\xaa');
  }
  auto w = MustOpen(o);
  EXPECT_GE(Metric("cistern_wal_corruptions_total"), 1);
  Got g = ReadAll(*w, w->Begin());
  // Lost: the rest of block 0 (about 2,000 samples) and what depended on it
  // until the next epoch; everything after that block is read again.
  EXPECT_LT(g.samples.size(), 4000u);
  EXPECT_GT(g.samples.size(), 1500u);
  EXPECT_EQ(std::get<1>(g.samples.back()), 1700000000000 + 399 * 15000LL);
  // Never a wrong value: every sample read is the one written.
  for (const auto& [labels, ts, v] : g.samples) {
    int b = static_cast<int>((ts - 1700000000000) / 15000);
    EXPECT_TRUE(v >= b * 1000.0 && v < b * 1000.0 + 10) << labels << " " << v;
  }
}

TEST_F(WalTest, MissingSegmentAndGarbageCursorDoNotStopTheWal) {
  {
    Options o = Opts();
    o.segment_size = 8 << 10;
    auto w = MustOpen(o);
    Fill(*w, 100, 50, 1700000000000, 0, true);
    ASSERT_GT(w->Segments().size(), 3u);
    CISTERN_ASSERT_OK(w->Close());
  }
  std::filesystem::remove(Opts().dir + "/00000002");
  {
    std::ofstream f(Opts().dir + "/cursors/rw", std::ios::binary);
    f << "\x01\x02garbage";
  }
  auto w = MustOpen(Opts());
  EXPECT_GE(Metric("cistern_wal_corruptions_total"), 1);
  auto pos = w->OpenCursor("rw");
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, w->Begin());
  Got g = ReadAll(*w, *pos);
  EXPECT_GT(g.samples.size(), 0u);
}

TEST_F(WalTest, CursorResumesExactlyAtItsAcknowledgedPosition) {
  Position acked;
  size_t first_part;
  {
    auto w = MustOpen(Opts());
    Fill(*w, 10, 10);
    auto c = w->OpenCursor("central");
    ASSERT_TRUE(c.ok());
    auto r = w->NewReader(*c);
    ReadBatch b;
    first_part = 0;
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(*r->Next(&b));
      first_part += b.samples.size();
    }
    acked = b.end;
    CISTERN_ASSERT_OK(w->Ack("central", acked));
    CISTERN_ASSERT_OK(w->Close());
  }
  auto w = MustOpen(Opts());
  auto c = w->OpenCursor("central");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, acked);
  Got rest = ReadAll(*w, *c);
  EXPECT_EQ(first_part + rest.samples.size(), 100u);
  EXPECT_EQ(std::get<1>(rest.samples.front()), 1700000000000 + 4 * 15000);
}

TEST_F(WalTest, SegmentsAreDeletedOnlyPastTheSlowestConsumer) {
  Options o = Opts();
  o.segment_size = 8 << 10;
  auto w = MustOpen(o);
  auto fast = w->OpenCursor("fast");
  auto slow = w->OpenCursor("slow");
  Fill(*w, 100, 50, 1700000000000, 0, true);
  size_t before = w->Segments().size();
  ASSERT_GT(before, 4u);
  CISTERN_ASSERT_OK(w->Ack("fast", w->End()));
  w->Truncate();
  EXPECT_EQ(w->Segments().size(), before);  // slow still at the start
  Position mid{w->Segments()[3].index, 0};
  CISTERN_ASSERT_OK(w->Ack("slow", mid));
  w->Truncate();
  EXPECT_EQ(w->Begin(), mid);
  // A reader at the new start still resolves every series (checkpoint).
  Got g = ReadAll(*w, w->Begin());
  EXPECT_GT(g.samples.size(), 0u);
  for (const auto& s : g.samples) EXPECT_THAT(std::get<0>(s), HasSubstr("node_metric_"));
}

TEST_F(WalTest, ARemovedCursorNoLongerHoldsSegmentsBack) {
  Options o = Opts();
  o.segment_size = 8 << 10;
  auto w = MustOpen(o);
  ASSERT_TRUE(w->OpenCursor("live").ok());
  ASSERT_TRUE(w->OpenCursor("live.backlog-00000009-10").ok());
  Fill(*w, 100, 50, 1700000000000, 0, true);
  CISTERN_ASSERT_OK(w->Ack("live", w->End()));
  CISTERN_ASSERT_OK(w->Ack("live.backlog-00000009-10", w->Begin()));
  EXPECT_EQ(w->CursorNames(), (std::vector<std::string>{"live", "live.backlog-00000009-10"}));
  size_t before = w->Segments().size();
  w->Truncate();
  EXPECT_EQ(w->Segments().size(), before);  // the backlog cursor pins them
  CISTERN_ASSERT_OK(w->RemoveCursor("live.backlog-00000009-10"));
  EXPECT_EQ(w->CursorNames(), (std::vector<std::string>{"live"}));
  w->Truncate();
  EXPECT_LT(w->Segments().size(), before);
  EXPECT_THAT(w->RemoveCursor("../x"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid consumer name")));
}

TEST_F(WalTest, MaxSizeIsHonouredWithAStalledConsumerAndDropsAreCounted) {
  Options o = Opts();
  o.segment_size = 1 << 20;
  o.max_size = 3 << 20;
  auto w = MustOpen(o);
  auto c = w->OpenCursor("stalled");
  for (int round = 0; round < 40; ++round) {
    Fill(*w, 10, 2000, 1700000000000, round * 10, true);
    uint64_t total = 0;
    for (const auto& s : w->Segments()) total += s.size;
    ASSERT_LE(total, o.max_size + o.segment_size) << round;
  }
  EXPECT_GT(Metric("cistern_wal_samples_dropped_total{reason=\"full\"}"), 0);
  // The stalled consumer was moved to the oldest retained data and can read it all.
  auto pos = w->OpenCursor("stalled");
  EXPECT_EQ(*pos, w->Begin());
  EXPECT_GT(ReadAll(*w, *pos).samples.size(), 0u);
}

TEST_F(WalTest, DiskFullDropsTheBatchKeepsTheFileValidAndRecovers) {
  std::atomic<bool> full{false};
  Options o = Opts();
  o.write_fn = [&](int fd, const void* d, size_t n) -> long {
    if (full) {
      // Half the bytes go in, then the disk is full.
      long wrote = static_cast<long>(::write(fd, d, n / 2));
      (void)wrote;
      errno = ENOSPC;
      return -1;
    }
    return static_cast<long>(::write(fd, d, n));
  };
  auto w = MustOpen(o);
  Fill(*w, 3, 10);
  full = true;
  std::vector<SampleRef> s = {{w->Series(SeriesLabels(1)), 1, 1.0}, {w->Series(SeriesLabels(99)), 1, 2.0}};
  EXPECT_THAT(w->Append(s), StatusIs(StatusCode::kResourceExhausted, HasSubstr("no space left")));
  EXPECT_EQ(Metric("cistern_wal_samples_dropped_total{reason=\"write_error\"}"), 2);
  full = false;
  Fill(*w, 2, 10, 1700000000000, 3);
  std::vector<SampleRef> s2 = {{w->Series(SeriesLabels(99)), 2, 3.0}};  // the series whose record failed
  CISTERN_ASSERT_OK(w->Append(s2));
  Got g = ReadAll(*w, w->Begin());
  EXPECT_EQ(g.samples.size(), 51u);
  EXPECT_EQ(std::get<0>(g.samples.back()), SeriesLabels(99).ToString());
  CISTERN_ASSERT_OK(w->Close());
  auto again = MustOpen(Opts());
  EXPECT_EQ(ReadAll(*again, again->Begin()).samples.size(), 51u);
}

TEST_F(WalTest, ReaderTailsTheLiveSegmentAndIsWokenByAppends) {
  auto w = MustOpen(Opts());
  auto r = w->NewReader(w->Begin());
  ReadBatch b;
  EXPECT_FALSE(*r->Next(&b));
  std::atomic<size_t> got{0};
  std::thread consumer([&] {
    Position at = r->position();
    while (got < 300) {
      w->WaitForData(at, Duration(5000));
      while (*r->Next(&b)) got += b.samples.size();
      at = r->position();
    }
  });
  for (int i = 0; i < 30; ++i) Fill(*w, 1, 10, 1700000000000, i);
  consumer.join();
  EXPECT_EQ(got.load(), 300u);
}

TEST_F(WalTest, InspectReportsSegmentsSamplesAndCursorLag) {
  {
    auto w = MustOpen(Opts());
    Fill(*w, 10, 10);
    auto c = w->OpenCursor("rw-central");
    CISTERN_ASSERT_OK(w->Ack("rw-central", w->Begin()));
    CISTERN_ASSERT_OK(w->Close());
  }
  auto rep = Inspect(Opts().dir);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->samples, 100u);
  EXPECT_EQ(rep->series, 10u);
  ASSERT_EQ(rep->cursors.size(), 1u);
  EXPECT_EQ(rep->cursors[0].lag_samples, 100u);
  std::string text = FormatInspectReport(*rep);
  EXPECT_THAT(text, HasSubstr("100 samples"));
  EXPECT_THAT(text, HasSubstr("rw-central"));
  EXPECT_THAT(Inspect("/nonexistent/wal"), StatusIs(StatusCode::kNotFound, HasSubstr("/nonexistent/wal")));
}

}  // namespace
}  // namespace cistern::wal

namespace cistern::wal {
namespace {

// A real full filesystem: a 2 MiB tmpfs. Needs root (mount); skipped with the reason otherwise.
TEST(WalDiskFullTest, RealEnospcIsSurvivedAndSpaceReturning) {
  testing::TempDir tmp;
  std::string mnt = tmp.Join("small");
  std::filesystem::create_directories(mnt);
  std::string cmd = "mount -t tmpfs -o size=2m tmpfs '" + mnt + "' 2>/dev/null";
  if (geteuid() != 0 || system(cmd.c_str()) != 0) GTEST_SKIP() << "cannot mount a small tmpfs here (needs root and mount permission)";
  struct Unmount {
    std::string dir;
    ~Unmount() { (void)!system(("umount '" + dir + "'").c_str()); }
  } unmount{mnt};
  // A filler we can delete later to give space back.
  {
    std::ofstream f(mnt + "/filler", std::ios::binary);
    f << std::string(512 << 10, 'x');
  }
  obs::Registry metrics;
  Options o;
  o.dir = mnt + "/wal";
  o.segment_size = 256 << 10;
  o.max_size = 64 << 20;  // larger than the disk: the disk fills first
  o.metrics = &metrics;
  auto w = Wal::Open(o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::vector<storage::SeriesRef> refs;
  for (int i = 0; i < 200; ++i) refs.push_back((*w)->Series(SeriesLabels(i)));
  uint64_t written = 0;
  Status last;
  uint64_t x = 88172645463325252ULL;  // xorshift: values that do not compress
  for (int b = 0; b < 5000 && last.ok(); ++b) {
    std::vector<SampleRef> s;
    for (int i = 0; i < 200; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      s.push_back({refs[i], b * 15000LL, static_cast<double>(x >> 11) / 9007199254740992.0});
    }
    last = (*w)->Append(s);
    if (last.ok()) written += s.size();
  }
  ASSERT_EQ(last.code(), StatusCode::kResourceExhausted) << last.ToString();
  EXPECT_NE(metrics.RenderText().find("cistern_wal_samples_dropped_total{reason=\"write_error\"} 200"), std::string::npos);
  // Space returns: appends work again, without a restart.
  std::filesystem::remove(mnt + "/filler");
  std::vector<SampleRef> s;
  for (int i = 0; i < 200; ++i) s.push_back({refs[i], 999999999LL, 1.0});
  CISTERN_ASSERT_OK((*w)->Append(s));
  written += 200;
  CISTERN_ASSERT_OK((*w)->Close());
  w->reset();
  // Everything acknowledged as written is readable after reopening.
  auto again = Wal::Open(o);
  ASSERT_TRUE(again.ok());
  auto r = (*again)->NewReader((*again)->Begin());
  ReadBatch batch;
  uint64_t read = 0;
  while (*r->Next(&batch)) read += batch.samples.size();
  EXPECT_EQ(read, written);
}

}  // namespace
}  // namespace cistern::wal

namespace cistern::wal {
namespace {

TEST_F(WalTest, MaxAgeDropsOldSegmentsAndCountsTheLoss) {
  Options o = Opts();
  o.segment_size = 8 << 10;
  o.max_age = Duration(3600 * 1000);
  auto w = MustOpen(o);
  int64_t two_days_ago = NowMillisForTest() - 2 * 86400 * 1000LL;
  Fill(*w, 60, 50, two_days_ago, 0, true);        // old data, several segments
  Fill(*w, 5, 50, NowMillisForTest(), 1000, true);  // fresh data
  w->Truncate();
  EXPECT_GT(Metric("cistern_wal_samples_dropped_total{reason=\"age\"}"), 0);
  Got g = ReadAll(*w, w->Begin());
  // Retention works on whole segments: only the segment where old and fresh
  // data meet may still hold old samples (an 8 KiB segment holds < 1000).
  size_t old = 0, fresh = 0;
  for (const auto& s : g.samples) (std::get<1>(s) < two_days_ago + 86400 * 1000LL ? old : fresh)++;
  EXPECT_LT(old, 1000u);
  EXPECT_EQ(fresh, 250u);
}

}  // namespace
}  // namespace cistern::wal

namespace cistern::wal {
namespace {

TEST_F(WalTest, ZeroFilledTailIsCutAwayWithoutCountingCorruption) {
  {
    auto w = MustOpen(Opts());
    Fill(*w, 5, 10);
    CISTERN_ASSERT_OK(w->Close());
  }
  std::string seg = Opts().dir + "/00000001";
  uint64_t good = std::filesystem::file_size(seg);
  {
    std::ofstream f(seg, std::ios::app | std::ios::binary);
    f << std::string(100000, '\0');  // preallocated or zeroed by the filesystem after a crash
  }
  auto w = MustOpen(Opts());
  EXPECT_EQ(std::filesystem::file_size(seg), good);
  EXPECT_EQ(Metric("cistern_wal_corruptions_total"), 0);
  EXPECT_EQ(ReadAll(*w, w->Begin()).samples.size(), 50u);
}

}  // namespace
}  // namespace cistern::wal
