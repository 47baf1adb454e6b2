// The chunks file of a block (BLOCK_FORMAT.md, "Chunks"): chunks of many
// series packed into zstd-compressed frames of ~64 KiB raw, a frame table and
// a footer.
//
// ChunkFileWriter packs encoded chunks into frames and hands the file's bytes,
// in order, to a sink (the block writer's file). Single-threaded.
//
// ChunkFileReader reads a chunks file held in memory the caller owns (an
// mmap). Open() verifies the footer, the frame table's checksum and that the
// frames tile the file exactly; ReadFrame() checks one frame's checksum and
// decompresses it. Immutable after Open(); thread-safe.
//
// FrameCache keeps the last few decompressed frames of one querier so the
// series of a frame read one after the other decompress it once.
// Thread-safe.
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
  // Writes the last frame, the frame table and the footer.
  Status Finish();
  uint64_t bytes_written() const { return written_; }
  uint64_t raw_bytes() const { return raw_total_; }

 private:
  Status Write(std::string_view b);
  Status FlushFrame();

  Sink sink_;
  int level_;
  size_t target_;
  void* cctx_;  // ZSTD_CCtx
  std::string raw_, compressed_, table_;
  uint64_t num_frames_ = 0;
  uint64_t written_ = 0, raw_total_ = 0;
};

class ChunkFileReader {
 public:
  // `bytes` must outlive the reader. Errors: DataLoss "chunks: offset N: <what>".
  static StatusOr<std::unique_ptr<ChunkFileReader>> Open(std::string_view bytes);

  size_t num_frames() const { return frames_.size(); }
  uint32_t frame_raw_size(size_t i) const { return frames_[i].raw_size; }
  // Checks the checksum of frame i and decompresses it.
  StatusOr<std::shared_ptr<const std::string>> ReadFrame(uint32_t i) const;

 private:
  struct Frame {
    uint64_t offset;
    uint32_t size;  // compressed
    uint32_t raw_size;
    uint32_t crc;
  };
  ChunkFileReader() = default;

  std::string_view bytes_;
  std::vector<Frame> frames_;
};

class FrameCache {
 public:
  FrameCache(const ChunkFileReader* reader, size_t capacity) : reader_(reader), capacity_(capacity) {}
  StatusOr<std::shared_ptr<const std::string>> Get(uint32_t frame);

 private:
  const ChunkFileReader* const reader_;
  const size_t capacity_;
  std::mutex mu_;
  std::vector<std::pair<uint32_t, std::shared_ptr<const std::string>>> entries_;  // most recent last
};

}  // namespace cistern::tsdb
