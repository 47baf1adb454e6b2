#include "agent/tsdb/db_plan.h"

#include <algorithm>
#include <limits>
#include <set>

namespace cistern::tsdb {

int64_t AlignDown(int64_t t, int64_t range) {
  int64_t q = t / range;
  if (t % range != 0 && t < 0) --q;
  return q * range;
}

bool NextHeadCut(int64_t head_min, int64_t head_max, int64_t persisted_until, int64_t block_range,
                 int64_t ooo_window, int64_t* mint) {
  if (head_min > head_max || block_range <= 0) return false;  // empty head
  int64_t start = AlignDown(head_min, block_range);
  if (persisted_until != std::numeric_limits<int64_t>::min()) start = std::max(start, persisted_until);
  int64_t oldest_accepted = head_max - std::max(ooo_window, block_range / 2);
  if (start > oldest_accepted - block_range) return false;
  *mint = start;
  return true;
}

std::vector<int64_t> CompactionRanges(int64_t block_range, int64_t max_range) {
  if (max_range <= 0) max_range = 31LL * 24 * 3600 * 1000;
  std::vector<int64_t> out;
  for (int64_t r = block_range; r > 0 && r <= max_range; r *= 3) {
    out.push_back(r);
    if (r > std::numeric_limits<int64_t>::max() / 3) break;
  }
  if (out.empty()) out.push_back(block_range);
  return out;
}

std::vector<std::vector<size_t>> PlanCompaction(const std::vector<BlockMeta>& blocks,
                                                const std::vector<int64_t>& ranges) {
  std::vector<std::vector<size_t>> plans;
  if (blocks.size() < 2) return plans;
  // Overlapping blocks first (vertical compaction): chains of overlap.
  std::vector<size_t> group{0};
  int64_t group_max = blocks[0].max_time;
  auto flush = [&] {
    if (group.size() > 1) plans.push_back(group);
  };
  for (size_t i = 1; i < blocks.size(); ++i) {
    if (blocks[i].min_time < group_max) {
      group.push_back(i);
      group_max = std::max(group_max, blocks[i].max_time);
    } else {
      flush();
      group = {i};
      group_max = blocks[i].max_time;
    }
  }
  flush();
  if (!plans.empty()) return plans;

  const int64_t newest_min = blocks.back().min_time;
  for (size_t ri = 1; ri < ranges.size(); ++ri) {
    const int64_t r = ranges[ri];
    // Windows over all blocks but the newest.
    size_t i = 0;
    while (i + 1 < blocks.size()) {
      int64_t w = AlignDown(blocks[i].min_time, r);
      std::vector<size_t> in;
      size_t j = i;
      while (j + 1 < blocks.size() && blocks[j].min_time >= w && blocks[j].max_time <= w + r)
        in.push_back(j++);
      if (in.empty()) {  // block i spans more than this window: already at least this big
        ++i;
        continue;
      }
      if (in.size() > 1 && w + r <= newest_min) plans.push_back(in);
      i = j;
    }
    if (!plans.empty()) return plans;
  }
  return plans;
}

std::vector<RetentionDecision> PlanRetention(const std::vector<BlockMeta>& blocks,
                                             const std::vector<uint64_t>& bytes, int64_t retention_ms,
                                             uint64_t retention_bytes, uint64_t other_bytes) {
  std::vector<RetentionDecision> out;
  if (blocks.empty()) return out;
  int64_t newest = std::numeric_limits<int64_t>::min();
  for (const BlockMeta& b : blocks) newest = std::max(newest, b.max_time);
  std::vector<bool> gone(blocks.size(), false);
  if (retention_ms > 0) {
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (newest - blocks[i].max_time >= retention_ms) {
        gone[i] = true;
        out.push_back({i, RetentionReason::kTime});
      }
    }
  }
  if (retention_bytes > 0) {
    uint64_t total = other_bytes;
    for (size_t i = 0; i < blocks.size(); ++i)
      if (!gone[i]) total += bytes[i];
    for (size_t i = 0; i < blocks.size() && total > retention_bytes; ++i) {  // oldest first
      if (gone[i]) continue;
      gone[i] = true;
      total -= bytes[i];
      out.push_back({i, RetentionReason::kSize});
    }
  }
  return out;
}

std::vector<size_t> RedundantBlocks(const std::vector<BlockMeta>& blocks) {
  std::vector<size_t> out;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const BlockMeta& b = blocks[i];
    std::set<std::string> mine(b.sources.begin(), b.sources.end());
    if (mine.empty()) mine.insert(b.ulid);
    for (size_t j = 0; j < blocks.size(); ++j) {
      if (j == i || blocks[j].compaction_level < b.compaction_level) continue;
      std::set<std::string> theirs(blocks[j].sources.begin(), blocks[j].sources.end());
      if (blocks[j].compaction_level == b.compaction_level) {  // a rewrite: same sources, later ULID
        if (theirs == mine && blocks[j].ulid > b.ulid) {
          out.push_back(i);
          break;
        }
        continue;
      }
      if (std::includes(theirs.begin(), theirs.end(), mine.begin(), mine.end())) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

}  // namespace cistern::tsdb
