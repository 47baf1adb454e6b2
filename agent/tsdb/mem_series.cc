#include "agent/tsdb/mem_series.h"

#include <algorithm>
#include <bit>

#include "agent/storage/merge.h"
#include "agent/storage/series_list.h"

namespace cistern::tsdb {
namespace {

using storage::Rejection;
using storage::RejectionError;

int64_t SatSub(int64_t a, int64_t b) {  // a - b for b >= 0, saturating at kMinTime
  return a < storage::kMinTime + b ? storage::kMinTime : a - b;
}

// The first multiple of `range` above t (kMaxTime when there is none).
int64_t NextBoundary(int64_t t, int64_t range) {
  if (range <= 0) return storage::kMaxTime;
  int64_t q = t / range;
  if (t % range != 0 && t < 0) --q;  // floor
  if (q >= storage::kMaxTime / range) return storage::kMaxTime;
  return (q + 1) * range;
}

std::string Detail(int64_t t) { return "timestamp " + std::to_string(t); }

// Consecutive non-overlapping chunks, read one after the other.
class ChainIterator final : public storage::SampleIterator {
 public:
  explicit ChainIterator(std::vector<ChunkRef> chunks) : chunks_(std::move(chunks)) {}

  bool Next() override {
    if (done_) return false;
    if (!cur_) {
      if (chunks_.empty()) return Done();
      Open(0);
    }
    for (;;) {
      if (cur_->Next()) return positioned_ = true;
      if (!cur_->Err().ok() || i_ + 1 >= chunks_.size()) return Done();
      Open(i_ + 1);
    }
  }

  bool Seek(int64_t t) override {
    if (done_) return false;
    if (positioned_ && cur_->At().timestamp_ms >= t) return true;
    size_t j = cur_ ? i_ : 0;
    while (j < chunks_.size() && chunks_[j].max_time < t) ++j;
    if (j >= chunks_.size()) return Done();
    if (!cur_ || j != i_) Open(j);
    for (;;) {
      if (cur_->Seek(t)) return positioned_ = true;
      if (!cur_->Err().ok() || i_ + 1 >= chunks_.size()) return Done();
      Open(i_ + 1);
    }
  }

  model::Sample At() const override { return cur_->At(); }
  Status Err() const override { return err_; }

 private:
  void Open(size_t i) {
    i_ = i;
    positioned_ = false;
    cur_ = std::make_unique<XorIterator>(chunks_[i].chunk->bytes(), chunks_[i].chunk);
  }
  bool Done() {
    if (cur_ && err_.ok()) err_ = cur_->Err();
    done_ = true;
    positioned_ = false;
    return false;
  }

  std::vector<ChunkRef> chunks_;
  size_t i_ = 0;
  std::unique_ptr<XorIterator> cur_;
  bool positioned_ = false;
  bool done_ = false;
  Status err_;
};

// Only the samples of `inner` within [mint, maxt].
class BoundedIterator final : public storage::SampleIterator {
 public:
  BoundedIterator(std::unique_ptr<storage::SampleIterator> inner, int64_t mint, int64_t maxt)
      : inner_(std::move(inner)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (done_) return false;
    bool ok = started_ ? inner_->Next() : inner_->Seek(mint_);
    started_ = true;
    return Check(ok);
  }
  bool Seek(int64_t t) override {
    if (done_) return false;
    started_ = true;
    return Check(inner_->Seek(std::max(t, mint_)));
  }
  model::Sample At() const override { return inner_->At(); }
  Status Err() const override { return inner_->Err(); }

 private:
  bool Check(bool ok) {
    if (!ok || inner_->At().timestamp_ms > maxt_) {
      done_ = true;
      return false;
    }
    return true;
  }

