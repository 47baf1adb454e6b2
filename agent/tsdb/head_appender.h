// HeadAppender: one append transaction on a Head (storage::Appender).
//
// Append() resolves or creates the series, checks the sample against the
// committed data plus this transaction's own earlier samples, and buffers it:
// nothing is visible to queries until Commit(). Commit() first hands the
// batch to the head's CommitLog, if any (a log error fails the commit: nothing
// applied), then re-checks each
// sample under its series lock (other appenders may have committed since)
// and applies it; a sample that no longer fits is dropped and counted (as
// Prometheus does: Commit still succeeds). Rollback() discards the buffer;
// series created by the transaction stay, empty, until the next Truncate().
//
// One thread at a time; spent after Commit()/Rollback() (further calls:
// FailedPrecondition). Destroying an uncommitted appender rolls it back.
#pragma once

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "agent/storage/appender.h"
#include "agent/tsdb/head.h"
#include "agent/tsdb/mem_series.h"

namespace cistern::tsdb {

class HeadAppender final : public storage::Appender {
 public:
  explicit HeadAppender(Head* head) : head_(head) {}
  ~HeadAppender() override;

  StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const model::Labels& labels,
                                      int64_t timestamp_ms, double value) override;
  Status Commit() override;
  void Rollback() override;

 private:
  using Pending = CommitLog::Entry;
  struct Touched {
    std::shared_ptr<MemSeries> series;    // keeps it alive; pending_commits was raised
    std::optional<MemSeries::Last> last;  // newest sample of it in this transaction
    uint32_t samples = 0;                 // of this series in samples_, not yet committed
  };

  // The touched_ entry of `s`, or nullptr. Open addressing over `slots_`.
  Touched* FindTouched(const MemSeries* s);
  Touched* AddTouched(std::shared_ptr<MemSeries> s);
  void Release();

  Head* const head_;
  bool spent_ = false;
  std::vector<Pending> samples_;
  std::vector<uint32_t> sample_touched_;  // parallel to samples_: index into touched_
  std::vector<Touched> touched_;
  std::vector<uint32_t> slots_;           // touched_ index + 1, 0 = empty; size a power of two
  int64_t max_time_ = storage::kMinTime;  // newest timestamp in this transaction
};

}  // namespace cistern::tsdb
