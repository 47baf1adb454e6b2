#include "agent/tsdb/head_querier.h"

#include <algorithm>

#include "agent/storage/series_list.h"
#include "agent/tsdb/head.h"

namespace cistern::tsdb {
namespace {

class HeadSeries final : public storage::Series {
 public:
  HeadSeries(model::Labels labels, SeriesSnapshot snap, std::shared_ptr<const Intervals> deleted,
             int64_t mint, int64_t maxt)
      : labels_(std::move(labels)),
        snap_(std::move(snap)),
        deleted_(std::move(deleted)),
        mint_(mint),
        maxt_(maxt) {}
  const model::Labels& Labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> Iterator() const override {
    return NewDeletedFilterIterator(snap_.Iterator(mint_, maxt_), deleted_);
  }

 private:
  const model::Labels labels_;  // a copy: the MemSeries may go away
  const SeriesSnapshot snap_;
  const std::shared_ptr<const Intervals> deleted_;  // null: nothing deleted
  const int64_t mint_, maxt_;
};

// Whether the snapshot has a sample in [mint, maxt] outside `deleted` (chunks
// are only known to overlap the range).
bool HasSamples(const SeriesSnapshot& snap, const std::shared_ptr<const Intervals>& deleted, int64_t mint,
                int64_t maxt) {
  auto it = NewDeletedFilterIterator(snap.Iterator(mint, maxt), deleted);
  return it->Next();
}

}  // namespace

bool HeadQuerier::OutOfRange() const { return head_->MaxTime() < mint_ || head_->MinTime() > maxt_; }

Postings HeadQuerier::LabelPostings(std::span<const storage::LabelMatcher> matchers,
                                    const Postings& deleted) const {
  Postings refs =
      matchers.empty() ? head_->postings().All() : PostingsForMatchers(head_->postings(), matchers);
  return deleted.empty() ? refs : Without(refs, deleted);
}

std::unique_ptr<storage::SeriesSet> HeadQuerier::Select(bool sorted, const storage::SelectHints* hints,
                                                        std::span<const storage::LabelMatcher> matchers) {
  int64_t mint = mint_, maxt = maxt_;
  if (hints != nullptr) {
    mint = hints->start_ms;
    maxt = hints->end_ms;
  }
  if (matchers.empty() || mint > maxt) return storage::NewEmptySeriesSet();
  Postings refs = PostingsForMatchers(head_->postings(), matchers);
  std::vector<std::shared_ptr<storage::Series>> out;
  out.reserve(refs.size());
  for (storage::SeriesRef ref : refs) {
    std::shared_ptr<MemSeries> s = head_->GetByRef(ref);
    if (s == nullptr) continue;  // collected meanwhile
    SeriesSnapshot snap;
    {
      std::lock_guard lock(s->mu);
      snap = s->Snapshot(mint, maxt);
    }
    std::shared_ptr<const Intervals> deleted = head_->Deleted(ref);
    if (snap.empty() || !HasSamples(snap, deleted, mint, maxt)) continue;
    out.push_back(std::make_shared<HeadSeries>(s->labels(), std::move(snap), std::move(deleted), mint, maxt));
  }
  if (sorted) {
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->Labels() < b->Labels(); });
  }
  return storage::NewListSeriesSet(std::move(out));
}

StatusOr<std::vector<std::string>> HeadQuerier::LabelValues(std::string_view name,
                                                            std::span<const storage::LabelMatcher> matchers) {
  if (OutOfRange()) return std::vector<std::string>{};
  Postings deleted = head_->FullyDeletedSeries();
  if (matchers.empty() && deleted.empty()) return head_->postings().LabelValues(name);
  std::vector<std::string> out;
  for (storage::SeriesRef ref : LabelPostings(matchers, deleted)) {
    std::shared_ptr<MemSeries> s = head_->GetByRef(ref);
    if (s == nullptr || !s->labels().Has(name)) continue;
    out.emplace_back(s->labels().Get(name));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

StatusOr<std::vector<std::string>> HeadQuerier::LabelNames(std::span<const storage::LabelMatcher> matchers) {
  if (OutOfRange()) return std::vector<std::string>{};
  Postings deleted = head_->FullyDeletedSeries();
  if (matchers.empty() && deleted.empty()) return head_->postings().LabelNames();
  std::vector<std::string> out;
  for (storage::SeriesRef ref : LabelPostings(matchers, deleted)) {
    std::shared_ptr<MemSeries> s = head_->GetByRef(ref);
    if (s == nullptr) continue;
    for (const model::Label& l : s->labels()) out.push_back(l.name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace cistern::tsdb
