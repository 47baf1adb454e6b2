#include "agent/tsdb/head.h"

#include <algorithm>

#include "agent/tsdb/head_appender.h"
#include "agent/tsdb/head_querier.h"

namespace cistern::tsdb {
namespace {

size_t RoundUpPow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

ChunkLimits LimitsOf(const HeadOptions& o) {
  ChunkLimits l;
  l.samples_per_chunk = std::clamp(o.samples_per_chunk, 1, 0xffff);
  l.target_chunk_bytes = o.target_chunk_bytes;
  l.chunk_range_ms = o.chunk_range_ms;
  l.ooo_capacity = std::max(1, o.ooo_capacity);
  return l;
}

void FetchMin(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v < cur && !a.compare_exchange_weak(cur, v, std::memory_order_acq_rel)) {
  }
}
void FetchMax(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_acq_rel)) {
  }
}

}  // namespace

Head::Head(HeadOptions options)
    : opts_(options),
      limits_(LimitsOf(options)),
      own_registry_(options.registry ? nullptr : std::make_unique<obs::Registry>()),
      metrics_(HeadMetrics::Register(options.registry ? options.registry : own_registry_.get())),
      mask_(RoundUpPow2(std::max<size_t>(1, options.stripes)) - 1),
      stripes_(std::make_unique<Stripe[]>(mask_ + 1)),
      tombstones_(std::make_shared<const TombstoneMap>()) {}

Head::~Head() {
  metrics_.series->Add(-static_cast<double>(num_series_.load()));
  // The gauges may be shared with other heads through the registry.
  for (size_t i = 0; i <= mask_; ++i) {
    std::lock_guard lock(stripes_[i].mu);
    for (auto& [ref, s] : stripes_[i].by_ref) {
      std::lock_guard slock(s->mu);
      metrics_.chunks->Add(-s->NumChunks());
    }
  }
}

std::unique_ptr<storage::Appender> Head::NewAppender() { return std::make_unique<HeadAppender>(this); }

StatusOr<std::unique_ptr<storage::Querier>> Head::NewQuerier(int64_t mint, int64_t maxt) {
  if (mint > maxt)
    return InvalidArgumentError("tsdb: querier: mint " + std::to_string(mint) + " > maxt " +
                                std::to_string(maxt));
  return std::unique_ptr<storage::Querier>(std::make_unique<HeadQuerier>(this, mint, maxt));
}

std::shared_ptr<MemSeries> Head::GetByRef(storage::SeriesRef ref) const {
  const Stripe& st = stripes_[ref & mask_];
  std::lock_guard lock(st.mu);
  auto it = st.by_ref.find(ref);
  if (it == st.by_ref.end()) return nullptr;
  return it->second;
}

std::shared_ptr<MemSeries> Head::Lookup(const model::Labels& labels) const {
  uint64_t hash = labels.Hash();
  const Stripe& st = stripes_[hash & mask_];
  std::lock_guard lock(st.mu);
  const std::shared_ptr<MemSeries>* s = st.by_hash.Find(hash, [&](const std::shared_ptr<MemSeries>& c) {
    return c->labels() == labels && !c->deleted.load(std::memory_order_acquire);
  });
  return s ? *s : nullptr;
}

std::shared_ptr<MemSeries> Head::GetOrCreate(const model::Labels& labels, bool* created) {
  *created = false;
  uint64_t hash = labels.Hash();
  std::shared_ptr<MemSeries> s;
  {
    Stripe& st = stripes_[hash & mask_];
    std::lock_guard lock(st.mu);
    std::shared_ptr<MemSeries> collected;
    const std::shared_ptr<MemSeries>* found =
        st.by_hash.Find(hash, [&](const std::shared_ptr<MemSeries>& c) { return c->labels() == labels; });
    if (found != nullptr) {
      if (!(*found)->deleted.load(std::memory_order_acquire)) return *found;
      collected = *found;
      st.by_hash.Erase(hash, collected.get());  // collected: replaced below
    }
    s = std::make_shared<MemSeries>(next_ref_.fetch_add(1, std::memory_order_relaxed), labels);
    st.by_hash.Insert(hash, s);
  }
  {
    Stripe& st = stripes_[s->ref() & mask_];
    std::lock_guard lock(st.mu);
    st.by_ref.emplace(s->ref(), s);
  }
  postings_.Add(s->ref(), labels);
  num_series_.fetch_add(1, std::memory_order_relaxed);
  metrics_.series->Add(1);
  *created = true;
  return s;
}

Head::Stats Head::ComputeStats() const {
  Stats st;
  for (size_t i = 0; i <= mask_; ++i) {
    std::lock_guard lock(stripes_[i].mu);
    for (const auto& [ref, s] : stripes_[i].by_ref) {
      std::lock_guard slock(s->mu);
      ++st.series;
      st.chunks += static_cast<size_t>(s->NumChunks());
      st.chunk_bytes += s->ChunkBytes();
    }
  }
  return st;
}

AppendBounds Head::Bounds(int64_t pending_max_time) const {
  AppendBounds b;
  b.min_valid = min_valid_time_.load(std::memory_order_acquire);
  b.head_max_time = std::max(MaxTime(), pending_max_time);
  b.ooo_window_ms = opts_.out_of_order_window_ms;
  b.in_order_min_valid = b.min_valid;
  if (b.head_max_time != storage::kMinTime && opts_.chunk_range_ms > 0) {
    int64_t half = opts_.chunk_range_ms / 2;
    if (b.head_max_time >= storage::kMinTime + half) {
      b.in_order_min_valid = std::max(b.in_order_min_valid, b.head_max_time - half);
    }
  }
  return b;
}

