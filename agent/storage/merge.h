// Merging reads over several sources (the head and each block, later remote
// reads): samples of a series present in several sources are interleaved by
// timestamp; identical timestamps are deduplicated and the source listed
// first wins (callers list the most authoritative source first, e.g. the
// head's in-order data before its out-of-order data).
//
// All functions take ownership of their inputs. The results are used by one
// thread at a time, like any SeriesSet / iterator.
#pragma once

#include <memory>
#include <vector>

#include "agent/storage/querier.h"

namespace cistern::storage {

// One iterator over the union of `its` (each sorted). O(its.size()) per
// sample: meant for a handful of overlapping sources, not for many
// consecutive chunks (chain those instead).
std::unique_ptr<SampleIterator> NewMergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its);

// Merges SeriesSets that are each sorted by labels into one sorted set;
// series with identical labels become one series whose iterator is the
// merge of theirs. The first error of any input ends the set (Err()).
std::unique_ptr<SeriesSet> NewMergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets);

// A Querier over several Queriers: Select merges their (sorted) results,
// LabelValues / LabelNames return the sorted union. With one querier it is
// that querier.
std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers);

}  // namespace cistern::storage
