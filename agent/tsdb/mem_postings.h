// MemPostings: the head's inverted index, label name -> value -> sorted
// series refs, plus the list of all series. Readers get copies of lists, so
// nothing they hold is touched by later writes.
//
// Thread-safe: one reader-writer lock; Add/Delete take it exclusively, all
// reads shared. A query that reads several lists sees each one consistently,
// not all of them at one instant (a series created meanwhile may be missing
// from some; it has no committed samples older than the query then).
#pragma once

#include <functional>
#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include "agent/model/labels.h"
#include "agent/tsdb/postings.h"

namespace cistern::tsdb {

class MemPostings final : public IndexReader {
 public:
  // Indexes series `ref` under each of its labels. Refs are usually added in
  // increasing order (appended), but any order is kept sorted.
  void Add(storage::SeriesRef ref, const model::Labels& labels);
  // Removes `ref` (indexed with `labels`); empty values and names disappear.
  void Delete(storage::SeriesRef ref, const model::Labels& labels);

  Postings Get(std::string_view name, std::string_view value) const override;
  Postings Matching(std::string_view name, const std::function<bool(std::string_view)>& match) const override;
  Postings All() const override;

  // Sorted label names / values of `name` present in the index.
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;
  size_t NumSeries() const;
  // Calls fn(name, value, number of series) for every label pair, names and
  // values ascending, under the shared lock: fn must not call back in.
  void VisitLabelPairs(const std::function<void(std::string_view, std::string_view, size_t)>& fn) const;

 private:
  using Values = std::map<std::string, Postings, std::less<>>;
  static void Insert(Postings* list, storage::SeriesRef ref);
  static void Erase(Postings* list, storage::SeriesRef ref);

  mutable std::shared_mutex mu_;
  std::map<std::string, Values, std::less<>> index_;
  Postings all_;
};

}  // namespace cistern::tsdb
