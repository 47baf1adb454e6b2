// The agent's ingest path: the Appendable that inputs see. Appends collect in
// memory on the caller's thread; Commit() hands the batch to a dedicated WAL
// writer thread and returns at once, so the loop never blocks on disk. The
// writer thread resolves series refs, appends to the WAL and syncs per the
// fsync policy ("always": after every batch; an interval: at most that long
// after a batch was written; "never": left to the OS).
//
//   cistern_pipeline_batches_total                 batches committed
//   cistern_pipeline_queue_samples                 samples waiting for the writer
//   cistern_wal_samples_dropped_total{reason="queue_full"}  batches refused because the writer fell behind
//
// Thread-safe: NewAppender()/Commit() from any thread. Flush() and the
// destructor drain the queue and sync before returning (shutdown).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/base/units.h"
#include "agent/obs/metrics.h"
#include "agent/storage/appender.h"

namespace cistern::wal {
class Wal;
}

namespace cistern::pipeline {

enum class FsyncMode { kAlways, kNever, kInterval };

struct WalAppendableOptions {
  FsyncMode fsync = FsyncMode::kInterval;
  Duration fsync_interval{1000};
  size_t max_queued_samples = 2'000'000;  // beyond: Commit refuses (ResourceExhausted)
  obs::Registry* metrics = nullptr;
};

class WalAppendable : public storage::Appendable {
 public:
  // `wal` must outlive this object.
  WalAppendable(wal::Wal* wal, WalAppendableOptions options);
  ~WalAppendable() override;

  std::unique_ptr<storage::Appender> NewAppender() override;

  // Blocks until every batch committed so far is written and synced.
  void Flush();

 private:
  struct Entry {
    model::Labels labels;
    int64_t timestamp_ms;
    double value;
  };
  class Appender;
  Status Enqueue(std::vector<Entry> batch);
  void WriterLoop();
  void WriteBatch(std::vector<Entry>& batch);
  void SyncNow();

  wal::Wal* wal_;
  WalAppendableOptions options_;
  obs::Counter* batches_ = nullptr;
  obs::Gauge* queued_gauge_ = nullptr;
  obs::Counter* dropped_queue_full_ = nullptr;
  obs::Counter* dropped_write_error_ = nullptr;

  std::mutex mu_;
  std::condition_variable cv_;        // writer waits for work
  std::condition_variable drained_;   // Flush waits for the writer
  std::deque<std::vector<Entry>> queue_;
  size_t queued_samples_ = 0;
  uint64_t enqueued_ = 0;  // batches accepted
  uint64_t written_ = 0;   // batches written to the WAL
  uint64_t synced_ = 0;    // batches durable per the fsync policy
  bool flush_requested_ = false;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace cistern::pipeline