void Head::ObserveTime(int64_t t) {
  FetchMax(max_time_, t);
  FetchMin(min_time_, t);
  FetchMin(scan_min_time_, t);
}

void Head::Truncate(int64_t mint) {
  std::lock_guard truncate_lock(truncate_mu_);
  FetchMax(min_valid_time_, mint);
  scan_min_time_.store(storage::kMaxTime, std::memory_order_release);
  std::vector<std::shared_ptr<MemSeries>> dead;
  int chunks_dropped = 0;
  for (size_t i = 0; i <= mask_; ++i) {
    Stripe& st = stripes_[i];
    std::lock_guard lock(st.mu);
    for (auto it = st.by_ref.begin(); it != st.by_ref.end();) {
      MemSeries& s = *it->second;
      std::lock_guard slock(s.mu);
      chunks_dropped += s.Truncate(mint);
      if (s.Empty() && s.pending_commits == 0) {
        s.deleted.store(true, std::memory_order_release);
        dead.push_back(std::move(it->second));
        it = st.by_ref.erase(it);
        continue;
      }
      FetchMin(scan_min_time_, s.MinTime());
      ++it;
    }
  }
  for (const auto& s : dead) {
    uint64_t hash = s->labels().Hash();
    Stripe& st = stripes_[hash & mask_];
    std::lock_guard lock(st.mu);
    st.by_hash.Erase(hash, s.get());
  }
  for (const auto& s : dead) postings_.Delete(s->ref(), s->labels());
  num_series_.fetch_sub(dead.size(), std::memory_order_relaxed);
  metrics_.series->Add(-static_cast<double>(dead.size()));
  metrics_.chunks->Add(-chunks_dropped);
  // Samples committed during the scan lowered scan_min_time_ too. (An empty
  // head keeps its max time: the bounds of later appends still hold.)
  min_time_.store(scan_min_time_.load(std::memory_order_acquire), std::memory_order_release);

  if (has_tombstones_.load(std::memory_order_acquire)) {  // drop what no longer hides anything
    TombstoneMap next;
    for (auto& [ref, set] : Tombstones()) {
      if (GetByRef(ref) == nullptr) continue;  // collected
      Intervals kept;
      for (const Interval& iv : set)
        if (iv.maxt >= mint) kept.push_back({std::max(iv.mint, mint), iv.maxt});
      if (!kept.empty()) next.emplace(ref, std::move(kept));
    }
    SetTombstones(std::move(next));
  }
}

TombstoneMap Head::PlanDelete(int64_t mint, int64_t maxt,
                              std::span<const std::vector<storage::LabelMatcher>> selectors) const {
  TombstoneMap out;
  if (mint > maxt) return out;
  for (const std::vector<storage::LabelMatcher>& sel : selectors) {
    if (sel.empty()) continue;
    for (storage::SeriesRef ref : PostingsForMatchers(postings_, sel)) {
      std::shared_ptr<MemSeries> s = GetByRef(ref);
      if (s == nullptr) continue;
      int64_t lo, hi;
      {
        std::lock_guard lock(s->mu);
        if (s->Empty()) continue;
        lo = s->MinTime();
        hi = s->MaxTime();
      }
      Interval iv = Clamp({mint, maxt}, lo, hi);
      if (iv.mint <= iv.maxt) AddInterval(&out[ref], iv);
    }
  }
  return out;
}

TombstoneMap Head::Tombstones() const {
  std::lock_guard lock(tombstones_mu_);
  return *tombstones_;
}

void Head::SetTombstones(TombstoneMap map) {
  std::erase_if(map, [](const auto& e) { return e.second.empty(); });
  auto next = std::make_shared<const TombstoneMap>(std::move(map));
  std::lock_guard lock(tombstones_mu_);
  has_tombstones_.store(!next->empty(), std::memory_order_release);
  tombstones_ = std::move(next);
}

std::shared_ptr<const Intervals> Head::Deleted(storage::SeriesRef ref) const {
  if (!has_tombstones_.load(std::memory_order_acquire)) return nullptr;
  std::shared_ptr<const TombstoneMap> map;
  {
    std::lock_guard lock(tombstones_mu_);
    map = tombstones_;
  }
  auto it = map->find(ref);
  if (it == map->end()) return nullptr;
  return std::shared_ptr<const Intervals>(map, &it->second);
}

Postings Head::FullyDeletedSeries() const {
  Postings out;
  if (!has_tombstones_.load(std::memory_order_acquire)) return out;
  std::shared_ptr<const TombstoneMap> map;
  {
    std::lock_guard lock(tombstones_mu_);
    map = tombstones_;
  }
  for (const auto& [ref, set] : *map) {
    std::shared_ptr<MemSeries> s = GetByRef(ref);
    if (s == nullptr) continue;
    std::lock_guard lock(s->mu);
    if (s->Empty() || Covers(set, s->MinTime(), s->MaxTime())) out.push_back(ref);
  }
  return out;
}

std::vector<HeadTombstone> Head::TombstonesByLabels(const TombstoneMap& map) const {
  std::vector<HeadTombstone> out;
  for (const auto& [ref, set] : map) {
    std::shared_ptr<MemSeries> s = GetByRef(ref);
    if (s == nullptr || set.empty()) continue;
    out.push_back({s->labels(), set});
  }
  return out;
}

TombstoneMap Head::TombstonesFromLabels(const std::vector<HeadTombstone>& stones) const {
  TombstoneMap out;
  for (const HeadTombstone& t : stones) {
    std::shared_ptr<MemSeries> s = Lookup(t.labels);
    if (s != nullptr) AddIntervals(&out[s->ref()], t.intervals);
  }
  return out;
}

}  // namespace cistern::tsdb
