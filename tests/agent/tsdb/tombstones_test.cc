#include "agent/tsdb/tombstones.h"

#include <gtest/gtest.h>

#include <limits>

#include "agent/storage/series_list.h"
#include "agent/tsdb/block_format.h"

namespace cistern::tsdb {
namespace {

constexpr int64_t kMinT = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxT = std::numeric_limits<int64_t>::max();

TEST(TombstonesTest, IntervalsMergeWhenTheyOverlapOrTouch) {
  Intervals set;
  AddInterval(&set, {10, 20});
  AddInterval(&set, {30, 40});
  EXPECT_EQ(set, (Intervals{{10, 20}, {30, 40}}));
  AddInterval(&set, {21, 25});  // adjacent to the first
  EXPECT_EQ(set, (Intervals{{10, 25}, {30, 40}}));
  AddInterval(&set, {0, 5});
  AddInterval(&set, {24, 31});  // bridges two
  EXPECT_EQ(set, (Intervals{{0, 5}, {10, 40}}));
  AddInterval(&set, {7, 3});  // empty: ignored
  EXPECT_EQ(set, (Intervals{{0, 5}, {10, 40}}));
  AddInterval(&set, {kMinT, kMaxT});
  EXPECT_EQ(set, (Intervals{{kMinT, kMaxT}}));

  Intervals s{{0, 5}, {10, 40}};
  EXPECT_TRUE(IsDeleted(s, 0));
  EXPECT_TRUE(IsDeleted(s, 40));
  EXPECT_FALSE(IsDeleted(s, 6));
  EXPECT_FALSE(IsDeleted(s, 41));
  EXPECT_TRUE(Covers(s, 11, 39));
  EXPECT_FALSE(Covers(s, 4, 11));
  EXPECT_TRUE(Overlaps(s, 4, 7));
  EXPECT_FALSE(Overlaps(s, 6, 9));
  EXPECT_EQ(Clamp({kMinT, kMaxT}, 100, 200), (Interval{100, 200}));
}

TEST(TombstonesTest, FilterIteratorSkipsDeletedSamplesOnNextAndSeek) {
  std::vector<model::Sample> samples;
  for (int64_t t = 0; t < 10; ++t) samples.push_back({t * 10, static_cast<double>(t)});
  auto deleted = std::make_shared<const Intervals>(Intervals{{0, 0}, {25, 55}, {90, kMaxT}});
  auto it = NewDeletedFilterIterator(std::make_unique<storage::VectorSampleIterator>(samples), deleted);
  std::vector<int64_t> got;
  while (it->Next()) got.push_back(it->At().timestamp_ms);
  EXPECT_EQ(got, (std::vector<int64_t>{10, 20, 60, 70, 80}));

  it = NewDeletedFilterIterator(std::make_unique<storage::VectorSampleIterator>(samples), deleted);
  ASSERT_TRUE(it->Seek(30));
  EXPECT_EQ(it->At().timestamp_ms, 60) << "a Seek into a deleted interval lands after it";
  ASSERT_TRUE(it->Seek(30));
  EXPECT_EQ(it->At().timestamp_ms, 60) << "and never moves back";
  EXPECT_FALSE(it->Seek(81));
}

TEST(TombstonesTest, BlockTombstonesRoundTrip) {
  TombstoneMap map{{8, {{-5, 7}}}, {16, {{0, 10}, {20, kMaxT}}}, {1 << 20, {{kMinT, kMaxT}}}};
  std::string bytes = EncodeBlockTombstones(map);
  auto back = DecodeBlockTombstones(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, map);
  auto empty = DecodeBlockTombstones(EncodeBlockTombstones({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(TombstonesTest, WorkedExampleFromFormatDocIsByteExact) {
  std::string bytes = EncodeBlockTombstones({{16, {{1000, 1999}}}});
  const unsigned char expect[] = {0x43, 0x54, 0x53, 0x31, 0x01, 0x00, 0x00, 0x00,
                                  0x01, 0x10, 0x01, 0xd0, 0x0f, 0xe7, 0x07};
  ASSERT_EQ(bytes.size(), sizeof expect + 4);
  EXPECT_EQ(bytes.substr(0, sizeof expect),
            std::string(reinterpret_cast<const char*>(expect), sizeof expect));
}

TEST(TombstonesTest, HeadTombstonesRoundTrip) {
  std::vector<HeadTombstone> stones{
      {model::Labels{{"__name__", "up"}, {"job", "node"}}, {{1000, 2000}}},
      {model::Labels{{"__name__", "x"}, {"empty", ""}}, {{kMinT, -1}, {5, 5}}},
  };
  auto back = DecodeHeadTombstones(EncodeHeadTombstones(stones));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, stones);
}

TEST(TombstonesTest, EveryDamagedByteAndTruncationIsDataLoss) {
  TombstoneMap map{{8, {{-5, 7}}}, {16, {{0, 10}, {20, 30}}}};
  std::string block = EncodeBlockTombstones(map);
  std::string head = EncodeHeadTombstones({{model::Labels{{"__name__", "up"}}, {{1, 2}}}});
  for (const std::string* file : {&block, &head}) {
    auto decode = [&](std::string_view b) {
      return file == &block ? DecodeBlockTombstones(b).status() : DecodeHeadTombstones(b).status();
    };
    for (size_t i = 0; i < file->size(); ++i) {
      std::string bad = *file;
      bad[i] = static_cast<char>(bad[i] ^ 0x10);
      Status s = decode(bad);
      EXPECT_EQ(s.code(), StatusCode::kDataLoss) << "byte " << i;
      EXPECT_EQ(decode(std::string_view(*file).substr(0, i)).code(), StatusCode::kDataLoss) << "length " << i;
    }
  }
  Status s = DecodeBlockTombstones(head).status();
  EXPECT_EQ(s.message(), "tombstones: offset 0: bad magic");
  block[block.size() - 1] ^= 1;
  EXPECT_EQ(DecodeBlockTombstones(block).status().message(),
            "tombstones: offset " + std::to_string(block.size() - 4) + ": checksum mismatch");
}

}  // namespace
}  // namespace cistern::tsdb
