#include "agent/tsdb/block.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <thread>

#include "agent/storage/series_list.h"
#include "agent/tsdb/block_chunk_codec.h"
#include "agent/tsdb/block_writer.h"
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

}  // namespace
}  // namespace cistern::tsdb
