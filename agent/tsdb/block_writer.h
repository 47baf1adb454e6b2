// WriteBlock: persists a sorted SeriesSet as a block directory
// (BLOCK_FORMAT.md). Synchronous and blocking (fsyncs): run it on a worker
// thread. Thread-safe (no shared state); concurrent calls write different
// directories.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/storage/querier.h"
#include "agent/tsdb/block_format.h"
#include "agent/tsdb/block_meta.h"

namespace cistern::tsdb {

struct BlockWriteOptions {
  int zstd_level = 3;
  // kColumns is smaller on every data set we measured (BLOCK_FORMAT.md); the
  // writer stores a timestamp column shared by several of its chunks once
  // (kColumnsSharedTs, also what kColumnsSharedTs here means). kXor stores the
  // head's Prometheus chunks unchanged.
  BlockChunkEncoding encoding = BlockChunkEncoding::kColumns;
  // Samples per chunk; 0: kColumnChunkSamples / kXorChunkSamples. A series'
  // last two chunks are balanced so no chunk is tiny.
  int samples_per_chunk = 0;
  size_t frame_target_bytes = kDefaultFrameTargetBytes;
  // Off only for benchmarks on throwaway directories.
  bool fsync = true;
};

// Writes every series of `set` (sorted by labels, as a sorted Select returns them) restricted to samples with
// mint <= t < maxt into a new block directory parent_dir/<ulid>/ : written as parent_dir/<ulid>.tmp, every file
// fsync'd, renamed, parent dir fsync'd. Series without samples in range are left out. A set with no samples in
// range writes nothing and returns meta with num_series == 0 (and ulid empty). set->Err() is returned as error.
//
// meta.min_time / max_time are mint / maxt (the range the block covers, as
// Prometheus), except that storage::kMinTime / kMaxTime are replaced by the
// first sample's timestamp / the last one's + 1. Series out of label order or
// samples out of timestamp order are InvalidArgument; nothing is left behind
// on any error.
StatusOr<BlockMeta> WriteBlock(const std::string& parent_dir, storage::SeriesSet* set, int64_t mint, int64_t maxt,
                               int compaction_level, std::vector<std::string> sources,
                               const BlockWriteOptions& opts = {});

}  // namespace cistern::tsdb
