// Tombstones: deleted time intervals per series (what
// /api/v1/admin/tsdb/delete_series leaves behind until clean_tombstones or a
// compaction rewrites the data without them), Prometheus' tsdb/tombstones.
//
//   - Intervals: a sorted set of closed [mint, maxt] ranges, merged on insert;
//   - the two files that hold them (BLOCK_FORMAT.md, "Tombstones"): a block's
//     `tombstones` (block series ref -> intervals) and the data directory's
//     `head_tombstones` (labels -> intervals, since head refs do not survive a
//     restart); their encoders and their decoders, which accept any bytes
//     (fuzzed) and report DataLoss;
//   - an iterator that hides the samples of deleted intervals.
// Value types and pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/labels.h"
#include "agent/storage/appender.h"
#include "agent/storage/querier.h"

namespace cistern::tsdb {

struct Interval {
  int64_t mint = 0;  // inclusive
  int64_t maxt = 0;  // inclusive
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Sorted by mint, pairwise disjoint and not adjacent (AddInterval merges).
using Intervals = std::vector<Interval>;

// Adds [iv.mint, iv.maxt] (ignored if mint > maxt), merging overlapping and
// adjacent intervals.
void AddInterval(Intervals* set, Interval iv);
void AddIntervals(Intervals* set, const Intervals& more);
// Whether t lies in a deleted interval.
bool IsDeleted(const Intervals& set, int64_t t);
// Whether every t in [mint, maxt] is deleted.
bool Covers(const Intervals& set, int64_t mint, int64_t maxt);
// Whether some deleted interval meets [mint, maxt].
bool Overlaps(const Intervals& set, int64_t mint, int64_t maxt);
// [mint, maxt] clamped to [lo, hi] (Prometheus deletes "only until the
// current values and not beyond"); mint > maxt when they do not meet.
Interval Clamp(Interval iv, int64_t lo, int64_t hi);

// A block's tombstones: series ref (its index's) -> deleted intervals.
using TombstoneMap = std::map<storage::SeriesRef, Intervals>;
// Adds every interval of `more` to *map.
void MergeTombstones(TombstoneMap* map, const TombstoneMap& more);

// The `tombstones` file of a block.
std::string EncodeBlockTombstones(const TombstoneMap& map);
// DataLoss "tombstones: offset N: <what>".
StatusOr<TombstoneMap> DecodeBlockTombstones(std::string_view bytes);

// One series of the head's tombstones, by labels.
struct HeadTombstone {
  model::Labels labels;
  Intervals intervals;
  friend bool operator==(const HeadTombstone&, const HeadTombstone&) = default;
};
// The data directory's `head_tombstones` file.
std::string EncodeHeadTombstones(const std::vector<HeadTombstone>& stones);
// DataLoss "head_tombstones: offset N: <what>".
StatusOr<std::vector<HeadTombstone>> DecodeHeadTombstones(std::string_view bytes);

// The samples of `it` outside `deleted` (which must outlive the iterator;
// shared with the series that made it). `deleted` null or empty: `it` itself.
std::unique_ptr<storage::SampleIterator> NewDeletedFilterIterator(std::unique_ptr<storage::SampleIterator> it,
                                                                  std::shared_ptr<const Intervals> deleted);

}  // namespace cistern::tsdb
