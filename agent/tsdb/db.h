// Db: the server's time-series database in one directory:
//
//   data_dir/lock            flock'd while a Db has the directory open
//   data_dir/wal/            the head's write-ahead log (HeadWal)
//   data_dir/<ULID>/         immutable blocks (block.h), each one time range,
//                            with an optional tombstones file (deleted data)
//   data_dir/head_tombstones the head's deleted intervals, by labels
//   data_dir/quarantine/     blocks that failed verification at start (and a
//                            head_tombstones file that did)
//
// Deleting (Delete(), the admin API's delete_series) leaves tombstones:
// queries stop returning the data at once; each block's tombstones file and
// head_tombstones are rewritten (temp, fsync, rename) before Delete returns,
// so a deletion survives a crash. Head cuts, compactions and snapshots write
// blocks without deleted samples; CleanTombstones() rewrites the blocks that
// have tombstones.
//
// Appends go to the head through the WAL (durable before visible); queries
// merge every block overlapping the range with the head. Maintenance (on the
// Db's own background thread, or by calling Maintain() in tests) cuts the
// head's complete ranges into blocks, truncates head and WAL behind them,
// compacts blocks into larger ranges and applies retention, logging each
// step with counts and durations.
//
// Threads: everything is thread-safe. Appenders and queriers run
// concurrently with each other and with maintenance; a querier keeps the
// blocks it reads alive even if retention deletes them meanwhile, and holds
// off the head truncation after a cut until it is closed (so close queriers
// promptly, and never call Maintain() while holding one open).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/units.h"
#include "agent/obs/metrics.h"
#include "agent/storage/appender.h"
#include "agent/storage/querier.h"
#include "agent/tsdb/block.h"
#include "agent/tsdb/head.h"
#include "agent/tsdb/head_stats.h"
#include "agent/tsdb/head_wal.h"

namespace cistern::tsdb {

struct DbOptions {
  std::string dir;
  int64_t block_range_ms = 2 * 3600 * 1000;
  int64_t out_of_order_window_ms = 6 * 3600 * 1000;
  int64_t retention_ms = 30LL * 24 * 3600 * 1000;  // 0: keep forever (unless size)
  uint64_t retention_bytes = 0;                    // 0: no size cap
  uint64_t wal_segment_size = 32 << 20;
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  Duration fsync_interval{1000};
  // The background thread: fsync per the policy and maintenance every
  // `maintenance_interval`. Off: the owner calls Sync()/Maintain().
  bool background = true;
  Duration maintenance_interval{60'000};
  size_t head_stripes = 4096;
  // Offline tools: nothing on disk changes (no WAL segment, no removal or
  // quarantine moves: bad blocks are skipped and listed in skipped_blocks()),
  // appends fail, no maintenance. Refused while a writer holds the directory
  // unless `force`.
  bool read_only = false;
  bool force = false;
  obs::Registry* registry = nullptr;  // required
};

class Db final : public storage::Appendable, public storage::Queryable {
 public:
  // Opens (creating) the directory: takes the lock, verifies every block
  // (moving bad ones to quarantine/ with a warning), removes leftovers of
  // interrupted writes and compactions, replays the WAL. FailedPrecondition
  // when another process holds the directory.
  static StatusOr<std::unique_ptr<Db>> Open(DbOptions options);
  ~Db() override;

  std::unique_ptr<storage::Appender> NewAppender() override;
  StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // One maintenance pass: head cuts, compactions, retention. Errors are
  // logged and counted; the first is returned.
  Status Maintain();
  Status Sync();
  // A consistent copy of the database in dir/snapshots/<name>/ (a valid data
  // directory: start a server on it to restore): every block hard-linked
  // (copied across filesystems), and unless `skip_head` the head written as
  // one more block, so every sample committed before the call is in it.
  // Maintenance waits meanwhile; ingestion goes on. Returns <name>
  // (20261201T151500Z-<16 hex digits>, as Prometheus names them).
  StatusOr<std::string> Snapshot(bool skip_head);
  // Deletes [mint, maxt] (inclusive, ms) of every series matching any of
  // `selectors` (each an AND of matchers), in blocks and head, as
  // Prometheus' DB.Delete: durable when it returns OK; on an error some
  // blocks may already have their tombstones. Waits for maintenance.
  Status Delete(int64_t mint, int64_t maxt, std::span<const std::vector<storage::LabelMatcher>> selectors);
  // Rewrites every block that has tombstones without the deleted data (a
  // new block, same range, level and sources; the old one removed; nothing
  // written if everything was deleted). The head's tombstones stay until
  // its data is cut into a block. Waits for maintenance.
  Status CleanTombstones();
  // The head's cardinality statistics (/api/v1/status/tsdb).
  HeadStats Stats() const;
  // Stops the background thread, syncs and closes the WAL. Idempotent.
  Status Close();

  Head& head() { return *head_; }
  std::vector<std::shared_ptr<Block>> Blocks() const;
  const ReplayStats& replay_stats() const { return replay_; }
  // read_only: blocks that failed verification, "<dir>: <error>".
  const std::vector<std::string>& skipped_blocks() const { return skipped_; }
  const std::string& dir() const { return opts_.dir; }

 private:
  struct Metrics;
  explicit Db(DbOptions options);
  Status LoadBlocks();
  Status CutHead();
  Status Compact();
  Status ApplyRetention();
  // head_tombstones: read at open (a corrupt file is quarantined), written
  // after a delete and after a head truncation pruned them.
  Status LoadHeadTombstones();
  Status WriteHeadTombstones(const TombstoneMap& map);
  void SetBlocks(std::vector<std::shared_ptr<Block>> blocks);  // sorted by min_time
  void BackgroundLoop();

  DbOptions opts_;
  std::unique_ptr<Metrics> m_;
  int lock_fd_ = -1;
  std::unique_ptr<Head> head_;
  std::unique_ptr<HeadWal> wal_;
  ReplayStats replay_;
  std::vector<std::string> skipped_;
  std::vector<int64_t> ranges_;

  mutable std::mutex blocks_mu_;
  std::vector<std::shared_ptr<Block>> blocks_;  // sorted by min_time
  std::atomic<int64_t> persisted_until_;        // end of the newest head cut / block

  std::mutex maintain_mu_;         // one Maintain() at a time
  std::shared_mutex truncate_mu_;  // queriers (shared) vs head truncation
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stop_ = false;
  std::thread bg_;
  bool closed_ = false;
};

}  // namespace cistern::tsdb
