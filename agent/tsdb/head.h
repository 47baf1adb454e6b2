// Head: the in-memory part of the TSDB: series (labels -> MemSeries with
// compressed chunks), the inverted index over them, append transactions and
// queries. Implements storage::Appendable and storage::Queryable.
//
// Threads: everything is thread-safe. Any number of appenders (one per
// thread) and queriers may run concurrently with each other and Truncate().
//
// Locking (outer to inner; no other nesting):
//   series stripe lock -> MemSeries::mu
//   MemPostings' lock is never held together with another lock.
// Series are found by ref in stripe `ref & mask` and by labels in stripe
// `hash & mask` (Prometheus' stripeSeries). Appends lock only the series they
// touch; queries take the index lock (shared) for postings, then each
// series' lock briefly to snapshot its chunks.
//
// Series refs are assigned from 1 upwards and never reused while the Head
// lives. A ref stays valid until Truncate() collects its series; Append with
// a stale ref falls back to the labels.
//
// Sample rules (Prometheus 2.42 semantics):
//   - in order: newer than the series' newest sample, and not older than
//     max(truncation point, head max time - chunk_range/2);
//   - same timestamp and bit-identical value as the newest sample: accepted
//     and dropped silently; different value: rejected (kDuplicate);
//   - otherwise with out_of_order_window_ms > 0: accepted into the series'
//     out-of-order data if not older than head max time - window, else
//     kTooOld; with window 0: kOutOfBounds below the in-order bound, else
//     kOutOfOrder;
//   - older than the last Truncate() point: always kOutOfBounds.
// Rejections are storage::RejectionError statuses and are counted by reason.
//
// Tombstones: deleted intervals per series ref (Delete of the admin API),
// hidden from queriers (head_querier.h) until Truncate() drops the data
// under them. The head keeps them in memory only; the Db writes them to its
// head_tombstones file (by labels) and sets them again after a restart.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "agent/obs/metrics.h"
#include "agent/storage/appender.h"
#include "agent/storage/querier.h"
#include "agent/tsdb/head_metrics.h"
#include "agent/tsdb/mem_postings.h"
#include "agent/tsdb/mem_series.h"
#include "agent/tsdb/series_table.h"
#include "agent/tsdb/tombstones.h"

namespace cistern::tsdb {

// Where committed samples are made durable before they become visible: the
// server's WAL. Log() is called by HeadAppender::Commit() (any thread, one
// call per commit) with every sample of the transaction that passed Append();
// an error fails the commit and nothing is applied. MemSeries::log_ref is the
// log's to use.
class CommitLog {
 public:
  struct Entry {
    MemSeries* series;
    int64_t t;
    double v;
  };
  virtual ~CommitLog() = default;
  virtual Status Log(std::span<const Entry> entries) = 0;
};

struct HeadOptions {
  // Block range: in-order samples older than head max time - chunk_range/2
  // are out of bounds, and chunks are cut at multiples of it.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  // 0: Prometheus' strict behaviour.
  int64_t out_of_order_window_ms = 0;
  int samples_per_chunk = 120;
  size_t target_chunk_bytes = 1024;
  int ooo_capacity = 32;
  // Number of series lock stripes (rounded up to a power of two).
  size_t stripes = 4096;
  // Where self-metrics go; a private registry when null.
  obs::Registry* registry = nullptr;
};

class Head final : public storage::Appendable, public storage::Queryable {
 public:
  explicit Head(HeadOptions options = {});
  ~Head() override;
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  std::unique_ptr<storage::Appender> NewAppender() override;
  // A querier over [mint, maxt]. The head must outlive it.
  StatusOr<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // Smallest / largest committed timestamp; kMaxTime / kMinTime when empty.
  // After Truncate() MinTime is the smallest timestamp still stored.
  int64_t MinTime() const { return min_time_.load(std::memory_order_acquire); }
  int64_t MaxTime() const { return max_time_.load(std::memory_order_acquire); }
  size_t NumSeries() const { return num_series_.load(std::memory_order_relaxed); }

  // Drops every chunk that ends before `mint` and out-of-order samples older
  // than it, then removes series left without samples (and no pending
  // appends) from the head and the index. Samples older than `mint` are
  // rejected as out of bounds from now on.
  void Truncate(int64_t mint);

