#include "agent/tsdb/block.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <thread>

#include "agent/storage/series_list.h"
#include "agent/tsdb/block_bytes.h"
#include "agent/tsdb/block_chunk_codec.h"
#include "agent/tsdb/block_writer.h"
#include "agent/wal/crc32c.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::tsdb {
namespace {

using ::cistern::testing::IsOk;
using ::cistern::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using SeriesData = std::vector<std::pair<model::Labels, std::vector<model::Sample>>>;

std::unique_ptr<storage::SeriesSet> ToSet(const SeriesData& data) {
  std::vector<std::shared_ptr<storage::Series>> list;
  for (const auto& [l, s] : data) list.push_back(std::make_shared<storage::ListSeries>(l, s));
  return storage::NewListSeriesSet(std::move(list));
}

storage::LabelMatcher M(storage::MatchType t, std::string n, std::string v) {
  return *storage::LabelMatcher::Make(t, std::move(n), std::move(v));
}
storage::LabelMatcher Eq(std::string n, std::string v) { return M(storage::MatchType::kEqual, n, v); }

// Every sample of every selected series, bit patterns of the values compared.
SeriesData ReadAll(storage::Querier* q, std::vector<storage::LabelMatcher> ms,
                   const storage::SelectHints* hints = nullptr, bool sorted = true) {
  SeriesData out;
  auto set = q->Select(sorted, hints, ms);
  while (set->Next()) {
    auto it = set->At()->Iterator();
    out.emplace_back(set->At()->Labels(), storage::ReadAll(it.get()));
    EXPECT_THAT(it->Err(), IsOk());
  }
  EXPECT_THAT(set->Err(), IsOk());
  return out;
}

bool SameBits(const std::vector<model::Sample>& a, const std::vector<model::Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].timestamp_ms != b[i].timestamp_ms ||
        std::bit_cast<uint64_t>(a[i].value) != std::bit_cast<uint64_t>(b[i].value)) {
      return false;
    }
  }
  return true;
}

class BlockTest : public ::testing::TestWithParam<BlockChunkEncoding> {
 protected:
  std::shared_ptr<Block> Write(const SeriesData& data, int64_t mint = storage::kMinTime,
                               int64_t maxt = storage::kMaxTime, BlockWriteOptions opts = {}) {
    opts.encoding = GetParam();
    auto set = ToSet(data);
    StatusOr<BlockMeta> meta = WriteBlock(dir_.path(), set.get(), mint, maxt, 1, {}, opts);
    EXPECT_THAT(meta, IsOk());
    if (!meta.ok() || meta->num_series == 0) return nullptr;
    StatusOr<std::shared_ptr<Block>> b = Block::Open(dir_.Join(meta->ulid));
    EXPECT_THAT(b, IsOk());
    return b.ok() ? *b : nullptr;
  }
  std::unique_ptr<storage::Querier> Q(Block* b, int64_t mint = storage::kMinTime, int64_t maxt = storage::kMaxTime) {
    return std::move(*b->NewQuerier(mint, maxt));
  }

  cistern::testing::TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Encodings, BlockTest,
                         ::testing::Values(BlockChunkEncoding::kColumns, BlockChunkEncoding::kXor),
                         [](const auto& info) { return info.param == BlockChunkEncoding::kXor ? "Xor" : "Columns"; });

