// The agent's write-ahead log: segmented, checksummed, bounded, crash-safe
// (FORMAT.md describes the bytes).
//
// Threads: ONE writer thread at a time calls Series(), Append(), Sync(),
// Truncate() and Close(); it also performs retention. Readers (Reader, one
// per thread) and the cursor calls (OpenCursor, Ack, End, WaitForData) may
// run on any thread.
//
// Durability: Append() writes with write(2); Sync() makes everything written
// so far survive kill -9 and power loss. Retention never deletes data a
// cursor has not acknowledged, unless max_size / max_age force it; then the
// loss is counted (cistern_wal_samples_dropped_total{reason}) and logged.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/units.h"
#include "agent/model/labels.h"
#include "agent/obs/metrics.h"
#include "agent/wal/sample_codec.h"

namespace cistern::wal {

struct Options {
  std::string dir;                   // data_dir/wal
  uint64_t segment_size = 32 << 20;
  uint64_t max_size = 1ULL << 30;    // segments + checkpoints
  Duration max_age{0};               // 0: bounded by size only
  obs::Registry* metrics = nullptr;
  uint64_t epoch_bytes = 1 << 20;    // XOR state resets this often (bounds loss on corruption)
  // Opens an existing log for reading only (offline tools): nothing on disk
  // changes (no new segment, torn tails left as they are); Append fails.
  bool read_only = false;
  // Test hook: replaces ::write for segment appends (fault injection).
  std::function<long(int fd, const void* data, size_t n)> write_fn;
};

struct Position {
  uint32_t segment = 0;
  uint64_t offset = 0;
  auto operator<=>(const Position&) const = default;
  std::string ToString() const;  // "00000003:4096"
};

struct ReadBatch {
  std::vector<SampleRef> samples;
  std::vector<const model::Labels*> labels;  // parallel to samples; valid until the next Next()
  Position end;                              // position after this record: what to Ack
};

class Wal;

class Reader {
 public:
  ~Reader();
  // The next batch of samples at or after the reader's position: true with a
  // batch; false when caught up with the writer (call again later, e.g. after
  // Wal::WaitForData). Corruption is skipped and counted, never returned.
  StatusOr<bool> Next(ReadBatch* batch);
  Position position() const { return pos_; }
  // Samples that could not be returned (unknown series, undecodable values, skipped data).
  uint64_t lost_samples() const { return lost_; }

 private:
  friend class Wal;
  struct Segment;
  Reader(Wal* wal, Position from);
  Status OpenSegment(uint32_t index, uint64_t deliver_from);
  Status LoadSeriesBefore(uint32_t index);

  Wal* wal_;
  Position pos_;
  std::unique_ptr<Segment> seg_;
  std::unordered_map<storage::SeriesRef, model::Labels> labels_;
  XorState xor_;
  int64_t expected_seq_ = 0;
  uint64_t deliver_from_ = 0;
  uint64_t lost_ = 0;
  bool series_loaded_ = false;
  DecodedRecord rec_;
  std::string payload_;
};

class Wal {
 public:
  static StatusOr<std::unique_ptr<Wal>> Open(Options options);
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // --- writer thread ---
  // The series' ref, created (with a SERIES record written by the next Append) if new.
  storage::SeriesRef Series(const model::Labels& labels);
  // A new ref for `labels`, kept itself instead of a copy, without the lookup
  // by labels (the server's head shares its series' labels with the log and
  // remembers the ref: a series declared twice gets two refs, both valid).
  storage::SeriesRef Series(std::shared_ptr<const model::Labels> labels);
  // Writes pending SERIES records and one SAMPLES record. Disk errors:
  // ResourceExhausted (ENOSPC) / Unavailable; the batch is dropped and
  // counted, the segment stays valid, the next Append tries again.
  Status Append(std::span<const SampleRef> samples);
  Status Sync();
  // Applies retention now (also done after each segment rotation).
  void Truncate();
  Status Close();

  // --- any thread ---
  Position End() const;
  Position Begin() const;
  // Registers a consumer; returns its acknowledged position (Begin() if new,
  // or if the file is unreadable or points before Begin()).
  StatusOr<Position> OpenCursor(const std::string& name);
  // Persists `p` (atomically) as the consumer's position.
  Status Ack(const std::string& name, Position p);
  // Forgets a consumer: its file goes, and it no longer holds segments back.
  Status RemoveCursor(const std::string& name);
  // Names of the consumers with a cursor file on disk (sorted).
  std::vector<std::string> CursorNames() const;
  std::unique_ptr<Reader> NewReader(Position from);
  // Blocks until the end moves past `after` or `timeout` passes. True if data is there.
  bool WaitForData(Position after, Duration timeout);
  // Called on the writer thread after each successful Append.
  void SetAppendListener(std::function<void()> fn);

  struct SegmentInfo {
    uint32_t index = 0;
    uint64_t size = 0;
    uint64_t samples = 0;
    int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  };
  std::vector<SegmentInfo> Segments() const;
  size_t series_count() const { return series_.size(); }
  const std::string& dir() const { return opts_.dir; }

 private:
  friend class Reader;
  struct Metrics;
  struct SeriesInfo {
    std::shared_ptr<const model::Labels> labels;
    uint32_t last_segment = 0;
  };
  explicit Wal(Options options);
  Status Recover();
  Status StartSegment(uint32_t index);
  Status Rotate();
  void DeleteThrough(uint32_t index, const char* reason, uint64_t dropped);
  Status WriteCheckpoint(uint32_t index);
  std::string SegmentPath(uint32_t index) const;
  std::string CursorPath(const std::string& name) const;
  void Publish();

  Options opts_;
  std::unique_ptr<Metrics> m_;
  // writer-only
  int fd_ = -1;
  SegmentInfo cur_;
  bool dirty_dir_ = false;
  std::unordered_map<uint64_t, std::vector<storage::SeriesRef>> by_hash_;
  std::unordered_map<storage::SeriesRef, SeriesInfo> series_;
  std::vector<storage::SeriesRef> pending_series_;
  storage::SeriesRef next_ref_ = 1;
  XorState xor_;
  uint32_t seq_ = 0;
  uint64_t epoch_start_ = 0;
  std::string buf_;
  // shared, under mu_
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SegmentInfo> closed_;  // closed segments, oldest first
  Position end_;
  uint32_t checkpoint_ = 0;  // newest checkpoint index (0: none)
  std::map<std::string, Position> cursors_;
  std::function<void()> listener_;
};

// Read-only report for `cistern wal inspect DIR`.
struct InspectReport {
  std::string dir;
  std::vector<Wal::SegmentInfo> segments;
  uint64_t records = 0, samples = 0, series = 0, corruptions = 0, bytes = 0;
  uint32_t checkpoint = 0;
  struct Cursor {
    std::string name;
    Position position;
    bool valid = true;
    uint64_t lag_bytes = 0, lag_samples = 0;
  };
  std::vector<Cursor> cursors;
};
StatusOr<InspectReport> Inspect(const std::string& dir);
std::string FormatInspectReport(const InspectReport& report);

}  // namespace cistern::wal
