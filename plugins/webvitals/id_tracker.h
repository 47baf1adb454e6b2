// Per-id state: web-vitals may report one metric instance (its `id`) several
// times -- CLS and INP with reportAllChanges, LCP candidates, a report on
// every page hide -- and the histogram must see it once, with its final
// value. An id is held as pending (its latest value and labels) and observed
// into the HistogramSet, once:
//   - when no report for it arrived during `settle` (Sweep, every collection);
//   - at the latest when it is `ttl` old;
//   - early, when `max_ids` ids are held and room is needed (oldest first);
//   - at shutdown (ObserveAll).
// After that the id is remembered (its entry, ~80 bytes) until it is `ttl`
// old, so later repeats are ignored, never counted twice. Memory is bounded
// by max_ids entries. Keys are 64-bit hashes of (metric, id). Loop thread
// only; times are milliseconds of any monotonic clock.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>

#include "plugins/webvitals/histogram_set.h"

namespace cistern::plugins::webvitals {

struct IdTrackerOptions {
  int64_t settle_ms = 30000;
  int64_t ttl_ms = 30 * 60 * 1000;
  size_t max_ids = 100000;
};

class IdTracker {
 public:
  enum class Outcome {
    kNew,      // first report of this id
    kUpdated,  // a repeat while pending: the value is replaced
    kLate,     // a repeat after the id was observed: ignored
  };

  // `sink` must outlive the tracker.
  IdTracker(IdTrackerOptions options, HistogramSet* sink);

  static uint64_t KeyOf(Vital vital, std::string_view id);

  // `base_value` in base units. May observe (evict) the oldest id to make room.
  Outcome Report(uint64_t key, const SeriesKey& series, double base_value, int64_t now_ms);
  // Observes settled and too-old pending ids; forgets ids older than ttl.
  void Sweep(int64_t now_ms);
  // Observes every pending id now (shutdown); they stay remembered.
  void ObserveAll();

  size_t pending() const { return pending_; }
  size_t size() const { return entries_.size(); }
  // Ids pushed out by max_ids (pending ones observed early).
  uint64_t evicted() const { return evicted_; }

 private:
  struct Entry {
    uint64_t series;  // SeriesKey::Pack()
    double value;
    int64_t first_ms;
    int64_t last_ms;
    bool observed;
  };
  void Observe(Entry& e);
  void PopOldest();

  IdTrackerOptions options_;
  HistogramSet* sink_;
  std::unordered_map<uint64_t, Entry> entries_;
  // Keys in order of first report. Entries are only ever erased from the
  // front (ttl expiry, eviction), so this stays exactly in step with entries_.
  std::deque<uint64_t> order_;
  size_t pending_ = 0;
  uint64_t evicted_ = 0;
};

}  // namespace cistern::plugins::webvitals
