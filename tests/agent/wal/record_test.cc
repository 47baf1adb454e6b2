#include "agent/wal/record.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "agent/wal/wal_format.h"

namespace cistern::wal {
namespace {

struct Corruption {
  uint64_t offset, bytes;
  std::string reason;
};

// An in-memory segment.
class Segment {
 public:
  uint64_t Add(const std::string& payload) {
    uint64_t at = data_.size();
    FrameRecord(payload, data_.size(), &data_);
    return at;
  }
  std::string& data() { return data_; }
  RecordReader Reader(uint64_t start = 0) {
    return RecordReader(
        [this](uint64_t off, char* buf, size_t n) -> StatusOr<size_t> {
          if (off >= data_.size()) return size_t{0};
          size_t m = std::min(n, data_.size() - static_cast<size_t>(off));
          std::memcpy(buf, data_.data() + off, m);
          return m;
        },
        start, [this](uint64_t off, uint64_t bytes, std::string_view why) {
          corruptions.push_back({off, bytes, std::string(why)});
        });
  }
  std::vector<Corruption> corruptions;

 private:
  std::string data_;
};

std::vector<std::string> ReadAll(RecordReader& r, uint64_t limit, std::vector<uint64_t>* offsets = nullptr) {
  std::vector<std::string> out;
  std::string rec;
  uint64_t off;
  while (true) {
    auto got = r.Next(limit, &rec, &off);
    EXPECT_TRUE(got.ok());
    if (!got.ok() || !*got) break;
    out.push_back(rec);
    if (offsets) offsets->push_back(off);
  }
  return out;
}

std::string Payload(size_t n, char seed) {
  std::string s(n, ' ');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7);
  return s;
}

TEST(RecordTest, RecordsOfEverySizeRoundTripAcrossBlocks) {
  Segment seg;
  std::vector<std::string> want;
  std::vector<uint64_t> want_off;
  std::mt19937 rng(7);
  for (size_t n : {0ul, 1ul, 100ul, kBlockSize - kHeaderSize, kBlockSize - kHeaderSize + 1, 3 * kBlockSize, 10ul}) {
    want.push_back(Payload(n, 'a'));
    want_off.push_back(seg.Add(want.back()));
  }
  for (int i = 0; i < 200; ++i) {
    want.push_back(Payload(rng() % 5000, static_cast<char>(i)));
    want_off.push_back(seg.Add(want.back()));
  }
  auto r = seg.Reader();
  std::vector<uint64_t> offs;
  EXPECT_EQ(ReadAll(r, seg.data().size(), &offs), want);
  EXPECT_EQ(offs, want_off);
  EXPECT_EQ(r.position(), seg.data().size());
  EXPECT_TRUE(seg.corruptions.empty());
}

TEST(RecordTest, BlockTrailerTooSmallForAHeaderIsPadded) {
  Segment seg;
  seg.Add(Payload(kBlockSize - kHeaderSize - 3, 'x'));  // leaves 3 bytes in the block
  uint64_t second = seg.Add("next");
  EXPECT_EQ(second, kBlockSize - 3);  // the record starts where the writer was...
  auto r = seg.Reader();
  std::vector<uint64_t> offs;
  auto recs = ReadAll(r, seg.data().size(), &offs);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1], "next");
}

TEST(RecordTest, ReaderNeverReturnsARecordBeyondTheLimit) {
  Segment seg;
  seg.Add("one");
  uint64_t end_one = seg.data().size();
  seg.Add(Payload(2 * kBlockSize, 'b'));  // spans blocks
  uint64_t end_two = seg.data().size();
  auto r = seg.Reader();
  EXPECT_EQ(ReadAll(r, end_one).size(), 1u);
  // The limit in the middle of the spanning record: nothing, and no corruption.
  EXPECT_TRUE(ReadAll(r, end_one + kBlockSize).empty());
  EXPECT_EQ(r.position(), end_one);
  EXPECT_EQ(ReadAll(r, end_two).size(), 1u);
  EXPECT_TRUE(seg.corruptions.empty());
}

TEST(RecordTest, CorruptRecordIsSkippedToTheNextBlockAndReported) {
  Segment seg;
  std::vector<std::string> want;
  for (int i = 0; i < 100; ++i) {
    want.push_back(Payload(1000, static_cast<char>(i)));
    seg.Add(want.back());
  }
  seg.data()[5 * 1007 + 20] ^= 0x40;  // inside the 6th record, in block 0
  auto r = seg.Reader();
  auto got = ReadAll(r, seg.data().size());
  // Records are 1007 bytes framed: block 0 holds records 0..31 whole and the
  // start of record 32. The rest of block 0 is dropped (records 5..32), and the
  // continuation of record 32 at the start of block 1 is reported as well.
  ASSERT_EQ(seg.corruptions.size(), 2u);
  EXPECT_EQ(seg.corruptions[0].offset, 5u * 1007);
  EXPECT_EQ(seg.corruptions[0].reason, "checksum mismatch");
  EXPECT_EQ(seg.corruptions[1].offset, kBlockSize);
  EXPECT_EQ(seg.corruptions[1].reason, "fragment without a start");
  EXPECT_EQ(got.size(), want.size() - 28);
  EXPECT_EQ(got[0], want[0]);
  EXPECT_EQ(got.back(), want.back());
}

TEST(RecordTest, TornTailIsNotACorruptionButStopsTheReader) {
  Segment seg;
  seg.Add("complete");
  uint64_t good = seg.data().size();
  seg.Add(Payload(500, 'z'));
  seg.data().resize(good + 100);  // crash mid-write
  auto r = seg.Reader();
  EXPECT_EQ(ReadAll(r, seg.data().size()).size(), 1u);
  EXPECT_EQ(r.position(), good);
  EXPECT_TRUE(seg.corruptions.empty());
}

TEST(RecordTest, ZeroFilledTailIsSkippedSilently) {
  Segment seg;
  seg.Add("a");
  seg.Add("b");
  seg.data().append(3 * kBlockSize, '\0');
  auto r = seg.Reader();
  EXPECT_EQ(ReadAll(r, seg.data().size()).size(), 2u);
  EXPECT_TRUE(seg.corruptions.empty());
}

TEST(RecordTest, GarbageNeverCrashesAndEveryByteIsAccountedFor) {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    Segment seg;
    for (int i = 0; i < 30; ++i) seg.Add(Payload(rng() % 40000, static_cast<char>(i)));
    for (int k = 0; k < 20; ++k) seg.data()[rng() % seg.data().size()] = static_cast<char>(rng());
    auto r = seg.Reader();
    ReadAll(r, seg.data().size());
    EXPECT_LE(r.position(), seg.data().size());
  }
}

}  // namespace
}  // namespace cistern::wal