TEST_P(BlockTest, EdgeValuesAndTimestampsRoundTripBitExactly) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {std::nan(""),
                                model::StaleNaN(),
                                std::bit_cast<double>(uint64_t{0x7ff8dead0000beef}),
                                std::bit_cast<double>(uint64_t{0xfff0000000000001}),
                                inf,
                                -inf,
                                -0.0,
                                0.0,
                                1e308,
                                -1e308,
                                5e-324,
                                2.2250738585072014e-308,
                                1.0,
                                1.0,
                                1.0,
                                0.1,
                                123.45,
                                -7,
                                9007199254740993.0,
                                1e20};
  std::vector<int64_t> ts = {std::numeric_limits<int64_t>::min() + 1, -1'000'000'000'000'000, -15000, -1, 0, 1, 2,
                             15000, 30001, 44999, 1'000'000'000'000, 1'000'000'000'001, 4'000'000'000'000'000};
  std::vector<model::Sample> mixed;
  for (size_t i = 0; i < ts.size(); ++i) mixed.push_back({ts[i], values[i % values.size()]});
  std::vector<model::Sample> all_values;
  for (size_t i = 0; i < values.size(); ++i) all_values.push_back({static_cast<int64_t>(i) * 15000, values[i]});
  SeriesData data = {
      {model::Labels{{"__name__", "a"}}, mixed},
      {model::Labels{{"__name__", "b"}}, all_values},
      {model::Labels{{"__name__", "c"}}, {{42, model::StaleNaN()}}},  // a single sample
      {model::Labels{{"__name__", "d"}, {"x", "y"}}, {{-5, -0.0}, {std::numeric_limits<int64_t>::max() - 1, 5e-324}}},
  };
  auto b = Write(data);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->meta().num_series, 4u);
  EXPECT_EQ(b->meta().min_time, ts[0]);
  EXPECT_EQ(b->meta().max_time, std::numeric_limits<int64_t>::max());
  SeriesData got = ReadAll(Q(b.get()).get(), {M(storage::MatchType::kRegexp, "__name__", ".+")});
  ASSERT_EQ(got.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    EXPECT_EQ(got[i].first, data[i].first);
    EXPECT_TRUE(SameBits(got[i].second, data[i].second)) << data[i].first.ToString();
  }
  EXPECT_THAT(b->VerifyChunks(), IsOk());
}

TEST_P(BlockTest, RandomFloatsDecimalsAndCountersRoundTripBitExactly) {
  std::mt19937_64 rng(7);
  SeriesData data;
  for (int s = 0; s < 30; ++s) {
    std::vector<model::Sample> samples;
    double counter = 0;
    for (int i = 0; i < 3000; ++i) {
      double v;
      switch (s % 6) {
        case 0: v = std::bit_cast<double>(rng()); break;                      // any bits, NaNs included
        case 1: v = static_cast<double>(rng() % 100000) / 100; break;         // two decimals
        case 2: counter += static_cast<double>(rng() % 5000); v = counter; break;
        case 3: v = i % 97 == 0 ? model::StaleNaN() : static_cast<double>(i) * 0.25; break;
        case 4: v = std::ldexp(static_cast<double>(rng() % 1000), -1070); break;  // denormals
        default: v = (rng() % 2 ? 1 : -1) * static_cast<double>(rng() % 1000) * 1e-9; break;
      }
      samples.push_back({1'700'000'000'000 + i * 15000 + static_cast<int64_t>(rng() % 7) - 3, v});
    }
    data.emplace_back(model::Labels{{"__name__", "m"}, {"s", std::to_string(100 + s)}}, samples);
  }
  auto b = Write(data);
  ASSERT_NE(b, nullptr);
  SeriesData got = ReadAll(Q(b.get()).get(), {Eq("__name__", "m")});
  ASSERT_EQ(got.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i) EXPECT_TRUE(SameBits(got[i].second, data[i].second)) << i;
  EXPECT_GT(b->chunks().num_frames(), 1u);
  EXPECT_THAT(b->VerifyChunks(), IsOk());
}

TEST_P(BlockTest, WriterKeepsTheHalfOpenRangeAndDropsSeriesWithoutSamplesInIt) {
  std::vector<model::Sample> s;
  for (int64_t t = 0; t <= 10; ++t) s.push_back({t * 1000, static_cast<double>(t)});
  SeriesData data = {{model::Labels{{"__name__", "in"}}, s},
                     {model::Labels{{"__name__", "out"}}, {{1000, 1}, {2000, 2}, {7000, 7}}}};
  auto b = Write(data, 3000, 7000);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->meta().min_time, 3000);
  EXPECT_EQ(b->meta().max_time, 7000);
  EXPECT_EQ(b->meta().num_series, 1u);
  EXPECT_EQ(b->meta().num_samples, 4u);
  EXPECT_THAT(b->meta().sources, ElementsAre(b->meta().ulid));
  SeriesData got = ReadAll(Q(b.get()).get(), {M(storage::MatchType::kRegexp, "__name__", ".*")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second.front().timestamp_ms, 3000);
  EXPECT_EQ(got[0].second.back().timestamp_ms, 6000);
}

