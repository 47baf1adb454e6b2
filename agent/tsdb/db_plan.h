// The DB's decisions as pure functions over block metadata, so they can be
// tested over simulated time without writing a byte: when the head's oldest
// range is complete and can be cut into a block, which blocks to compact
// together, which retention deletes, and which leftovers of an interrupted
// compaction are redundant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/tsdb/block_meta.h"

namespace cistern::tsdb {

// floor(t / range) * range, also for negative t.
int64_t AlignDown(int64_t t, int64_t range);

// The head range [mint, mint + block_range) to cut next, or false. A range is
// complete once no sample inside it can still be accepted: the oldest sample
// the head accepts is max_time - max(out_of_order_window, block_range / 2).
// `persisted_until` is the end of the newest cut (nothing older is cut again).
bool NextHeadCut(int64_t head_min, int64_t head_max, int64_t persisted_until, int64_t block_range,
                 int64_t ooo_window, int64_t* mint);

// Block ranges to compact into: block_range * 3^i (2h, 6h, 18h, 54h, ...) not
// above max_range (0: 31 days).
std::vector<int64_t> CompactionRanges(int64_t block_range, int64_t max_range);

// Groups of blocks (indexes into `blocks`, sorted by min_time) to merge, one
// group per call result entry, oldest first:
//  - blocks whose time ranges overlap (merged whatever their size);
//  - otherwise, for the smallest range R that has one: two or more blocks in
//    one aligned window [k*R, (k+1)*R) that lies entirely before the newest
//    block (which is never planned itself): a window is compacted once, when
//    it is complete, instead of growing step by step.
std::vector<std::vector<size_t>> PlanCompaction(const std::vector<BlockMeta>& blocks,
                                                const std::vector<int64_t>& ranges);

enum class RetentionReason { kTime, kSize };
struct RetentionDecision {
  size_t index;  // into `blocks`
  RetentionReason reason;
};
// Blocks retention deletes: by time, those whose max_time is at least
// `retention_ms` older than the newest block's max_time; then by size, the
// oldest remaining until sum(block bytes) + other_bytes (the WAL) fits in
// `retention_bytes`. 0 disables either. `bytes` is parallel to `blocks`.
std::vector<RetentionDecision> PlanRetention(const std::vector<BlockMeta>& blocks,
                                             const std::vector<uint64_t>& bytes, int64_t retention_ms,
                                             uint64_t retention_bytes, uint64_t other_bytes);

// Blocks made redundant by a compaction that finished writing but was
// interrupted before deleting its inputs: another block of a higher level
// holds all their sources; or by an interrupted rewrite (clean_tombstones):
// another block of the same level has the very same sources and a later
// ULID.
std::vector<size_t> RedundantBlocks(const std::vector<BlockMeta>& blocks);

}  // namespace cistern::tsdb