  std::unique_ptr<storage::SampleIterator> inner_;
  const int64_t mint_, maxt_;
  bool started_ = false;
  bool done_ = false;
};

bool Overlaps(const ChunkRef& c, int64_t mint, int64_t maxt) {
  return c.max_time >= mint && c.min_time <= maxt;
}

}  // namespace

std::unique_ptr<storage::SampleIterator> SeriesSnapshot::Iterator(int64_t mint, int64_t maxt) const {
  std::vector<std::unique_ptr<storage::SampleIterator>> its;
  if (!chunks.empty()) its.push_back(std::make_unique<ChainIterator>(chunks));
  for (const ChunkRef& c : ooo_chunks)
    its.push_back(std::make_unique<XorIterator>(c.chunk->bytes(), c.chunk));
  if (!ooo_buffer.empty()) its.push_back(std::make_unique<storage::VectorSampleIterator>(ooo_buffer));
  std::unique_ptr<storage::SampleIterator> it;
  if (its.empty()) {
    it = std::make_unique<storage::VectorSampleIterator>(std::vector<model::Sample>{});
  } else {
    it = storage::NewMergeSampleIterator(std::move(its));
  }
  return std::make_unique<BoundedIterator>(std::move(it), mint, maxt);
}

StatusOr<Placement> MemSeries::Check(int64_t t, double v, const AppendBounds& b,
                                     const std::optional<Last>& pending) const {
  if (t < b.min_valid) return RejectionError(Rejection::kOutOfBounds, Detail(t));
  std::optional<Last> last = last_;
  if (pending && (!last || pending->t > last->t)) last = pending;
  uint64_t bits = std::bit_cast<uint64_t>(v);
  if (last && t == last->t) {
    // Exact duplicates happen legitimately (federation, retries): accepted.
    if (bits == last->value_bits) return Placement::kNoop;
    return RejectionError(Rejection::kDuplicate, Detail(t));
  }
  if (t >= b.in_order_min_valid && (!last || t > last->t)) return Placement::kInOrder;
  if (b.ooo_window_ms > 0) {
    if (t < SatSub(b.head_max_time, b.ooo_window_ms)) return RejectionError(Rejection::kTooOld, Detail(t));
    auto it = std::lower_bound(ooo_buffer_.begin(), ooo_buffer_.end(), t,
                               [](const model::Sample& s, int64_t ts) { return s.timestamp_ms < ts; });
    if (it != ooo_buffer_.end() && it->timestamp_ms == t) {
      if (std::bit_cast<uint64_t>(it->value) == bits) return Placement::kNoop;
      return RejectionError(Rejection::kDuplicate, Detail(t));
    }
    return Placement::kOutOfOrder;
  }
  if (t < b.in_order_min_valid) return RejectionError(Rejection::kOutOfBounds, Detail(t));
  return RejectionError(Rejection::kOutOfOrder, Detail(t));
}

int MemSeries::AppendInOrder(int64_t t, double v, const ChunkLimits& limits) {
  int created = 0;
  if (open_ && (open_->num_samples() >= limits.samples_per_chunk ||
                open_->bytes().size() >= limits.target_chunk_bytes || t >= open_boundary_)) {
    int64_t mint = open_->min_time(), maxt = open_->max_time();
    // One allocation for the chunk and its count, and no spare buffer: a
    // head holds many closed chunks per series.
    open_->ShrinkToFit();
    chunks_.push_back({std::make_shared<const XorChunk>(std::move(*open_)), mint, maxt});
    open_.reset();
  }
  if (!open_) {
    open_ = std::make_unique<XorChunk>();
    open_boundary_ = NextBoundary(t, limits.chunk_range_ms);
    created = 1;
  }
  open_->Append(t, v);
  last_ = Last{t, std::bit_cast<uint64_t>(v)};
  return created;
}

int MemSeries::InsertOutOfOrder(int64_t t, double v, const ChunkLimits& limits) {
  auto it = std::lower_bound(ooo_buffer_.begin(), ooo_buffer_.end(), t,
                             [](const model::Sample& s, int64_t ts) { return s.timestamp_ms < ts; });
  ooo_buffer_.insert(it, model::Sample{t, v});
  if (static_cast<int>(ooo_buffer_.size()) < limits.ooo_capacity) return 0;
  auto c = std::make_shared<XorChunk>();
  for (const model::Sample& s : ooo_buffer_) c->Append(s.timestamp_ms, s.value);
  c->ShrinkToFit();
  ooo_chunks_.push_back({std::move(c), ooo_buffer_.front().timestamp_ms, ooo_buffer_.back().timestamp_ms});
  ooo_buffer_.clear();
  return 1;
}

SeriesSnapshot MemSeries::Snapshot(int64_t mint, int64_t maxt) const {
  SeriesSnapshot s;
  for (const ChunkRef& c : chunks_) {
    if (Overlaps(c, mint, maxt)) s.chunks.push_back(c);
  }
  if (open_ && open_->max_time() >= mint && open_->min_time() <= maxt) {
    s.chunks.push_back({std::make_shared<const XorChunk>(*open_), open_->min_time(), open_->max_time()});
  }
  for (const ChunkRef& c : ooo_chunks_) {
    if (Overlaps(c, mint, maxt)) s.ooo_chunks.push_back(c);
  }
  for (const model::Sample& x : ooo_buffer_) {
    if (x.timestamp_ms >= mint && x.timestamp_ms <= maxt) s.ooo_buffer.push_back(x);
  }
  return s;
}

int MemSeries::Truncate(int64_t mint) {
  auto before = [mint](const ChunkRef& c) { return c.max_time < mint; };
  size_t n = chunks_.size() + ooo_chunks_.size();
  // In-order chunks are sorted: the dropped ones are a prefix.
  chunks_.erase(chunks_.begin(), std::find_if_not(chunks_.begin(), chunks_.end(), before));
  ooo_chunks_.erase(std::remove_if(ooo_chunks_.begin(), ooo_chunks_.end(), before), ooo_chunks_.end());
  int dropped = static_cast<int>(n - chunks_.size() - ooo_chunks_.size());
  if (open_ && open_->max_time() < mint) {
    open_.reset();
    ++dropped;
  }
  ooo_buffer_.erase(ooo_buffer_.begin(),
                    std::lower_bound(ooo_buffer_.begin(), ooo_buffer_.end(), mint,
                                     [](const model::Sample& s, int64_t ts) { return s.timestamp_ms < ts; }));
  return dropped;
}

size_t MemSeries::ChunkBytes() const {
  size_t n = ooo_buffer_.size() * sizeof(model::Sample);
  for (const ChunkRef& c : chunks_) n += c.chunk->bytes().size();
  for (const ChunkRef& c : ooo_chunks_) n += c.chunk->bytes().size();
  if (open_) n += open_->bytes().size();
  return n;
}

int64_t MemSeries::MinTime() const {
  int64_t m = storage::kMaxTime;
  if (!chunks_.empty())
    m = chunks_.front().min_time;
  else if (open_)
    m = open_->min_time();
  for (const ChunkRef& c : ooo_chunks_) m = std::min(m, c.min_time);
  if (!ooo_buffer_.empty()) m = std::min(m, ooo_buffer_.front().timestamp_ms);
  return m;
}

int64_t MemSeries::MaxTime() const {
  int64_t m = storage::kMinTime;
  if (open_)
    m = open_->max_time();
  else if (!chunks_.empty())
    m = chunks_.back().max_time;
  for (const ChunkRef& c : ooo_chunks_) m = std::max(m, c.max_time);
  if (!ooo_buffer_.empty()) m = std::max(m, ooo_buffer_.back().timestamp_ms);
  return m;
}

}  // namespace cistern::tsdb