TEST_P(BlockTest, SetWithoutSamplesInRangeWritesNothing) {
  SeriesData data = {{model::Labels{{"__name__", "a"}}, {{1, 1}, {2, 2}}}};
  auto set = ToSet(data);
  StatusOr<BlockMeta> meta = WriteBlock(dir_.path(), set.get(), 10, 20, 1, {});
  ASSERT_THAT(meta, IsOk());
  EXPECT_EQ(meta->num_series, 0u);
  EXPECT_TRUE(meta->ulid.empty());
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_P(BlockTest, UnsortedSeriesAreInvalidArgumentAndLeaveNothingBehind) {
  SeriesData data = {{model::Labels{{"__name__", "b"}}, {{1, 1}}}, {model::Labels{{"__name__", "a"}}, {{1, 1}}}};
  auto set = ToSet(data);
  EXPECT_THAT(WriteBlock(dir_.path(), set.get(), 0, 10, 1, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("out of label order")));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_P(BlockTest, SeriesSetErrorIsReturned) {
  auto set = storage::NewErrorSeriesSet(UnavailableError("head: gone"));
  EXPECT_THAT(WriteBlock(dir_.path(), set.get(), 0, 10, 1, {}), StatusIs(StatusCode::kUnavailable, "head: gone"));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_P(BlockTest, QuerierTrimsToItsInclusiveRangeOrTheHints) {
  std::vector<model::Sample> s;
  for (int64_t t = 0; t < 3000; ++t) s.push_back({t * 10, static_cast<double>(t)});
  auto b = Write({{model::Labels{{"__name__", "a"}}, s}, {model::Labels{{"__name__", "b"}}, {{0, 1}, {29990, 2}}}});
  ASSERT_NE(b, nullptr);
  SeriesData got = ReadAll(Q(b.get(), 100, 12340).get(), {M(storage::MatchType::kRegexp, "__name__", "a|b")});
  ASSERT_EQ(got.size(), 1u);  // b has no sample in [100, 12340]
  EXPECT_EQ(got[0].second.front().timestamp_ms, 100);
  EXPECT_EQ(got[0].second.back().timestamp_ms, 12340);
  EXPECT_EQ(got[0].second.size(), 1225u);
  storage::SelectHints hints;
  hints.start_ms = 29990;
  hints.end_ms = 40000;
  got = ReadAll(Q(b.get(), 100, 200).get(), {M(storage::MatchType::kRegexp, "__name__", "a|b")}, &hints);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].second.size(), 1u);
  EXPECT_EQ(got[1].second.size(), 1u);
  EXPECT_THAT(ReadAll(Q(b.get(), 30000, 50000).get(), {Eq("__name__", "a")}), IsEmpty());
  EXPECT_THAT(ReadAll(Q(b.get(), -100, -1).get(), {Eq("__name__", "a")}), IsEmpty());
}

TEST_P(BlockTest, IteratorSeekNeverMovesBackwardsAndSkipsChunks) {
  std::vector<model::Sample> s;
  for (int64_t t = 0; t < 5000; ++t) s.push_back({t * 2, static_cast<double>(t)});
  auto b = Write({{model::Labels{{"__name__", "a"}}, s}});
  ASSERT_NE(b, nullptr);
  auto set = Q(b.get())->Select(false, nullptr, std::vector{Eq("__name__", "a")});
  ASSERT_TRUE(set->Next());
  auto it = set->At()->Iterator();
  ASSERT_TRUE(it->Seek(5001));
  EXPECT_EQ(it->At().timestamp_ms, 5002);
  ASSERT_TRUE(it->Seek(10));  // stays
  EXPECT_EQ(it->At().timestamp_ms, 5002);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().timestamp_ms, 5004);
  ASSERT_TRUE(it->Seek(9998));
  EXPECT_EQ(it->At().value, 4999);
  EXPECT_FALSE(it->Seek(9999));
  EXPECT_FALSE(it->Next());
  EXPECT_THAT(it->Err(), IsOk());
  auto fresh = set->At()->Iterator();  // independent of the first
  ASSERT_TRUE(fresh->Next());
  EXPECT_EQ(fresh->At().timestamp_ms, 0);
}

