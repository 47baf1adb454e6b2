// HeadWal: the server's ingest durability. Every head commit is written to a
// write-ahead log (agent/wal, the same format as the agent's) before it
// becomes visible, so an acknowledged remote-write request survives kill -9;
// on start the log is replayed into the head.
//
// The log keeps one cursor, "tsdb": everything before it is persisted in
// blocks, so WAL retention may delete it. Nothing else deletes WAL data (the
// server's WAL has no size cap: losing it would lose acknowledged samples).
//
// Threads: Log() from any number of appender threads (serialised on one
// mutex: the WAL has one writer); Sync(), Persisted() from the DB's
// maintenance thread; Replay() before the head is shared.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "agent/base/units.h"
#include "agent/obs/metrics.h"
#include "agent/tsdb/head.h"
#include "agent/wal/wal.h"

namespace cistern::tsdb {

enum class FsyncPolicy { kAlways, kNever, kInterval };

struct HeadWalOptions {
  std::string dir;  // data_dir/wal
  uint64_t segment_size = 32 << 20;
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  bool read_only = false;  // offline tools: replay only, Log() fails
  obs::Registry* registry = nullptr;
};

struct ReplayStats {
  uint64_t samples = 0;    // read from the log
  uint64_t appended = 0;   // went into the head
  uint64_t persisted = 0;  // older than the blocks' end: already persisted, skipped
  uint64_t rejected = 0;   // refused by the head for another reason (counted like live rejections)
  uint64_t lost = 0;       // unreadable (corruption), reported by the WAL reader
  double seconds = 0;
};

class HeadWal final : public CommitLog {
 public:
  static StatusOr<std::unique_ptr<HeadWal>> Open(HeadWalOptions options);
  ~HeadWal() override;

  // Replays everything after the "tsdb" cursor into `head` (which must not be
  // shared yet and has no commit log set). Logs progress every 5 s.
  StatusOr<ReplayStats> Replay(Head* head);

  Status Log(std::span<const Entry> entries) override;
  // fsync of what was written so far (no-op when nothing is new).
  Status Sync();
  // Everything with timestamps < `t` is in blocks: whole segments that hold
  // only such samples may go. Applies retention.
  Status Persisted(int64_t t);
  Status Close();

  uint64_t SizeBytes() const;
  wal::Wal* wal() { return wal_.get(); }

 private:
  HeadWal(HeadWalOptions options, std::unique_ptr<wal::Wal> wal);

  const HeadWalOptions opts_;
  std::unique_ptr<wal::Wal> wal_;
  obs::Counter* replayed_;
  obs::Gauge* replay_seconds_;
  mutable std::mutex mu_;  // the WAL writer side and MemSeries::log_ref
  wal::Position acked_;    // the "tsdb" cursor
  std::vector<wal::SampleRef> refs_;
  bool dirty_ = false;
};

}  // namespace cistern::tsdb
