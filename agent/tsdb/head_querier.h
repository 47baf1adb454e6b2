// HeadQuerier: storage::Querier over a Head's [mint, maxt].
//
// Select() resolves the matchers to postings on the head's index, then
// snapshots each matching series under its lock (sharing closed chunks,
// copying the open one): the returned series see the samples committed before
// Select() and nothing later, and stay readable after the head truncates
// them. Series without samples in the range are left out. Samples are trimmed
// to [mint, maxt] (or the hints' [start, end] when given).
//
// LabelNames / LabelValues read the index (without matchers) or the labels of
// the matching series; they do not look at samples (as Prometheus' head).
//
// Tombstones (Head::Deleted, as at Select()): deleted samples are skipped, a
// series with nothing left in range is not selected, and one with every
// sample deleted is left out of LabelNames / LabelValues too.
//
// One thread at a time; the Head must outlive the querier.
#pragma once

#include "agent/storage/querier.h"
#include "agent/tsdb/postings.h"

namespace cistern::tsdb {

class Head;

class HeadQuerier final : public storage::Querier {
 public:
  HeadQuerier(const Head* head, int64_t mint, int64_t maxt) : head_(head), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints* hints,
                                             std::span<const storage::LabelMatcher> matchers) override;
  StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                 std::span<const storage::LabelMatcher> matchers) override;
  StatusOr<std::vector<std::string>> LabelNames(std::span<const storage::LabelMatcher> matchers) override;
  Status Close() override { return OkStatus(); }

 private:
  // The head has no samples in the querier's range.
  bool OutOfRange() const;
  // The series matching `matchers` (all when empty) but those in `deleted`.
  Postings LabelPostings(std::span<const storage::LabelMatcher> matchers, const Postings& deleted) const;

  const Head* const head_;
  const int64_t mint_, maxt_;
};

}  // namespace cistern::tsdb
