#include "agent/pipeline/wal_appendable.h"

#include <chrono>

#include "agent/obs/log.h"
#include "agent/wal/wal.h"

namespace cistern::pipeline {
namespace {
constexpr std::string_view kLog = "pipeline";
}

class WalAppendable::Appender : public storage::Appender {
 public:
  explicit Appender(WalAppendable* parent) : parent_(parent) {}
  StatusOr<storage::SeriesRef> Append(storage::SeriesRef, const model::Labels& labels, int64_t t,
                                      double v) override {
    CISTERN_RETURN_IF_ERROR(labels.Validate());  // nothing malformed reaches the WAL
    batch_.push_back({labels, t, v});
    return storage::SeriesRef{0};  // refs are resolved on the writer thread
  }
  Status Commit() override {
    if (batch_.empty()) return OkStatus();
    return parent_->Enqueue(std::move(batch_));
  }
  void Rollback() override { batch_.clear(); }

 private:
  WalAppendable* parent_;
  std::vector<Entry> batch_;
};

WalAppendable::WalAppendable(wal::Wal* wal, WalAppendableOptions options)
    : wal_(wal), options_(options) {
  if (options_.metrics) {
    obs::Registry* r = options_.metrics;
    batches_ = r->NewCounter("cistern_pipeline_batches_total", "Batches committed by inputs into the WAL pipeline.");
    queued_gauge_ = r->NewGauge("cistern_pipeline_queue_samples", "Samples committed but not yet written to the WAL.");
    auto* dropped = r->NewCounterFamily("cistern_wal_samples_dropped_total",
                                        "Samples the WAL lost or refused, by reason.", {"reason"});
    dropped_queue_full_ = dropped->With({"queue_full"});
    dropped_write_error_ = dropped->With({"write_error"});
  }
  writer_ = std::thread([this] { WriterLoop(); });
}

WalAppendable::~WalAppendable() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

std::unique_ptr<storage::Appender> WalAppendable::NewAppender() { return std::make_unique<Appender>(this); }

Status WalAppendable::Enqueue(std::vector<Entry> batch) {
  size_t n = batch.size();
  {
    std::lock_guard lock(mu_);
    if (stop_) return CancelledError("pipeline: shutting down");
    if (queued_samples_ + n > options_.max_queued_samples) {
      if (dropped_queue_full_) dropped_queue_full_->Inc(static_cast<double>(n));
      return ResourceExhaustedError("pipeline: WAL writer is " + std::to_string(queued_samples_) +
                                    " samples behind; batch of " + std::to_string(n) + " dropped");
    }
    queued_samples_ += n;
    queue_.push_back(std::move(batch));
    ++enqueued_;
    if (queued_gauge_) queued_gauge_->Set(static_cast<double>(queued_samples_));
  }
  if (batches_) batches_->Inc();
  cv_.notify_one();
  return OkStatus();
}

void WalAppendable::Flush() {
  std::unique_lock lock(mu_);
  uint64_t target = enqueued_;
  flush_requested_ = true;
  cv_.notify_one();
  drained_.wait(lock, [&] { return synced_ >= target; });
}

void WalAppendable::WriteBatch(std::vector<Entry>& batch) {
  std::vector<wal::SampleRef> refs;
  refs.reserve(batch.size());
  for (const Entry& e : batch) refs.push_back({wal_->Series(e.labels), e.timestamp_ms, e.value});
  Status s = wal_->Append(refs);
  if (!s.ok()) {
    // The WAL has counted and logged the loss; the batch is gone.
    obs::Debug(kLog, "batch of {} samples not written: {}", batch.size(), s.message());
  }
}

void WalAppendable::SyncNow() {
  Status s = wal_->Sync();
  if (!s.ok()) obs::Warn(kLog, "wal sync failed: {}", s.message());
}

void WalAppendable::WriterLoop() {
  using Clock = std::chrono::steady_clock;
  const bool always = options_.fsync == FsyncMode::kAlways;
  const bool interval = options_.fsync == FsyncMode::kInterval;
  bool dirty = false;  // written but not synced
  Clock::time_point deadline;
  // Retention (max_age, acknowledged segments) also runs when nothing is appended.
  constexpr auto kRetentionEvery = std::chrono::seconds(10);
  Clock::time_point next_retention = Clock::now() + kRetentionEvery;
  std::unique_lock lock(mu_);
  for (;;) {
    auto ready = [&] { return stop_ || !queue_.empty() || flush_requested_; };
    Clock::time_point wake = dirty && interval ? std::min(deadline, next_retention) : next_retention;
    cv_.wait_until(lock, wake, ready);
    if (Clock::now() >= next_retention) {
      lock.unlock();
      wal_->Truncate();
      lock.lock();
      next_retention = Clock::now() + kRetentionEvery;
    }
    std::deque<std::vector<Entry>> work;
    work.swap(queue_);
    uint64_t upto = written_ + work.size();
    bool flush = flush_requested_ || stop_;
    flush_requested_ = false;
    bool stopping = stop_;
    lock.unlock();

    size_t n = 0;
    for (auto& batch : work) {
      WriteBatch(batch);
      n += batch.size();
      if (always) SyncNow();
    }
    if (!work.empty() && !always && !dirty) {
      dirty = true;
      deadline = Clock::now() + options_.fsync_interval;
    }
    if (dirty && (flush || (interval && Clock::now() >= deadline))) {
      SyncNow();
      dirty = false;
    }

    lock.lock();
    written_ = upto;
    queued_samples_ -= n;
    if (queued_gauge_) queued_gauge_->Set(static_cast<double>(queued_samples_));
    if (!dirty) synced_ = written_;
    drained_.notify_all();
    if (stopping && queue_.empty()) break;
  }
}

}  // namespace cistern::pipeline