  struct Stats {
    size_t series = 0;
    size_t chunks = 0;
    size_t chunk_bytes = 0;  // encoded sample data, for bytes-per-sample figures
  };
  // Walks every series (takes each lock briefly): for benchmarks and debugging.
  Stats ComputeStats() const;

  // --- Tombstones (thread-safe, but SetTombstones() and Truncate(), which
  // prunes them, from one thread at a time: the Db's maintenance lock).
  // For each live series matching one of `selectors` (each an AND of
  // matchers) with samples in [mint, maxt]: that range clamped to its
  // samples (later samples are not deleted), by ref.
  TombstoneMap PlanDelete(int64_t mint, int64_t maxt,
                          std::span<const std::vector<storage::LabelMatcher>> selectors) const;
  // All of them (a copy), and replacing all of them.
  TombstoneMap Tombstones() const;
  void SetTombstones(TombstoneMap map);
  // The deleted intervals of series `ref`, or null. One atomic load when
  // the head has none.
  std::shared_ptr<const Intervals> Deleted(storage::SeriesRef ref) const;
  bool HasTombstones() const { return has_tombstones_.load(std::memory_order_acquire); }
  // Live series whose every sample is deleted, ascending.
  Postings FullyDeletedSeries() const;
  // `map` by labels (series no longer in the head are left out), and back
  // (labels no longer in the head are left out).
  std::vector<HeadTombstone> TombstonesByLabels(const TombstoneMap& map) const;
  TombstoneMap TombstonesFromLabels(const std::vector<HeadTombstone>& stones) const;

  const HeadMetrics& metrics() const { return metrics_; }
  const HeadOptions& options() const { return opts_; }

  // Commits go through `log` from now on (nullptr: not logged, e.g. during
  // WAL replay). `log` must outlive the head's appenders.
  void SetCommitLog(CommitLog* log) { log_.store(log, std::memory_order_release); }
  CommitLog* commit_log() const { return log_.load(std::memory_order_acquire); }

  // --- for HeadAppender / HeadQuerier ---
  std::shared_ptr<MemSeries> GetByRef(storage::SeriesRef ref) const;
  // The live series with these labels, or nullptr.
  std::shared_ptr<MemSeries> Lookup(const model::Labels& labels) const;
  // The live series with these labels, created (and indexed) if absent.
  // `created` tells which. Labels must already be valid.
  std::shared_ptr<MemSeries> GetOrCreate(const model::Labels& labels, bool* created);
  AppendBounds Bounds(int64_t pending_max_time) const;
  const ChunkLimits& limits() const { return limits_; }
  const MemPostings& postings() const { return postings_; }
  // Raises max / lowers min time to include t.
  void ObserveTime(int64_t t);

 private:
  struct Stripe {
    mutable std::mutex mu;
    std::unordered_map<storage::SeriesRef, std::shared_ptr<MemSeries>> by_ref;
    SeriesTable by_hash;
  };

  const HeadOptions opts_;
  const ChunkLimits limits_;
  std::unique_ptr<obs::Registry> own_registry_;
  const HeadMetrics metrics_;
  const size_t mask_;
  std::unique_ptr<Stripe[]> stripes_;
  MemPostings postings_;
  std::atomic<storage::SeriesRef> next_ref_{1};
  std::atomic<size_t> num_series_{0};
  std::atomic<int64_t> min_time_{storage::kMaxTime};
  std::atomic<int64_t> max_time_{storage::kMinTime};
  std::atomic<int64_t> min_valid_time_{storage::kMinTime};  // the last Truncate() point
  // Minimum of the samples committed while Truncate() recomputes MinTime.
  std::atomic<int64_t> scan_min_time_{storage::kMaxTime};
  std::mutex truncate_mu_;  // one Truncate() at a time
  std::atomic<CommitLog*> log_{nullptr};
  mutable std::mutex tombstones_mu_;
  std::shared_ptr<const TombstoneMap> tombstones_;  // never null
  std::atomic<bool> has_tombstones_{false};
};

}  // namespace cistern::tsdb
