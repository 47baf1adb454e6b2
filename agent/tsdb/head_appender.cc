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
      s = head_->Lookup(labels);
    }
    if (s == nullptr) {  // a new series: check its labels once
      if (labels.empty()) return InvalidArgumentError("tsdb: append: empty label set");
      if (attempt == 0) {
        if (Status bad = labels.Validate(); !bad.ok())
          return bad.Annotate("tsdb: append " + labels.ToString());
      }
      bool created;
      s = head_->GetOrCreate(labels, &created);
    }
    std::unique_lock lock(s->mu);
    if (s->deleted.load(std::memory_order_acquire)) {  // collected since the lookup
      lock.unlock();  // before dropping what may be the last reference to the mutex's owner
      s.reset();
      continue;
    }
    Touched* found = FindTouched(s.get());
    std::optional<MemSeries::Last> pending;
    if (found != nullptr) pending = found->last;
    StatusOr<Placement> placement = s->Check(t, v, head_->Bounds(max_time_), pending);
    if (!placement.ok()) {
      if (auto r = storage::RejectionOf(placement.status())) head_->metrics().Rejected(*r)->Inc();
      return placement.status();
    }
    if (found == nullptr) {
      ++s->pending_commits;
      found = AddTouched(s);
    }
    if (*placement == Placement::kInOrder) found->last = MemSeries::Last{t, std::bit_cast<uint64_t>(v)};
    ++found->samples;
    sample_touched_.push_back(static_cast<uint32_t>(found - touched_.data()));
    break;
  }
  if (t > max_time_) max_time_ = t;
  samples_.push_back({s.get(), t, v});
  return s->ref();
}

namespace {
size_t SlotOf(const MemSeries* s, size_t mask) {
  auto h = reinterpret_cast<uintptr_t>(s);
  h ^= h >> 17;
  h *= 0x9e3779b97f4a7c15ULL;
  return (h >> 20) & mask;
}
}  // namespace

HeadAppender::Touched* HeadAppender::FindTouched(const MemSeries* s) {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = SlotOf(s, mask);; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0) return nullptr;
    if (touched_[slot - 1].series.get() == s) return &touched_[slot - 1];
  }
}

HeadAppender::Touched* HeadAppender::AddTouched(std::shared_ptr<MemSeries> s) {
  if ((touched_.size() + 1) * 2 > slots_.size()) {  // keep the table at most half full
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), 0);
    const size_t mask = slots_.size() - 1;
    for (size_t j = 0; j < touched_.size(); ++j) {
      size_t i = SlotOf(touched_[j].series.get(), mask);
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = static_cast<uint32_t>(j + 1);
    }
  }
  const size_t mask = slots_.size() - 1;
  size_t i = SlotOf(s.get(), mask);
  while (slots_[i] != 0) i = (i + 1) & mask;
  touched_.push_back(Touched{std::move(s), std::nullopt, 0});
  slots_[i] = static_cast<uint32_t>(touched_.size());
  return &touched_.back();
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
  for (size_t i = 0; i < samples_.size(); ++i) {
    const Pending& p = samples_[i];
    std::lock_guard lock(p.series->mu);
    // The series' last sample of this transaction gives back its pending mark.
    if (--touched_[sample_touched_[i]].samples == 0) --p.series->pending_commits;
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
  for (Touched& t : touched_) {
    if (t.samples == 0) continue;  // given back by Commit()
    std::lock_guard lock(t.series->mu);
    --t.series->pending_commits;
  }
  touched_.clear();
  slots_.clear();
  samples_.clear();
  sample_touched_.clear();
  spent_ = true;
}

}  // namespace cistern::tsdb