class BlockIndexTest : public BlockTest {
 protected:
  void SetUp() override {
    auto l = [](std::string job, std::string inst, std::string zone) {
      model::LabelsBuilder b;
      b.Set("__name__", "up").Set("job", job).Set("instance", inst).Set("zone", zone);
      return b.Build();
    };
    SeriesData data = {{l("api", "a:1", "eu"), {{1000, 1}}},
                       {l("api", "a:2", ""), {{1000, 2}}},
                       {l("db", "d:1", "us"), {{1000, 3}}},
                       {l("web", "w:1", ""), {{1000, 4}}}};
    std::sort(data.begin(), data.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    b_ = Write(data);
    ASSERT_NE(b_, nullptr);
    q_ = Q(b_.get());
  }
  std::vector<std::string> Instances(std::vector<storage::LabelMatcher> ms, bool sorted = true) {
    std::vector<std::string> out;
    for (auto& [l, s] : ReadAll(q_.get(), std::move(ms), nullptr, sorted)) out.emplace_back(l.Get("instance"));
    return out;
  }
  std::shared_ptr<Block> b_;
  std::unique_ptr<storage::Querier> q_;
};

INSTANTIATE_TEST_SUITE_P(Encodings, BlockIndexTest, ::testing::Values(BlockChunkEncoding::kColumns));

TEST_P(BlockIndexTest, AllFourMatcherTypesSelectAsPrometheus) {
  using T = storage::MatchType;
  EXPECT_THAT(Instances({Eq("job", "api")}), ElementsAre("a:1", "a:2"));
  EXPECT_THAT(Instances({Eq("__name__", "up"), M(T::kNotEqual, "job", "api")}), ElementsAre("d:1", "w:1"));
  EXPECT_THAT(Instances({M(T::kRegexp, "job", "d.|we.*")}), ElementsAre("d:1", "w:1"));
  EXPECT_THAT(Instances({Eq("__name__", "up"), M(T::kNotRegexp, "instance", "a:.*")}), ElementsAre("d:1", "w:1"));
  // Absent labels are "": zone="" selects series without zone, zone!="" those with it.
  EXPECT_THAT(Instances({Eq("__name__", "up"), Eq("zone", "")}), ElementsAre("a:2", "w:1"));
  EXPECT_THAT(Instances({M(T::kNotEqual, "zone", "")}), ElementsAre("a:1", "d:1"));
  EXPECT_THAT(Instances({M(T::kRegexp, "zone", "eu|")}, false), ElementsAre("a:1", "a:2", "w:1"));
  EXPECT_THAT(Instances({Eq("job", "nope")}), IsEmpty());
  EXPECT_THAT(Instances({}), IsEmpty());  // no matchers select nothing
}

TEST_P(BlockIndexTest, LabelNamesAndValuesWithAndWithoutMatchers) {
  EXPECT_THAT(*q_->LabelNames({}), ElementsAre("__name__", "instance", "job", "zone"));
  EXPECT_THAT(*q_->LabelValues("job", {}), ElementsAre("api", "db", "web"));
  EXPECT_THAT(*q_->LabelValues("zone", {}), ElementsAre("eu", "us"));
  EXPECT_THAT(*q_->LabelValues("nope", {}), IsEmpty());
  std::vector<storage::LabelMatcher> api = {Eq("job", "api")};
  EXPECT_THAT(*q_->LabelValues("instance", api), ElementsAre("a:1", "a:2"));
  EXPECT_THAT(*q_->LabelValues("zone", api), ElementsAre("eu"));
  std::vector<storage::LabelMatcher> web = {Eq("job", "web")};
  EXPECT_THAT(*q_->LabelNames(web), ElementsAre("__name__", "instance", "job"));
  auto outside = Q(b_.get(), 5000, 6000);
  EXPECT_THAT(*outside->LabelNames({}), IsEmpty());
  EXPECT_THAT(*outside->LabelValues("job", {}), IsEmpty());
}

SeriesData ManySeries(int n, int samples) {
  SeriesData data;
  for (int s = 0; s < n; ++s) {
    std::vector<model::Sample> v;
    for (int i = 0; i < samples; ++i) v.push_back({i * 15000 + (s % 3), static_cast<double>(s * 1000 + i)});
    char name[16];
    std::snprintf(name, sizeof(name), "%05d", s);
    data.emplace_back(model::Labels{{"__name__", "m"}, {"i", name}, {"mod", std::to_string(s % 10)}}, v);
  }
  return data;
}

TEST_P(BlockTest, ConcurrentQueriersFromSeveralThreadsSeeEverySample) {
  SeriesData data = ManySeries(500, 600);
  BlockWriteOptions opts;
  opts.frame_target_bytes = 8 * 1024;
  auto b = Write(data, storage::kMinTime, storage::kMaxTime, opts);
  ASSERT_NE(b, nullptr);
  EXPECT_GT(b->chunks().num_frames(), 4u);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto q = *b->NewQuerier(storage::kMinTime, storage::kMaxTime);
      auto set = q->Select(true, nullptr, std::vector{Eq("mod", std::to_string(t))});
      size_t i = static_cast<size_t>(t);
      while (set->Next()) {
        auto it = set->At()->Iterator();
        if (set->At()->Labels() != data[i].first || !SameBits(storage::ReadAll(it.get()), data[i].second)) {
          ++failures[t];
        }
        i += 10;
      }
      if (!set->Err().ok() || i != data.size() + static_cast<size_t>(t)) ++failures[t];
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_THAT(failures, ElementsAre(0, 0, 0, 0));
}

TEST_P(BlockTest, QuerierKeepsReadingAfterTheBlockAndItsDirectoryAreGone) {
  SeriesData data = ManySeries(50, 300);
  auto b = Write(data);
  ASSERT_NE(b, nullptr);
  auto q = *b->NewQuerier(storage::kMinTime, storage::kMaxTime);
  auto set = q->Select(true, nullptr, std::vector{Eq("__name__", "m")});
  ASSERT_TRUE(set->Next());
  std::string dir = b->dir();
  b.reset();
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(std::filesystem::exists(dir));
  size_t n = 0;
  do {
    auto it = set->At()->Iterator();
    EXPECT_TRUE(SameBits(storage::ReadAll(it.get()), data[n].second));
    ++n;
  } while (set->Next());
  EXPECT_EQ(n, data.size());
  EXPECT_THAT(set->Err(), IsOk());
}

TEST_P(BlockTest, SeriesWithIdenticalTimestampsShareOneColumnAndRoundTripBitExactly) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> edge = {model::StaleNaN(), std::bit_cast<double>(uint64_t{0x7ff8dead0000beef}),
                                    std::bit_cast<double>(uint64_t{0xfff0000000000001}), inf, -inf, -0.0, 5e-324,
                                    2.2250738585072014e-308};
  std::mt19937_64 rng(11);
  std::vector<int64_t> ts;  // one target's jittered scrapes, shared by its series
  for (int i = 0; i < 2500; ++i) ts.push_back(1'700'000'000'000 + i * 15000 + static_cast<int64_t>(rng() % 5) - 2);
  SeriesData data;
  for (int s = 0; s < 40; ++s) {
    std::vector<model::Sample> v;
    double counter = 0;
    std::uniform_real_distribution<double> u(-1, 1);
    for (size_t i = 0; i < ts.size(); ++i) {
      double val;
      switch (s % 5) {
        case 0: val = 0.5 + 0.1 * std::sin(static_cast<double>(i) / 30) + 0.01 * u(rng); break;  // full precision
        case 1: counter += static_cast<double>(rng() % 50) * 4096; val = counter; break;     // page-sized steps
        case 2: val = static_cast<double>(rng() % 100000) / 100; break;
        case 3: val = std::bit_cast<double>(rng()); break;
        default: val = 7; break;
      }
      if (i % 311 == 5) val = edge[(i / 311 + static_cast<size_t>(s)) % edge.size()];
      v.push_back({ts[i], val});
    }
    data.emplace_back(model::Labels{{"__name__", "m"}, {"s", std::to_string(100 + s)}}, v);
  }
  BlockWriteOptions opts;
  opts.frame_target_bytes = 16 * 1024;
  auto b = Write(data, storage::kMinTime, storage::kMaxTime, opts);
  ASSERT_NE(b, nullptr);
  SeriesData got = ReadAll(Q(b.get()).get(), {Eq("__name__", "m")});
  ASSERT_EQ(got.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i) EXPECT_TRUE(SameBits(got[i].second, data[i].second)) << i;
  EXPECT_THAT(b->VerifyChunks(), IsOk());
  // Every series is cut into chunks of 1024, 738 and 738 samples: three columns, each written once.
  const ChunkFileReader& chunks = b->chunks();
  if (GetParam() == BlockChunkEncoding::kXor) {
    EXPECT_EQ(chunks.num_frames(FrameKind::kTimestamps), 0u);
    return;
  }
  ASSERT_EQ(chunks.num_frames(FrameKind::kTimestamps), 1u);
  std::string columns;
  std::span<const model::Sample> all(data[0].second);
  EncodeTimestampColumn(all.subspan(0, 1024), &columns);
  EncodeTimestampColumn(all.subspan(1024, 738), &columns);
  EncodeTimestampColumn(all.subspan(1762), &columns);
  EXPECT_EQ(**chunks.ReadFrame(FrameKind::kTimestamps, 0), columns);
}

