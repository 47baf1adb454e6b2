#include "agent/tsdb/head_wal.h"

#include <chrono>
#include <limits>
#include <unordered_map>

#include "agent/base/time.h"
#include "agent/obs/log.h"

namespace cistern::tsdb {
namespace {

constexpr char kLog[] = "tsdb";
constexpr char kCursor[] = "tsdb";


}  // namespace

StatusOr<std::unique_ptr<HeadWal>> HeadWal::Open(HeadWalOptions options) {
  wal::Options wo;
  wo.dir = options.dir;
  wo.segment_size = options.segment_size;
  wo.max_size = std::numeric_limits<uint64_t>::max();  // never drop unpersisted samples
  wo.metrics = options.registry;
  wo.read_only = options.read_only;
  CISTERN_ASSIGN_OR_RETURN(std::unique_ptr<wal::Wal> w, wal::Wal::Open(std::move(wo)));
  return std::unique_ptr<HeadWal>(new HeadWal(std::move(options), std::move(w)));
}

HeadWal::HeadWal(HeadWalOptions options, std::unique_ptr<wal::Wal> wal)
    : opts_(std::move(options)),
      wal_(std::move(wal)),
      replayed_(opts_.registry->NewCounter("cistern_tsdb_wal_replayed_samples_total",
                                           "Samples read from the WAL into the head at start.")),
      replay_seconds_(opts_.registry->NewGauge("cistern_tsdb_wal_replay_duration_seconds",
                                               "Time the last WAL replay took.")) {}

HeadWal::~HeadWal() { (void)Close(); }

StatusOr<ReplayStats> HeadWal::Replay(Head* head) {
  auto started = std::chrono::steady_clock::now();
  CISTERN_ASSIGN_OR_RETURN(wal::Position from, wal_->OpenCursor(kCursor));
  acked_ = from;
  wal::Position end = wal_->End();
  ReplayStats st;
  if (from >= end) return st;
  obs::Info(kLog, "wal replay: from {} to {} ({} segments)", from.ToString(), end.ToString(),
            end.segment - from.segment + 1);
  std::unique_ptr<wal::Reader> reader = wal_->NewReader(from);
  std::unordered_map<storage::SeriesRef, storage::SeriesRef> head_refs;  // wal ref -> head ref
  const int64_t persisted_before = head->Bounds(storage::kMinTime).min_valid;
  auto last_log = started;
  wal::ReadBatch batch;
  for (;;) {
    CISTERN_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    std::unique_ptr<storage::Appender> app = head->NewAppender();
    for (size_t i = 0; i < batch.samples.size(); ++i) {
      const wal::SampleRef& s = batch.samples[i];
      ++st.samples;
      if (s.timestamp_ms < persisted_before) {
        ++st.persisted;
        continue;
      }
      storage::SeriesRef& ref = head_refs[s.ref];
      StatusOr<storage::SeriesRef> r = app->Append(ref, *batch.labels[i], s.timestamp_ms, s.value);
      if (r.ok()) {
        ref = *r;
        ++st.appended;
      } else {
        ++st.rejected;
      }
    }
    CISTERN_RETURN_IF_ERROR(app->Commit());
    if (SecondsSince(last_log) >= 5) {
      last_log = std::chrono::steady_clock::now();
      double secs = SecondsSince(started);
      obs::Info(kLog, "wal replay: {} samples in {:.1f}s ({:.0f}/s), at {} of {}", st.samples, secs,
                st.samples / secs, reader->position().ToString(), end.ToString());
    }
  }
  st.lost = reader->lost_samples();
  st.seconds = SecondsSince(started);
  replayed_->Inc(static_cast<double>(st.appended));
  replay_seconds_->Set(st.seconds);
  obs::Info(kLog,
            "wal replay: done: {} samples in {:.1f}s ({:.0f}/s): {} into the head, {} already in blocks, {} "
            "rejected, {} unreadable; {} series",
            st.samples, st.seconds, st.seconds > 0 ? st.samples / st.seconds : 0.0, st.appended, st.persisted,
            st.rejected, st.lost, head->NumSeries());
  return st;
}

Status HeadWal::Log(std::span<const Entry> entries) {
  std::lock_guard lock(mu_);
  if (!wal_) return UnavailableError("tsdb: wal closed: not accepting samples");
  if (opts_.read_only) return FailedPreconditionError("tsdb: opened read-only: not accepting samples");
  refs_.clear();
  refs_.reserve(entries.size());
  for (const Entry& e : entries) {
    uint64_t& ref = e.series->log_ref;
    if (ref == 0) ref = wal_->Series(e.series->shared_labels());
    refs_.push_back({ref, e.t, e.v});
  }
  CISTERN_RETURN_IF_ERROR(wal_->Append(refs_));
  dirty_ = true;
  if (opts_.fsync == FsyncPolicy::kAlways) {
    CISTERN_RETURN_IF_ERROR(wal_->Sync());
    dirty_ = false;
  }
  return OkStatus();
}

Status HeadWal::Sync() {
  std::lock_guard lock(mu_);
  if (!wal_ || !dirty_ || opts_.fsync == FsyncPolicy::kNever) return OkStatus();
  dirty_ = false;
  return wal_->Sync();
}

Status HeadWal::Persisted(int64_t t) {
  std::lock_guard lock(mu_);
  if (!wal_) return OkStatus();
  // The first segment that may hold a sample at or after t; the open one at the latest.
  std::vector<wal::Wal::SegmentInfo> segs = wal_->Segments();
  wal::Position keep = wal_->End();
  keep.offset = 0;
  for (const auto& s : segs) {
    if (s.samples > 0 && s.max_ts >= t) {
      keep = wal::Position{s.index, 0};
      break;
    }
  }
  if (keep <= acked_) return OkStatus();
  CISTERN_RETURN_IF_ERROR(wal_->Ack(kCursor, keep));
  acked_ = keep;
  wal_->Truncate();
  return OkStatus();
}

Status HeadWal::Close() {
  std::lock_guard lock(mu_);
  if (!wal_) return OkStatus();
  Status s = wal_->Sync();
  Status c = wal_->Close();
  wal_.reset();
  return s.ok() ? c : s;
}

uint64_t HeadWal::SizeBytes() const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  if (wal_)
    for (const auto& s : wal_->Segments()) n += s.size;
  return n;
}

}  // namespace cistern::tsdb
