#include "agent/tsdb/head_appender.h"

#include <algorithm>
#include <bit>

#include "agent/tsdb/head.h"

namespace cistern::tsdb {

HeadAppender::~HeadAppender() {
  if (!spent_) Rollback();
}

StatusOr<storage::SeriesRef> HeadAppender::Append(storage::SeriesRef ref, const model::Labels& labels,
                                                  int64_t t, double v) {
  if (spent_) return FailedPreconditionError("tsdb: append after commit or rollback");
  std::shared_ptr<MemSeries> s;
  if (ref != 0) s = head_->GetByRef(ref);
  for (int attempt = 0;; ++attempt) {
    if (s == nullptr) {
      if (labels.empty()) return InvalidArgumentError("tsdb: append: empty label set");
      if (attempt == 0)
        CISTERN_RETURN_IF_ERROR(labels.Validate().Annotate("tsdb: append " + labels.ToString()));
      bool created;
      s = head_->GetOrCreate(labels, &created);
    }
    std::unique_lock lock(s->mu);
    if (s->deleted.load(std::memory_order_acquire)) {  // collected since the lookup
      lock.unlock();  // before dropping what may be the last reference to the mutex's owner
      s.reset();
      continue;
    }
    auto found = touched_.find(s.get());
    std::optional<MemSeries::Last> pending;
    if (found != touched_.end()) pending = found->second.last;
    StatusOr<Placement> placement = s->Check(t, v, head_->Bounds(max_time_), pending);
    if (!placement.ok()) {
      if (auto r = storage::RejectionOf(placement.status())) head_->metrics().Rejected(*r)->Inc();
      return placement.status();
    }
    if (found == touched_.end()) {
      ++s->pending_commits;
      found = touched_.emplace(s.get(), Touched{s, std::nullopt}).first;
    }
    if (*placement == Placement::kInOrder)
      found->second.last = MemSeries::Last{t, std::bit_cast<uint64_t>(v)};
    break;
  }
  if (t > max_time_) max_time_ = t;
  samples_.push_back({s.get(), t, v});
  return s->ref();
}

Status HeadAppender::Commit() {
  if (spent_) return FailedPreconditionError("tsdb: commit after commit or rollback");
  if (CommitLog* log = head_->commit_log(); log != nullptr && !samples_.empty()) {
    if (Status s = log->Log(samples_); !s.ok()) {
      Release();
      return s;
    }
  }
  const HeadMetrics& m = head_->metrics();
  int64_t appended = 0, ooo = 0, chunks = 0;
  int64_t mint = storage::kMaxTime, maxt = storage::kMinTime;
  for (const Pending& p : samples_) {
    std::lock_guard lock(p.series->mu);
    StatusOr<Placement> placement = p.series->Check(p.t, p.v, head_->Bounds(storage::kMinTime), std::nullopt);
    if (!placement.ok()) {
      if (auto r = storage::RejectionOf(placement.status())) m.Rejected(*r)->Inc();
      continue;
    }
    switch (*placement) {
      case Placement::kNoop:
        continue;
      case Placement::kInOrder:
        chunks += p.series->AppendInOrder(p.t, p.v, head_->limits());
        break;
      case Placement::kOutOfOrder:
        chunks += p.series->InsertOutOfOrder(p.t, p.v, head_->limits());
        ++ooo;
        break;
    }
    ++appended;
    mint = std::min(mint, p.t);
    maxt = std::max(maxt, p.t);
  }
  if (appended > 0) {
    head_->ObserveTime(mint);
    head_->ObserveTime(maxt);
  }
  m.samples_appended->Inc(static_cast<double>(appended));
  if (ooo > 0) m.out_of_order_appended->Inc(static_cast<double>(ooo));
  if (chunks > 0) m.chunks->Add(static_cast<double>(chunks));
  Release();
  return OkStatus();
}

void HeadAppender::Rollback() {
  if (spent_) return;
  Release();
}

void HeadAppender::Release() {
  for (auto& [ptr, touched] : touched_) {
    std::lock_guard lock(ptr->mu);
    --ptr->pending_commits;
  }
  touched_.clear();
  samples_.clear();
  spent_ = true;
}

}  // namespace cistern::tsdb
