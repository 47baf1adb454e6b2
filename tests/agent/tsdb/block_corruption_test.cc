// Damaged blocks: Open() or the readers report DataLoss / NotFound naming
// the block, the file and the offset; nothing crashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/storage/series_list.h"
#include "agent/tsdb/block.h"
#include "agent/tsdb/block_bytes.h"
#include "agent/tsdb/block_format.h"
#include "agent/tsdb/block_writer.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::tsdb {
namespace {

using ::cistern::testing::IsOk;
using ::cistern::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadFile(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
void WriteFile(const std::string& p, const std::string& b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << b;
}

class BlockCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::shared_ptr<storage::Series>> list;
    for (int s = 0; s < 200; ++s) {
      std::vector<model::Sample> v;
      for (int i = 0; i < 500; ++i) v.push_back({i * 15000, static_cast<double>(s + i)});
      char name[16];
      std::snprintf(name, sizeof(name), "%04d", s);
      list.push_back(std::make_shared<storage::ListSeries>(model::Labels{{"__name__", "m"}, {"i", name}}, v));
    }
    auto set = storage::NewListSeriesSet(std::move(list));
    BlockWriteOptions opts;
    opts.frame_target_bytes = 4096;
    StatusOr<BlockMeta> meta = WriteBlock(dir_.path(), set.get(), 0, 10'000'000, 1, {}, opts);
    ASSERT_THAT(meta, IsOk());
    ulid_ = meta->ulid;
    block_ = dir_.Join(ulid_);
    ASSERT_THAT(Block::Open(block_), IsOk());
  }
  std::string File(const char* name) const { return block_ + "/" + name; }
  // Drains every series; the first error of a set or iterator.
  Status ReadEverything() {
    StatusOr<std::shared_ptr<Block>> b = Block::Open(block_);
    if (!b.ok()) return b.status();
    auto q = *(*b)->NewQuerier(storage::kMinTime, storage::kMaxTime);
    auto set = q->Select(true, nullptr, std::vector{*storage::LabelMatcher::Make(storage::MatchType::kEqual,
                                                                                    "__name__", "m")});
    while (set->Next()) {
      auto it = set->At()->Iterator();
      while (it->Next()) {
      }
      if (!it->Err().ok()) return it->Err();
    }
    return set->Err();
  }

  cistern::testing::TempDir dir_;
  std::string ulid_, block_;
};

TEST_F(BlockCorruptionTest, TruncatedIndexIsDataLossNamingTheFile) {
  std::string index = ReadFile(File(kBlockIndexFile));
  WriteFile(File(kBlockIndexFile), index.substr(0, index.size() - 10));
  EXPECT_THAT(Block::Open(block_),
              StatusIs(StatusCode::kDataLoss, AllOf(StartsWith("block " + ulid_ + ": index: size "),
                                                    HasSubstr("meta.json says"))));
}

TEST_F(BlockCorruptionTest, EveryFlippedIndexByteIsDataLossAtOpen) {
  const std::string index = ReadFile(File(kBlockIndexFile));
  for (size_t i = 0; i < index.size(); i += std::max<size_t>(1, index.size() / 300)) {
    std::string bad = index;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    WriteFile(File(kBlockIndexFile), bad);
    EXPECT_THAT(Block::Open(block_), StatusIs(StatusCode::kDataLoss, StartsWith("block " + ulid_ + ": index: offset ")))
        << "byte " << i;
  }
}

TEST_F(BlockCorruptionTest, IndexSectionChecksumMismatchNamesTheOffset) {
  std::string index = ReadFile(File(kBlockIndexFile));
  index[kFileHeaderSize + 8 + 2] ^= 1;  // inside the symbols payload
  WriteFile(File(kBlockIndexFile), index);
  EXPECT_THAT(Block::Open(block_), StatusIs(StatusCode::kDataLoss,
                                            "block " + ulid_ + ": index: offset 8: section 0: checksum mismatch"));
}

TEST_F(BlockCorruptionTest, FlippedChunkByteSurfacesThroughTheIterator) {
  std::string chunks = ReadFile(File(kBlockChunksFile));
  chunks[kFileHeaderSize + 5] ^= 0x01;  // inside the first frame
  WriteFile(File(kBlockChunksFile), chunks);
  StatusOr<std::shared_ptr<Block>> b = Block::Open(block_);
  ASSERT_THAT(b, IsOk());  // the frame table is intact
  EXPECT_THAT(ReadEverything(), StatusIs(StatusCode::kDataLoss, "block " + ulid_ +
                                                                    ": chunks: offset 8: frame 0: checksum mismatch"));
  EXPECT_THAT((*b)->VerifyChunks(), StatusIs(StatusCode::kDataLoss, HasSubstr("frame 0: checksum mismatch")));
}

