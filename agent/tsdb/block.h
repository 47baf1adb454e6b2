// Block: one persisted block directory (BLOCK_FORMAT.md) opened read-only.
// meta.json is parsed, index and chunks are mmap'd; Open() verifies
// everything but the frames' contents (checksums of the index, structure of
// every series and chunk reference, the chunks file's frame table, the
// tombstones file), so later reads only meet corruption inside a frame,
// which they report through Err(). The block's samples are immutable; its
// tombstones (deleted intervals, hidden from its queriers) may grow. The
// block is thread-safe; queriers hold a shared_ptr to it, so the owner may
// drop it (and unlink the directory: the mappings stay valid) while queries
// still run.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "agent/base/status.h"
#include "agent/storage/querier.h"
#include "agent/tsdb/block_chunks.h"
#include "agent/tsdb/block_index.h"
#include "agent/tsdb/block_meta.h"
#include "agent/tsdb/block_writer.h"
#include "agent/tsdb/tombstones.h"

namespace cistern::tsdb {

class Block final : public storage::Queryable, public std::enable_shared_from_this<Block> {
 public:
  // Opens and VERIFIES a block directory: meta.json parsed and sane, every file present with the expected size,
  // the index's checksums verified, chunk file structure (frame table) verified. Any problem: DataLoss (or NotFound)
  // with a message naming the file and offset: "block 01H...: index: offset 123: checksum mismatch". Never crashes
  // or reads out of bounds on any bytes (fuzzed).
  static StatusOr<std::shared_ptr<Block>> Open(const std::string& dir);
  ~Block() override;
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  uint64_t SizeBytes() const;  // bytes of all its files

  // Thread-safe; any number of queriers concurrently. A querier keeps the block alive (shared_ptr), so the DB may
  // drop the Block and even delete its directory while a query still runs (Linux keeps unlinked mmaps valid).
  StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // Full read of every chunk with checksum check (for `inspect`/tests); Open() need not decompress everything.
  Status VerifyChunks() const;
  // Re-checks what is on disk now (a snapshot links it): every file's size
  // against meta.json, the index's checksums and structure, every frame's
  // checksum (without decompressing), the tombstones file. DataLoss naming
  // the block and file.
  Status VerifyFiles() const;

  // The deleted intervals, by series ref of the index (empty when none). A
  // querier takes them once: later deletions do not change what it reads.
  std::shared_ptr<const TombstoneMap> tombstones() const;
  // What deleting [mint, maxt] from the series matching any of `selectors`
  // (each an AND of matchers) adds: for each such series with a chunk that
  // meets the range, the range clamped to its samples (Prometheus).
  StatusOr<TombstoneMap> PlanDelete(int64_t mint, int64_t maxt,
                                    std::span<const std::vector<storage::LabelMatcher>> selectors) const;
  // Adds `more` (refs of this block's index) to the tombstones: the file is
  // rewritten (temp, fsync, rename) before queriers see them. One caller at
  // a time (the Db's maintenance lock).
  Status AddTombstones(const TombstoneMap& more);

  // For the querier (and tools).
  const BlockIndex& index() const { return *index_; }
  const ChunkFileReader& chunks() const { return *chunks_; }
  // "block <ulid>", the prefix of every error message about this block.
  const std::string& name() const { return name_; }

 private:
  struct Mapping {
    const char* data = nullptr;
    size_t size = 0;
  };
  Block() = default;
  // Maps dir_/file, checking its size against meta.json.
  Status Map(const BlockFile& file, Mapping* m);

  std::string dir_, name_;
  BlockMeta meta_;
  uint64_t meta_json_size_ = 0;
  Mapping index_map_, chunks_map_;
  std::unique_ptr<BlockIndex> index_;
  std::unique_ptr<ChunkFileReader> chunks_;
  mutable std::mutex tombstones_mu_;
  std::shared_ptr<const TombstoneMap> tombstones_;  // never null after Open
};

}  // namespace cistern::tsdb
