// Arbitrary bytes as a block: Block::Open must reject or accept, never crash
// or read out of bounds, and whatever it accepts must be readable end to end
// (every series, sample, label; errors only through Err()).
//
// The first byte picks the mode:
//   0  raw:      u32le index length, index bytes, then the chunks file bytes;
//   1  fixed:    the same, with every checksum recomputed first, so the
//                structure behind the checksums gets exercised;
//   2  recipe:   the rest describes series and samples (a series may take the
//                previous one's timestamps); they are written with
//                WriteBlock (the encoding picked by a byte), read back and
//                compared bit for bit, then (u16le position, xor byte) pairs
//                damage the index or the chunks file, checksums are fixed and
//                the block is read again.
// With CISTERN_BLOCK_FUZZ_DUMP=<dir>, recipe inputs also write the block they
// produced as a mode-1 input there (seeds for the raw modes).
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/storage/series_list.h"
#include "agent/tsdb/block.h"
#include "agent/tsdb/block_bytes.h"
#include "agent/tsdb/block_format.h"
#include "agent/tsdb/block_writer.h"
#include "agent/wal/crc32c.h"

namespace {

using namespace cistern;        // NOLINT
using namespace cistern::tsdb;  // NOLINT

constexpr char kUlid[] = "01HZZZZZZZZZZZZZZZZZZZZZZZ";

uint32_t Crc(std::string_view b) { return wal::MaskCrc(wal::Crc32c(b.data(), b.size())); }
void SetU32le(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>(v >> (8 * i));
}

// Recomputes what checksums it can find (see BLOCK_FORMAT.md).
void FixIndex(std::string* ix) {
  if (ix->size() < kFileHeaderSize + kIndexTocSize + kIndexFooterSize) return;
  size_t footer = ix->size() - kIndexFooterSize, toc = footer - kIndexTocSize;
  for (int i = 0; i < kNumIndexSections; ++i) {
    uint64_t off = GetU64le(ix->data() + toc + 8 * i);
    if (off > toc || toc - off < kSectionFrameSize) continue;
    uint64_t len = GetU64le(ix->data() + off);
    if (len > toc - off - kSectionFrameSize) continue;
    SetU32le(ix, off + 8 + len, Crc(std::string_view(*ix).substr(off + 8, len)));
  }
  SetU32le(ix, footer, Crc(std::string_view(*ix).substr(toc, kIndexTocSize)));
}

void FixChunks(std::string* ch) {
  if (ch->size() < kFileHeaderSize + kChunksFooterSize) return;
  size_t footer = ch->size() - kChunksFooterSize;
  uint32_t table_len = GetU32le(ch->data() + footer);
  if (table_len > footer - kFileHeaderSize) return;
  size_t table = footer - table_len;
  Decoder d(std::string_view(*ch).substr(table, table_len));
  bool v1 = (*ch)[4] == static_cast<char>(kChunksVersion1);
  uint64_t n = d.Uvarint();
  uint64_t at = kFileHeaderSize;
  for (uint64_t i = 0; i < n && d.ok(); ++i) {
    if (!v1) d.U8();  // frame kind
    uint64_t size = d.Uvarint();
    d.Uvarint();
    size_t crc_at = table + d.offset();
    d.U32le();
    if (!d.ok() || size > table - at) break;
    SetU32le(ch, crc_at, Crc(std::string_view(*ch).substr(at, size)));
    at += size;
  }
  SetU32le(ch, footer + 4, Crc(std::string_view(*ch).substr(table, table_len)));
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}
std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const std::string& WorkDir() {
  static const std::string dir = [] {
    std::string d = "/tmp/hblock-fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(d + "/" + kUlid);
    return d;
  }();
  return dir;
}

// Writes meta.json for index/chunks bytes, taking the counts from the index's
// table of contents so that Open gets past the meta checks.
void WriteRawBlock(const std::string& dir, const std::string& index, const std::string& chunks) {
  BlockMeta m;
  m.ulid = kUlid;
  m.min_time = -(int64_t{1} << 62);
  m.max_time = int64_t{1} << 62;
  m.num_series = m.num_chunks = m.num_samples = 1;
  if (index.size() >= kIndexTocSize + kIndexFooterSize) {
    const char* t = index.data() + index.size() - kIndexFooterSize - kIndexTocSize + 8 * kNumIndexSections;
    m.num_series = GetU64le(t);
    m.num_chunks = GetU64le(t + 8);
    m.num_samples = GetU64le(t + 16);
  }
  m.sources = {kUlid};
  m.files = {{kBlockChunksFile, chunks.size()}, {kBlockIndexFile, index.size()}};
  WriteFile(dir + "/" + kBlockIndexFile, index);
  WriteFile(dir + "/" + kBlockChunksFile, chunks);
  WriteFile(dir + "/" + kBlockMetaFile, EncodeBlockMeta(m));
}

// Reads everything an opened block offers. Returns the samples per series.
std::vector<std::vector<model::Sample>> ReadAll(const std::shared_ptr<Block>& b) {
  std::vector<std::vector<model::Sample>> out;
  (void)b->VerifyChunks();
  auto q = b->NewQuerier(storage::kMinTime, storage::kMaxTime);
  if (!q.ok()) __builtin_trap();
  std::vector<storage::LabelMatcher> all = {*storage::LabelMatcher::Make(storage::MatchType::kNotEqual, "\x01", "x")};
  auto names = (*q)->LabelNames({});
  if (names.ok()) {
    for (const std::string& n : *names) {
      (void)(*q)->LabelValues(n, {});
      (void)(*q)->LabelValues(n, all);
    }
  }
  (void)(*q)->LabelNames(all);
  auto set = (*q)->Select(true, nullptr, all);
  while (set->Next()) {
    auto it = set->At()->Iterator();
    out.push_back(storage::ReadAll(it.get()));
    auto seeker = set->At()->Iterator();
    if (!out.back().empty()) {
      int64_t mid = out.back()[out.back().size() / 2].timestamp_ms;
      if (seeker->Seek(mid) && seeker->At().timestamp_ms != mid && seeker->Err().ok()) __builtin_trap();
      while (seeker->Next()) {
      }
    }
  }
  (void)set->Err();
  return out;
}

void RunRecipe(FuzzedDataProvider* in) {
  std::string parent = WorkDir() + "/w";
  std::filesystem::remove_all(parent);
  std::filesystem::create_directories(parent);
  int nseries = in->ConsumeIntegralInRange(1, 6);
  std::vector<std::shared_ptr<storage::Series>> series;
  std::vector<std::vector<model::Sample>> want;
  for (int s = 0; s < nseries; ++s) {
    model::LabelsBuilder lb;
    lb.Set("__name__", "m").Set("s", std::to_string(s));
    if (in->ConsumeBool()) lb.Set("x", in->ConsumeRandomLengthString(8) + "v");
    // Sharing the previous series' timestamps (a target's series) makes the
    // writer refer to one timestamp column (kColumnsSharedTs).
    bool same_times = s > 0 && in->ConsumeBool();
    int n = same_times ? static_cast<int>(want.back().size()) : in->ConsumeIntegralInRange(1, 300);
    std::vector<model::Sample> v;
    int64_t t = in->ConsumeIntegral<int32_t>();
    for (int i = 0; i < n; ++i) {
      if (same_times) t = want.back()[i].timestamp_ms;
      double val;
      switch (in->ConsumeIntegralInRange(0, 3)) {
        case 0: val = std::bit_cast<double>(in->ConsumeIntegral<uint64_t>()); break;
        case 1: val = in->ConsumeIntegral<int16_t>() / 100.0; break;
        case 2: val = v.empty() ? 0 : v.back().value; break;
        default: val = model::StaleNaN(); break;
      }
      v.push_back({t, val});
      if (!same_times) t += 1 + in->ConsumeIntegralInRange<int64_t>(0, in->ConsumeBool() ? 30000 : int64_t{1} << 40);
    }
    series.push_back(std::make_shared<storage::ListSeries>(lb.Build(), v));
    want.push_back(v);  // in creation order here; sorted below
  }
  std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) { return a->Labels() < b->Labels(); });
  want.clear();
  for (const auto& s : series) want.push_back(storage::ReadAll(s->Iterator().get()));
  BlockWriteOptions opts;
  opts.fsync = false;
  opts.encoding = in->ConsumeBool() ? BlockChunkEncoding::kXor : BlockChunkEncoding::kColumns;
  opts.frame_target_bytes = in->ConsumeIntegralInRange<size_t>(64, 4096);
  auto set = storage::NewListSeriesSet(series);
  auto meta = WriteBlock(parent, set.get(), storage::kMinTime, storage::kMaxTime, 1, {}, opts);
  if (!meta.ok() || meta->num_series != want.size()) __builtin_trap();
  std::string dir = parent + "/" + meta->ulid;
  auto b = Block::Open(dir);
  if (!b.ok() || !(*b)->VerifyChunks().ok()) __builtin_trap();
  auto got = ReadAll(*b);
  if (got.size() != want.size()) __builtin_trap();
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].size() != want[i].size()) __builtin_trap();
    for (size_t j = 0; j < got[i].size(); ++j) {
      if (got[i][j].timestamp_ms != want[i][j].timestamp_ms ||
          std::bit_cast<uint64_t>(got[i][j].value) != std::bit_cast<uint64_t>(want[i][j].value)) {
        __builtin_trap();
      }
    }
  }
  std::string index = ReadFile(dir + "/" + kBlockIndexFile), chunks = ReadFile(dir + "/" + kBlockChunksFile);
  if (const char* dump = std::getenv("CISTERN_BLOCK_FUZZ_DUMP")) {
    std::string seed(1, '\1');
    PutU32le(&seed, static_cast<uint32_t>(index.size()));
    WriteFile(std::string(dump) + "/" + meta->ulid, seed + index + chunks);
  }
  // Damage, fix the checksums, read again: must not crash.
  bool any = false;
  while (in->remaining_bytes() >= 3) {
    std::string* f = in->ConsumeBool() ? &index : &chunks;
    size_t pos = in->ConsumeIntegral<uint16_t>() % f->size();
    (*f)[pos] = static_cast<char>((*f)[pos] ^ in->ConsumeIntegralInRange<uint8_t>(1, 255));
    any = true;
  }
  if (!any) return;
  FixIndex(&index);
  FixChunks(&chunks);
  WriteRawBlock(dir, index, chunks);
  auto damaged = Block::Open(dir);
  if (damaged.ok()) ReadAll(*damaged);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  int mode = data[0] % 3;
  FuzzedDataProvider in(data + 1, size - 1);
  if (mode == 2) {
    RunRecipe(&in);
    return 0;
  }
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t ilen = rest.size() >= 4 ? std::min<size_t>(GetU32le(rest.data()), rest.size() - 4) : 0;
  std::string index = rest.size() >= 4 ? rest.substr(4, ilen) : std::string();
  std::string chunks = rest.size() >= 4 ? rest.substr(4 + ilen) : rest;
  if (mode == 1) {
    FixIndex(&index);
    FixChunks(&chunks);
  }
  std::string dir = WorkDir() + "/" + kUlid;
  WriteRawBlock(dir, index, chunks);
  auto b = Block::Open(dir);
  if (b.ok()) ReadAll(*b);
  return 0;
}