TEST_P(BlockTest, VersionOneChunksFilesStillOpen) {
  SeriesData data = ManySeries(20, 400);
  for (size_t s = 0; s < data.size(); ++s) {
    for (model::Sample& x : data[s].second) x.timestamp_ms += static_cast<int64_t>(s);  // nothing shared
  }
  auto b = Write(data);
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->chunks().num_frames(FrameKind::kTimestamps), 0u);
  std::string dir = b->dir();
  b.reset();
  // Rewrite the chunks file as version 1: version byte 1, no kind bytes in the frame table.
  std::ifstream in(dir + "/chunks", std::ios::binary);
  std::string v2((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t footer = v2.size() - kChunksFooterSize;
  size_t table_off = footer - GetU32le(v2.data() + footer);
  Decoder d(std::string_view(v2).substr(table_off, footer - table_off));
  std::string table;
  uint64_t n = d.Uvarint();
  PutUvarint(&table, n);
  for (uint64_t i = 0; i < n; ++i) {
    ASSERT_EQ(d.U8(), 0);
    PutUvarint(&table, d.Uvarint());
    PutUvarint(&table, d.Uvarint());
    PutU32le(&table, d.U32le());
  }
  ASSERT_TRUE(d.ok() && d.empty());
  std::string v1 = v2.substr(0, table_off) + table;
  v1[4] = 1;
  PutU32le(&v1, static_cast<uint32_t>(table.size()));
  PutU32le(&v1, wal::MaskCrc(wal::Crc32c(table.data(), table.size())));
  PutU32be(&v1, kChunksMagic);
  std::ofstream(dir + "/chunks", std::ios::binary | std::ios::trunc) << v1;
  std::ifstream meta_in(dir + "/meta.json");
  std::string json((std::istreambuf_iterator<char>(meta_in)), std::istreambuf_iterator<char>());
  StatusOr<BlockMeta> meta = ParseBlockMeta(json);
  ASSERT_THAT(meta, IsOk());
  for (BlockFile& f : meta->files) {
    if (f.name == kBlockChunksFile) f.size = v1.size();
  }
  std::ofstream(dir + "/meta.json", std::ios::trunc) << EncodeBlockMeta(*meta);

  StatusOr<std::shared_ptr<Block>> old = Block::Open(dir);
  ASSERT_THAT(old, IsOk());
  EXPECT_EQ((*old)->chunks().version(), 1);
  SeriesData got = ReadAll(Q(old->get()).get(), {Eq("__name__", "m")});
  ASSERT_EQ(got.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i) EXPECT_TRUE(SameBits(got[i].second, data[i].second)) << i;
  EXPECT_THAT((*old)->VerifyChunks(), IsOk());
}

TEST(BlockMetaTest, MetaJsonRoundTripsAndUlidsAreTimeOrdered) {
  BlockMeta m;
  m.ulid = NewUlid(1'700'000'000'000);
  m.min_time = -5;
  m.max_time = 7200000;
  m.num_series = 3;
  m.num_chunks = 4;
  m.num_samples = 500;
  m.compaction_level = 2;
  m.sources = {NewUlid(1), NewUlid(2)};
  m.files = {{"chunks", 10}, {"index", 20}};
  StatusOr<BlockMeta> back = ParseBlockMeta(EncodeBlockMeta(m));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, m);
  EXPECT_TRUE(IsValidUlid(m.ulid));
  EXPECT_EQ(UlidTime(m.ulid), 1'700'000'000'000);
  EXPECT_LT(NewUlid(1'700'000'000'000), NewUlid(1'700'000'000'001));
  EXPECT_THAT(ParseBlockMeta("{\"version\": 1}"), StatusIs(StatusCode::kDataLoss, "meta.json: ulid: missing"));
  EXPECT_THAT(ParseBlockMeta("{"), StatusIs(StatusCode::kDataLoss, HasSubstr("meta.json: invalid JSON")));
}

