#include "agent/tsdb/block_chunks.h"

#include <zstd.h>

#include <algorithm>

#include "agent/tsdb/block_bytes.h"
#include "agent/tsdb/block_format.h"
#include "agent/wal/crc32c.h"

namespace cistern::tsdb {
namespace {

uint32_t Checksum(std::string_view b) { return wal::MaskCrc(wal::Crc32c(b.data(), b.size())); }

Status Corrupt(uint64_t offset, const std::string& what) {
  return DataLossError("chunks: offset " + std::to_string(offset) + ": " + what);
}

}  // namespace

// ---- Writer.

ChunkFileWriter::ChunkFileWriter(Sink sink, int zstd_level, size_t frame_target_bytes)
    : sink_(std::move(sink)),
      level_(zstd_level),
      target_(std::clamp<size_t>(frame_target_bytes, 1, kMaxFrameRawBytes / 2)),
      cctx_(ZSTD_createCCtx()) {}

ChunkFileWriter::~ChunkFileWriter() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_)); }

Status ChunkFileWriter::Write(std::string_view b) {
  if (written_ == 0) {
    std::string header;
    PutU32be(&header, kChunksMagic);
    header.push_back(static_cast<char>(kChunksVersion));
    header.append(3, '\0');
    CISTERN_RETURN_IF_ERROR(sink_(header));
    written_ = header.size();
  }
  written_ += b.size();
  return sink_(b);
}

Status ChunkFileWriter::Add(std::string_view chunk, BlockChunkMeta* c) {
  if (chunk.size() > kMaxFrameRawBytes / 2) return InternalError("chunks: chunk too large");
  std::string& raw = chunks_.raw;
  if (!raw.empty() && raw.size() + chunk.size() > target_) CISTERN_RETURN_IF_ERROR(FlushFrame(&chunks_));
  c->frame = chunks_.num_frames;
  c->offset = static_cast<uint32_t>(raw.size());
  c->length = static_cast<uint32_t>(chunk.size());
  raw.append(chunk);
  return OkStatus();
}

Status ChunkFileWriter::AddTimestamps(std::string_view column, uint32_t* frame, uint32_t* offset) {
  if (column.size() > kMaxFrameRawBytes / 2) return InternalError("chunks: timestamp column too large");
  std::string& raw = timestamps_.raw;
  if (!raw.empty() && raw.size() + column.size() > target_) CISTERN_RETURN_IF_ERROR(FlushFrame(&timestamps_));
  *frame = timestamps_.num_frames;
  *offset = static_cast<uint32_t>(raw.size());
  raw.append(column);
  return OkStatus();
}

Status ChunkFileWriter::FlushFrame(Pending* p) {
  if (p->raw.empty()) return OkStatus();
  compressed_.resize(ZSTD_compressBound(p->raw.size()));
  size_t n = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(cctx_), compressed_.data(), compressed_.size(),
                               p->raw.data(), p->raw.size(), level_);
  if (ZSTD_isError(n)) return InternalError(std::string("chunks: zstd: ") + ZSTD_getErrorName(n));
  compressed_.resize(n);
  table_.push_back(static_cast<char>(p->kind));
  PutUvarint(&table_, n);
  PutUvarint(&table_, p->raw.size());
  PutU32le(&table_, Checksum(compressed_));
  ++num_frames_;
  ++p->num_frames;
  raw_total_ += p->raw.size();
  p->raw.clear();
  return Write(compressed_);
}

Status ChunkFileWriter::Finish() {
  CISTERN_RETURN_IF_ERROR(FlushFrame(&chunks_));
  CISTERN_RETURN_IF_ERROR(FlushFrame(&timestamps_));
  std::string table;
  PutUvarint(&table, num_frames_);
  table.append(table_);
  std::string footer;
  PutU32le(&footer, static_cast<uint32_t>(table.size()));
  PutU32le(&footer, Checksum(table));
  PutU32be(&footer, kChunksMagic);
  CISTERN_RETURN_IF_ERROR(Write(table));
  return Write(footer);
}

// ---- Reader.