TEST_F(BlockCorruptionTest, FlippedTimestampFrameByteSurfacesThroughTheIterator) {
  // Every series has the same timestamps: one shared column, in the one timestamp frame, the last frame.
  std::string chunks = ReadFile(File(kBlockChunksFile));
  size_t footer = chunks.size() - kChunksFooterSize;
  size_t table_off = footer - GetU32le(chunks.data() + footer);
  Decoder d(std::string_view(chunks).substr(table_off, footer - table_off));
  uint64_t n = d.Uvarint(), kind = 0, size = 0;
  for (uint64_t i = 0; i < n; ++i) {
    kind = d.U8();
    size = d.Uvarint();
    d.Uvarint();
    d.U32le();
  }
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(kind, static_cast<uint64_t>(FrameKind::kTimestamps));
  size_t ts_off = table_off - size;
  chunks[ts_off + 4] ^= 0x01;
  WriteFile(File(kBlockChunksFile), chunks);
  StatusOr<std::shared_ptr<Block>> b = Block::Open(block_);
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ((*b)->chunks().num_frames(FrameKind::kTimestamps), 1u);
  EXPECT_THAT(ReadEverything(),
              StatusIs(StatusCode::kDataLoss, "block " + ulid_ + ": chunks: offset " + std::to_string(ts_off) +
                                                  ": timestamp frame 0: checksum mismatch"));
  EXPECT_THAT((*b)->VerifyChunks(), StatusIs(StatusCode::kDataLoss, HasSubstr("timestamp frame 0: checksum mismatch")));
}

TEST_F(BlockCorruptionTest, FlippedFrameTableByteIsDataLossAtOpen) {
  std::string chunks = ReadFile(File(kBlockChunksFile));
  chunks[chunks.size() - kChunksFooterSize - 3] ^= 0x01;
  WriteFile(File(kBlockChunksFile), chunks);
  EXPECT_THAT(Block::Open(block_),
              StatusIs(StatusCode::kDataLoss, AllOf(StartsWith("block " + ulid_ + ": chunks: offset "),
                                                    HasSubstr("frame table: checksum mismatch"))));
}

TEST_F(BlockCorruptionTest, MissingFilesAreNotFound) {
  std::filesystem::remove(File(kBlockChunksFile));
  EXPECT_THAT(Block::Open(block_), StatusIs(StatusCode::kNotFound, StartsWith("block " + ulid_ + ": chunks: ")));
  std::filesystem::remove(File(kBlockMetaFile));
  EXPECT_THAT(Block::Open(block_), StatusIs(StatusCode::kNotFound, StartsWith("block " + ulid_ + ": meta.json: ")));
  EXPECT_THAT(Block::Open(dir_.Join("nope")), StatusIs(StatusCode::kNotFound, StartsWith("block nope: meta.json")));
}

TEST_F(BlockCorruptionTest, BadMetaJsonIsDataLoss) {
  std::string meta = ReadFile(File(kBlockMetaFile));
  WriteFile(File(kBlockMetaFile), meta.substr(0, meta.size() / 2));
  EXPECT_THAT(Block::Open(block_), StatusIs(StatusCode::kDataLoss, StartsWith("block " + ulid_ + ": meta.json: ")));
  std::string wrong_count = meta;
  size_t at = wrong_count.find("\"numSamples\": 100000");
  ASSERT_NE(at, std::string::npos);
  wrong_count.replace(at, 20, "\"numSamples\": 100001");
  WriteFile(File(kBlockMetaFile), wrong_count);
  EXPECT_THAT(Block::Open(block_),
              StatusIs(StatusCode::kDataLoss, "block " + ulid_ + ": index: counts differ from meta.json"));
  std::string narrow = meta;
  at = narrow.find("\"maxTime\": 10000000");
  ASSERT_NE(at, std::string::npos);
  narrow.replace(at, 19, "\"maxTime\": 10000   ");
  WriteFile(File(kBlockMetaFile), narrow);
  EXPECT_THAT(Block::Open(block_), StatusIs(StatusCode::kDataLoss, HasSubstr("chunk outside the block's time range")));
}

}  // namespace
}  // namespace cistern::tsdb