TEST(BlockChunkCodecTest, DecimalValuesWithAStaleMarkerStayCompact) {
  std::vector<model::Sample> s;
  for (int i = 0; i < 1000; ++i) s.push_back({i * 15000, 100.25 + i * 0.5});
  s[500].value = model::StaleNaN();
  std::string cols, xor_bytes;
  EncodeBlockChunk(BlockChunkEncoding::kColumns, s, &cols);
  EncodeBlockChunk(BlockChunkEncoding::kXor, s, &xor_bytes);
  EXPECT_LT(cols.size() * 2, xor_bytes.size());
  std::vector<model::Sample> back;
  ASSERT_THAT(DecodeBlockChunk(cols, 1000, &back), IsOk());
  EXPECT_TRUE(SameBits(back, s));
  EXPECT_THAT(DecodeBlockChunk(cols, 999, &back),
              StatusIs(StatusCode::kDataLoss, "chunk: sample count differs from the index"));
  EXPECT_THAT(DecodeBlockChunk(std::string_view(cols).substr(0, cols.size() / 2), 1000, &back),
              StatusIs(StatusCode::kDataLoss, HasSubstr("chunk: ")));
}

// The value kind byte of a kColumnsSharedTs chunk of `s` (frame 0, offset 0).
ValueKind KindOf(std::span<const model::Sample> s) {
  std::string c;
  EncodeSharedTsChunk(s, 0, 0, &c);
  return static_cast<ValueKind>(c[1 + (s.size() >= 128 ? 2 : 1) + 2]);
}

