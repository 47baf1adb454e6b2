// MemSeries: one series in the head: its labels, its in-order chunks (closed
// ones immutable and shared with readers, one open chunk being appended to)
// and its out-of-order data (a small sorted buffer, flushed into immutable
// sorted chunks). Also the append rules (Check) and the read snapshot.
//
// Locking: every member below `mu` is guarded by `mu`; ref and labels are
// immutable. Callers lock `mu` around Check/Append*/Snapshot/Truncate. A
// snapshot shares the closed chunks and copies the open chunk and the OOO
// buffer, so readers never see a chunk that is still being written.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "agent/model/labels.h"
#include "agent/storage/append_error.h"
#include "agent/storage/appender.h"
#include "agent/storage/querier.h"
#include "agent/tsdb/xor_chunk.h"

namespace cistern::tsdb {

// An immutable chunk plus its time range.
struct ChunkRef {
  std::shared_ptr<const XorChunk> chunk;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

// The limits a sample is checked against (head-wide, see Head).
struct AppendBounds {
  int64_t min_valid = storage::kMinTime;           // older: out of bounds (truncated away)
  int64_t in_order_min_valid = storage::kMinTime;  // older: cannot go in-order
  int64_t head_max_time = storage::kMinTime;
  int64_t ooo_window_ms = 0;
};

// Where an acceptable sample goes.
enum class Placement { kInOrder, kOutOfOrder, kNoop /* exact duplicate: dropped silently */ };

struct ChunkLimits {
  int samples_per_chunk = 120;
  size_t target_chunk_bytes = 1024;
  int64_t chunk_range_ms = 2 * 3600 * 1000;  // chunks never span a multiple of it
  int ooo_capacity = 32;                     // OOO buffer size before it becomes a chunk
};

// Read-only view of a series' data over [mint, maxt], owned by the reader.
struct SeriesSnapshot {
  std::vector<ChunkRef> chunks;           // in-order, ascending, non-overlapping
  std::vector<ChunkRef> ooo_chunks;       // each sorted; may overlap anything
  std::vector<model::Sample> ooo_buffer;  // sorted
  bool empty() const { return chunks.empty() && ooo_chunks.empty() && ooo_buffer.empty(); }
  // Samples in [mint, maxt]: in-order data wins over out-of-order data at
  // equal timestamps.
  std::unique_ptr<storage::SampleIterator> Iterator(int64_t mint, int64_t maxt) const;
};

class MemSeries {
 public:
  MemSeries(storage::SeriesRef ref, model::Labels labels)
      : ref_(ref), labels_(std::make_shared<const model::Labels>(std::move(labels))) {}

  storage::SeriesRef ref() const { return ref_; }
  const model::Labels& labels() const { return *labels_; }
  // The same labels, shared (the server's WAL keeps them instead of a copy).
  const std::shared_ptr<const model::Labels>& shared_labels() const { return labels_; }

  std::mutex mu;

  // The newest in-order sample, for ordering checks (an appender passes its
  // own uncommitted newest sample of this series as `pending`).
  struct Last {
    int64_t t;
    uint64_t value_bits;
  };

  // Whether (t, v) may be appended, and where. Requires mu.
  StatusOr<Placement> Check(int64_t t, double v, const AppendBounds& b,
                            const std::optional<Last>& pending) const;
  // Appends after a successful Check. Return the number of chunks created.
  int AppendInOrder(int64_t t, double v, const ChunkLimits& limits);
  int InsertOutOfOrder(int64_t t, double v, const ChunkLimits& limits);

  SeriesSnapshot Snapshot(int64_t mint, int64_t maxt) const;

  // Drops chunks that end before `mint` and OOO samples before it. Returns the
  // number of chunks dropped. Requires mu.
  int Truncate(int64_t mint);
  // No samples at all. Requires mu.
  bool Empty() const { return chunks_.empty() && !open_ && ooo_chunks_.empty() && ooo_buffer_.empty(); }
  // Smallest / largest stored timestamp (kMaxTime / kMinTime when empty). Requires mu.
  int64_t MinTime() const;
  int64_t MaxTime() const;
  // Encoded bytes in all chunks and the OOO buffer (16 bytes a sample). Requires mu.
  size_t ChunkBytes() const;
  int NumChunks() const { return static_cast<int>(chunks_.size() + ooo_chunks_.size()) + (open_ ? 1 : 0); }

  // Appenders that hold uncommitted samples of this series; GC keeps the
  // series while > 0. Guarded by mu.
  int pending_commits = 0;
  // Set (under mu) when GC removes the series; appenders that looked it up
  // before must look again. Atomic so the series map can read it unlocked.
  std::atomic<bool> deleted{false};
  // The series' handle in the head's CommitLog (0: not logged yet). Owned by
  // the log, which guards it with its own lock.
  uint64_t log_ref = 0;

 private:
  const storage::SeriesRef ref_;
  const std::shared_ptr<const model::Labels> labels_;

  std::vector<ChunkRef> chunks_;  // closed in-order chunks
  std::unique_ptr<XorChunk> open_;
  int64_t open_boundary_ = 0;  // the open chunk is cut at this timestamp
  std::optional<Last> last_;   // newest in-order sample ever appended
  std::vector<ChunkRef> ooo_chunks_;
  std::vector<model::Sample> ooo_buffer_;  // sorted by timestamp
};

}  // namespace cistern::tsdb