StatusOr<std::unique_ptr<ChunkFileReader>> ChunkFileReader::Open(std::string_view b) {
  if (b.size() < kFileHeaderSize + kChunksFooterSize) {
    return Corrupt(0, "file too short (" + std::to_string(b.size()) + " bytes)");
  }
  if (GetU32be(b.data()) != kChunksMagic) return Corrupt(0, "bad magic");
  uint8_t version = static_cast<uint8_t>(b[4]);
  if (version != kChunksVersion && version != kChunksVersion1) return Corrupt(4, "unsupported version");
  if (b[5] != 0 || b[6] != 0 || b[7] != 0) return Corrupt(5, "bad header");
  size_t footer = b.size() - kChunksFooterSize;
  if (GetU32be(b.data() + footer + 8) != kChunksMagic) return Corrupt(footer + 8, "bad footer magic");
  uint32_t table_len = GetU32le(b.data() + footer);
  if (table_len > footer - kFileHeaderSize) return Corrupt(footer, "frame table length past the start");
  size_t table_off = footer - table_len;
  std::string_view table = b.substr(table_off, table_len);
  if (Checksum(table) != GetU32le(b.data() + footer + 4)) return Corrupt(table_off, "frame table: checksum mismatch");
  auto r = std::unique_ptr<ChunkFileReader>(new ChunkFileReader());
  r->bytes_ = b;
  r->version_ = version;
  Decoder d(table);
  uint64_t n = d.Uvarint();
  if (!d.ok() || n > d.remaining()) return Corrupt(table_off, "frame table: bad frame count");
  uint64_t at = kFileHeaderSize;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t entry = table_off + d.offset();
    uint8_t kind = version == kChunksVersion1 ? 0 : d.U8();
    if (kind > static_cast<uint8_t>(FrameKind::kTimestamps)) {
      return Corrupt(entry, "frame table: frame " + std::to_string(i) + " has an unknown kind");
    }
    uint64_t size = d.Uvarint(), raw = d.Uvarint();
    uint32_t crc = d.U32le();
    if (!d.ok()) return Corrupt(entry, "frame table: truncated");
    if (size == 0 || size > table_off - at) {
      return Corrupt(entry, "frame table: frame " + std::to_string(i) + " runs past the frames");
    }
    if (raw == 0 || raw > kMaxFrameRawBytes) {
      return Corrupt(entry, "frame table: frame " + std::to_string(i) + " has a bad raw size");
    }
    r->frames_[kind].push_back({at, static_cast<uint32_t>(size), static_cast<uint32_t>(raw), crc});
    at += size;
  }
  if (!d.empty()) return Corrupt(table_off + d.offset(), "frame table: trailing bytes");
  if (at != table_off) return Corrupt(at, "frames do not reach the frame table");
  return r;
}

StatusOr<std::shared_ptr<const std::string>> ChunkFileReader::ReadFrame(FrameKind kind, uint32_t i) const {
  const std::vector<Frame>& frames = frames_[static_cast<int>(kind)];
  std::string name = (kind == FrameKind::kTimestamps ? "timestamp frame " : "frame ") + std::to_string(i);
  if (i >= frames.size()) return Corrupt(0, name + " does not exist");
  const Frame& f = frames[i];
  std::string_view c = bytes_.substr(f.offset, f.size);
  if (Checksum(c) != f.crc) return Corrupt(f.offset, name + ": checksum mismatch");
  auto raw = std::make_shared<std::string>(f.raw_size, '\0');
  size_t n = ZSTD_decompress(raw->data(), raw->size(), c.data(), c.size());
  if (ZSTD_isError(n) || n != f.raw_size) return Corrupt(f.offset, name + ": does not decompress to its size");
  return std::shared_ptr<const std::string>(std::move(raw));
}

Status ChunkFileReader::VerifyChecksums() const {
  for (FrameKind kind : {FrameKind::kChunks, FrameKind::kTimestamps}) {
    const std::vector<Frame>& frames = frames_[static_cast<int>(kind)];
    for (size_t i = 0; i < frames.size(); ++i) {
      const Frame& f = frames[i];
      if (Checksum(bytes_.substr(f.offset, f.size)) != f.crc)
        return Corrupt(f.offset, (kind == FrameKind::kTimestamps ? "timestamp frame " : "frame ") +
                                     std::to_string(i) + ": checksum mismatch");
    }
  }
  return OkStatus();
}

// ---- Cache.

StatusOr<std::shared_ptr<const std::string>> FrameCache::Get(uint32_t frame) {
  {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == frame) {
        auto hit = *it;
        entries_.erase(it);
        entries_.push_back(hit);
        return hit.second;
      }
    }
  }
  // Decompress unlocked: another thread may do the same frame meanwhile, harmlessly.
  CISTERN_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> raw, reader_->ReadFrame(kind_, frame));
  std::lock_guard lock(mu_);
  if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
  entries_.emplace_back(frame, raw);
  return raw;
}

}  // namespace cistern::tsdb