TEST(BlockChunkCodecTest, EveryValueKindRoundTripsBitExactlyWithInlineAndSharedTimestamps) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<model::Sample> noisy, pages, cents, any_bits, constant, edges;
  double c = 0;
  for (int i = 0; i < 1000; ++i) {
    int64_t t = 1'700'000'000'000 + i * 15000 + static_cast<int64_t>(rng() % 5) - 2;
    noisy.push_back({t, 0.5 + 0.1 * std::sin(i / 30.0) + 0.01 * u(rng)});
    c += static_cast<double>(rng() % 40) * 4096;
    pages.push_back({t, c});
    cents.push_back({t, static_cast<double>(rng() % 100000) / 100});
    any_bits.push_back({t, std::bit_cast<double>(rng())});
    constant.push_back({t, -0.0});
  }
  const double inf = std::numeric_limits<double>::infinity();
  for (double v : {model::StaleNaN(), std::nan(""), std::bit_cast<double>(uint64_t{0x7ff8dead0000beef}), inf, -inf,
                   -0.0, 0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, 0.1, 9007199254740993.0}) {
    edges.push_back({static_cast<int64_t>(edges.size()) * 1000, v});
  }
  for (size_t i = 0; i < 50; ++i) edges.push_back({static_cast<int64_t>(edges.size()) * 1000, edges[i % 13].value});
  noisy[10].value = model::StaleNaN();  // the float kinds carry any bits
  noisy[11].value = -0.0;
  pages[500].value = model::StaleNaN();  // a decimal exception
  EXPECT_EQ(KindOf(noisy), ValueKind::kBitsDelta);
  EXPECT_THAT(KindOf(pages), ::testing::AnyOf(ValueKind::kScaledDelta, ValueKind::kScaledDod));
  EXPECT_EQ(KindOf(constant), ValueKind::kConst);
  for (const auto* s : {&noisy, &pages, &cents, &any_bits, &constant, &edges}) {
    std::string ts_frame = "xyz", inline_chunk, shared_chunk;
    EncodeTimestampColumn(*s, &ts_frame);
    EncodeBlockChunk(BlockChunkEncoding::kColumns, *s, &inline_chunk);
    EncodeSharedTsChunk(*s, 7, 3, &shared_chunk);
    auto frames = [&](uint32_t i) -> StatusOr<std::string_view> {
      if (i != 7) return DataLossError("no such frame");
      return std::string_view(ts_frame);
    };
    std::vector<model::Sample> back;
    ASSERT_THAT(DecodeBlockChunk(inline_chunk, static_cast<int>(s->size()), &back), IsOk());
    EXPECT_TRUE(SameBits(back, *s));
    ASSERT_THAT(DecodeBlockChunk(shared_chunk, static_cast<int>(s->size()), frames, &back), IsOk());
    EXPECT_TRUE(SameBits(back, *s));
    EXPECT_LT(shared_chunk.size(), inline_chunk.size());
  }
}

