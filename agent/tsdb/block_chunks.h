// The chunks file of a block (BLOCK_FORMAT.md, "Chunks"): chunks of many
// series packed into zstd-compressed frames of ~64 KiB raw, timestamp columns
// shared by several chunks in frames of their own, a frame table and a
// footer.
//
// ChunkFileWriter packs encoded chunks into chunk frames and timestamp
// columns into timestamp frames (two buffers, each flushed when full) and
// hands the file's bytes, in order, to a sink (the block writer's file).
// Single-threaded.
//
// ChunkFileReader reads a chunks file (version 1 or 2) held in memory the
// caller owns (an mmap). Open() verifies the footer, the frame table's
// checksum and that the frames tile the file exactly; ReadFrame() checks one
// frame's checksum and decompresses it. Immutable after Open(); thread-safe.
//
// FrameCache keeps the last few decompressed frames of one kind for one
// querier so the series of a frame read one after the other decompress it
// once. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "agent/tsdb/block_format.h"
#include "agent/tsdb/block_index.h"

namespace cistern::tsdb {

class ChunkFileWriter {
 public:
  using Sink = std::function<Status(std::string_view)>;
  ChunkFileWriter(Sink sink, int zstd_level, size_t frame_target_bytes);
  ~ChunkFileWriter();
  ChunkFileWriter(const ChunkFileWriter&) = delete;
  ChunkFileWriter& operator=(const ChunkFileWriter&) = delete;

  // Adds one encoded chunk; fills in c->frame/offset/length.
  Status Add(std::string_view chunk, BlockChunkMeta* c);
  // Adds one ts_column to the timestamp frames; *frame / *offset locate it
  // (timestamp frame number, offset in its raw bytes).
  Status AddTimestamps(std::string_view column, uint32_t* frame, uint32_t* offset);
  // Writes the last frame, the frame table and the footer.
  Status Finish();
  uint64_t bytes_written() const { return written_; }
  uint64_t raw_bytes() const { return raw_total_; }

 private:
  struct Pending {
    FrameKind kind;
    std::string raw;          // the frame being filled
    uint32_t num_frames = 0;  // of this kind written so far
  };
  Status Write(std::string_view b);
  Status FlushFrame(Pending* p);

  Sink sink_;
  int level_;
  size_t target_;
  void* cctx_;  // ZSTD_CCtx
  Pending chunks_{FrameKind::kChunks}, timestamps_{FrameKind::kTimestamps};
  std::string compressed_, table_;
  uint64_t num_frames_ = 0;  // of both kinds
  uint64_t written_ = 0, raw_total_ = 0;
};

class ChunkFileReader {
 public:
  // `bytes` must outlive the reader. Errors: DataLoss "chunks: offset N: <what>".
  static StatusOr<std::unique_ptr<ChunkFileReader>> Open(std::string_view bytes);

  uint8_t version() const { return version_; }
  // Chunk frames (what the index's chunk references count).
  size_t num_frames() const { return frames_[0].size(); }
  uint32_t frame_raw_size(size_t i) const { return frames_[0][i].raw_size; }
  size_t num_frames(FrameKind kind) const { return frames_[static_cast<int>(kind)].size(); }
  // Checks the checksum of frame i of `kind` and decompresses it.
  StatusOr<std::shared_ptr<const std::string>> ReadFrame(FrameKind kind, uint32_t i) const;
  StatusOr<std::shared_ptr<const std::string>> ReadFrame(uint32_t i) const { return ReadFrame(FrameKind::kChunks, i); }
  // Checks every frame's checksum without decompressing it.
  Status VerifyChecksums() const;

 private:
  struct Frame {
    uint64_t offset;
    uint32_t size;  // compressed
    uint32_t raw_size;
    uint32_t crc;
  };
  ChunkFileReader() = default;

  std::string_view bytes_;
  uint8_t version_ = 0;
  std::vector<Frame> frames_[2];  // by FrameKind
};

class FrameCache {
 public:
  FrameCache(const ChunkFileReader* reader, size_t capacity, FrameKind kind = FrameKind::kChunks)
      : reader_(reader), kind_(kind), capacity_(capacity) {}
  StatusOr<std::shared_ptr<const std::string>> Get(uint32_t frame);

 private:
  const ChunkFileReader* const reader_;
  const FrameKind kind_;
  const size_t capacity_;
  std::mutex mu_;
  std::vector<std::pair<uint32_t, std::shared_ptr<const std::string>>> entries_;  // most recent last
};

}  // namespace cistern::tsdb
