#include "plugins/webvitals/id_tracker.h"

#include <functional>
#include <string_view>

namespace cistern::plugins::webvitals {

IdTracker::IdTracker(IdTrackerOptions options, HistogramSet* sink) : options_(options), sink_(sink) {
  if (options_.max_ids == 0) options_.max_ids = 1;
}

uint64_t IdTracker::KeyOf(Vital vital, std::string_view id) {
  uint64_t h = std::hash<std::string_view>()(id);
  // Mix the metric in (splitmix64 finaliser) so equal ids of two metrics differ.
  uint64_t x = h ^ (0x9e3779b97f4a7c15ull * (static_cast<uint64_t>(vital) + 1));
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void IdTracker::Observe(Entry& e) {
  if (e.observed) return;
  e.observed = true;
  --pending_;
  sink_->Observe(SeriesKey::Unpack(e.series), e.value);
}

void IdTracker::PopOldest() {
  auto it = entries_.find(order_.front());
  order_.pop_front();
  if (it == entries_.end()) return;
  Observe(it->second);
  entries_.erase(it);
}

IdTracker::Outcome IdTracker::Report(uint64_t key, const SeriesKey& series, double v, int64_t now_ms) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    Entry& e = it->second;
    if (e.observed) return Outcome::kLate;
    e.series = series.Pack();
    e.value = v;
    e.last_ms = now_ms;
    return Outcome::kUpdated;
  }
  while (entries_.size() >= options_.max_ids && !order_.empty()) {
    PopOldest();
    ++evicted_;
  }
  entries_.emplace(key, Entry{series.Pack(), v, now_ms, now_ms, false});
  order_.push_back(key);
  ++pending_;
  return Outcome::kNew;
}

void IdTracker::Sweep(int64_t now_ms) {
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it != entries_.end() && now_ms - it->second.first_ms < options_.ttl_ms) break;
    PopOldest();
  }
  if (pending_ == 0) return;
  for (auto& [key, e] : entries_) {
    if (!e.observed && now_ms - e.last_ms >= options_.settle_ms) Observe(e);
  }
}

void IdTracker::ObserveAll() {
  if (pending_ == 0) return;
  for (auto& [key, e] : entries_) Observe(e);
}

}  // namespace cistern::plugins::webvitals