TEST(BlockChunkCodecTest, BadTimestampReferencesAreDataLoss) {
  std::vector<model::Sample> s;
  for (int i = 0; i < 100; ++i) s.push_back({i * 1000, static_cast<double>(i)});
  std::string column, shared, far;
  EncodeTimestampColumn(s, &column);
  EncodeSharedTsChunk(s, 0, 0, &shared);
  EncodeSharedTsChunk(s, 0, 5000, &far);
  std::vector<model::Sample> back;
  EXPECT_THAT(DecodeBlockChunk(shared, 100, &back),
              StatusIs(StatusCode::kDataLoss, "chunk: timestamp reference without timestamp frames"));
  auto frames = [&](uint32_t) -> StatusOr<std::string_view> { return std::string_view(column); };
  EXPECT_THAT(DecodeBlockChunk(far, 100, frames, &back),
              StatusIs(StatusCode::kDataLoss, "chunk: timestamp reference outside its frame"));
  std::vector<model::Sample> shorter(s.begin(), s.end() - 1);
  std::string other;
  EncodeTimestampColumn(shorter, &other);
  auto wrong = [&](uint32_t) -> StatusOr<std::string_view> { return std::string_view(other); };
  EXPECT_THAT(DecodeBlockChunk(shared, 100, wrong, &back),
              StatusIs(StatusCode::kDataLoss, "chunk: referenced timestamp column has another count"));
  auto failing = [&](uint32_t) -> StatusOr<std::string_view> { return DataLossError("chunks: frame gone"); };
  EXPECT_THAT(DecodeBlockChunk(shared, 100, failing, &back), StatusIs(StatusCode::kDataLoss, "chunks: frame gone"));
}

}  // namespace
}  // namespace cistern::tsdb

namespace cistern::tsdb {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string out;
  for (int c : b) out.push_back(static_cast<char>(c));
  return out;
}

TEST(BlockFormatTest, WorkedExampleFromFormatDocIsByteExact) {
  std::vector<model::Sample> a, b;
  for (int i = 0; i < 16; ++i) {
    a.push_back({1000 * (i + 1), 1});
    b.push_back({1000 * (i + 1), static_cast<double>(i)});
  }
  const std::string zeros14(14, '\0');
  const std::string chunk_a = Bytes({0x02, 0x10, 0xd0, 0x0f, 0xd0, 0x0f}) + zeros14 +
                              Bytes({0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f});
  const std::string chunk_b = Bytes({0x03, 0x10, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02}) + zeros14;
  const std::string ts_column = Bytes({0x10, 0xd0, 0x0f, 0xd0, 0x0f}) + zeros14;
  std::string got;
  EncodeBlockChunk(BlockChunkEncoding::kColumns, a, &got);
  EXPECT_EQ(got, chunk_a);
  got.clear();
  EncodeSharedTsChunk(b, 0, 0, &got);
  EXPECT_EQ(got, chunk_b);
  got.clear();
  EncodeTimestampColumn(b, &got);
  EXPECT_EQ(got, ts_column);

  cistern::testing::TempDir dir;
  SeriesData data = {{model::Labels{{"__name__", "up"}, {"job", "a"}}, a},
                     {model::Labels{{"__name__", "up"}, {"job", "b"}}, b}};
  auto set = ToSet(data);
  StatusOr<BlockMeta> meta = WriteBlock(dir.path(), set.get(), 0, 7200000, 1, {});
  ASSERT_THAT(meta, IsOk());
  StatusOr<std::shared_ptr<Block>> block = Block::Open(dir.Join(meta->ulid));
  ASSERT_THAT(block, IsOk());
  const ChunkFileReader& chunks = (*block)->chunks();
  EXPECT_EQ(chunks.version(), 2);
  ASSERT_EQ(chunks.num_frames(FrameKind::kChunks), 1u);
  ASSERT_EQ(chunks.num_frames(FrameKind::kTimestamps), 1u);
  EXPECT_EQ(**chunks.ReadFrame(FrameKind::kChunks, 0), chunk_a + chunk_b);
  EXPECT_EQ(**chunks.ReadFrame(FrameKind::kTimestamps, 0), ts_column);
  std::ifstream f(dir.Join(meta->ulid) + "/index", std::ios::binary);
  std::string index((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const std::string entry_a = Bytes({0x0e, 0x02, 0x00, 0x04, 0x03, 0x01, 0x01, 0xd0, 0x0f, 0x98, 0x75, 0x10, 0x00,
                                     0x00, 0x1d});
  const std::string entry_b = Bytes({0x0e, 0x02, 0x00, 0x04, 0x03, 0x02, 0x01, 0xd0, 0x0f, 0x98, 0x75, 0x10, 0x00,
                                     0x1d, 0x17});
  EXPECT_NE(index.find(entry_a + entry_b), std::string::npos);
}

}  // namespace
}  // namespace cistern::tsdb
