#include "agent/storage/merge.h"

#include <algorithm>

namespace cistern::storage {
namespace {

class MergeSampleIterator final : public SampleIterator {
 public:
  explicit MergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its) : its_(std::move(its)) {
    ok_.assign(its_.size(), false);
  }

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < its_.size(); ++i) ok_[i] = its_[i]->Next();
    } else if (cur_ >= 0) {
      // Advance every source sitting on the sample just returned (duplicates).
      int64_t t = cur_t_;
      for (size_t i = 0; i < its_.size(); ++i) {
        if (ok_[i] && its_[i]->At().timestamp_ms == t) ok_[i] = its_[i]->Next();
      }
    } else {
      return false;
    }
    return Pick();
  }

  bool Seek(int64_t t) override {
    if (started_ && cur_ < 0) return false;
    if (started_ && cur_t_ >= t) return true;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (!started_ || ok_[i]) ok_[i] = its_[i]->Seek(t);
    }
    started_ = true;
    return Pick();
  }

  model::Sample At() const override { return its_[cur_]->At(); }

  Status Err() const override {
    for (const auto& it : its_) {
      Status s = it->Err();
      if (!s.ok()) return s;
    }
    return OkStatus();
  }

 private:
  // The source with the smallest timestamp; the lowest index on ties.
  bool Pick() {
    cur_ = -1;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (!ok_[i]) continue;
      int64_t t = its_[i]->At().timestamp_ms;
      if (cur_ < 0 || t < cur_t_) {
        cur_ = static_cast<int>(i);
        cur_t_ = t;
      }
    }
    return cur_ >= 0;
  }

  std::vector<std::unique_ptr<SampleIterator>> its_;
  std::vector<bool> ok_;  // its_[i] is positioned on a sample
  bool started_ = false;
  int cur_ = -1;
  int64_t cur_t_ = 0;
};

class MergedSeries final : public Series {
 public:
  explicit MergedSeries(std::vector<std::shared_ptr<Series>> parts) : parts_(std::move(parts)) {}
  const model::Labels& Labels() const override { return parts_[0]->Labels(); }
  std::unique_ptr<SampleIterator> Iterator() const override {
    std::vector<std::unique_ptr<SampleIterator>> its;
    its.reserve(parts_.size());
    for (const auto& p : parts_) its.push_back(p->Iterator());
    return NewMergeSampleIterator(std::move(its));
  }

 private:
  std::vector<std::shared_ptr<Series>> parts_;
};

class MergeSeriesSet final : public SeriesSet {
 public:
  explicit MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets) : sets_(std::move(sets)) {
    ok_.assign(sets_.size(), false);
  }

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) ok_[i] = sets_[i]->Next();
    } else {
      for (size_t i : current_) ok_[i] = sets_[i]->Next();
    }
    current_.clear();
    cur_.reset();
    if (!Err().ok()) return false;
    const model::Labels* min = nullptr;
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (!ok_[i]) continue;
      const model::Labels& l = sets_[i]->At()->Labels();
      if (min == nullptr || l < *min) {
        min = &l;
        current_.assign(1, i);
      } else if (l == *min) {
        current_.push_back(i);
      }
    }
    if (current_.empty()) return false;
    if (current_.size() == 1) {
      cur_ = sets_[current_[0]]->At();
    } else {
      std::vector<std::shared_ptr<Series>> parts;
      for (size_t i : current_) parts.push_back(sets_[i]->At());
      cur_ = std::make_shared<MergedSeries>(std::move(parts));
    }
    return true;
  }

  const std::shared_ptr<Series>& At() const override { return cur_; }

  Status Err() const override {
    for (const auto& s : sets_) {
      Status st = s->Err();
      if (!st.ok()) return st;
    }
    return OkStatus();
  }

  std::vector<std::string> Warnings() const override {
    std::vector<std::string> out;
    for (const auto& s : sets_) {
      for (auto& w : s->Warnings()) out.push_back(std::move(w));
    }
    return out;
  }

 private:
  std::vector<std::unique_ptr<SeriesSet>> sets_;
  std::vector<bool> ok_;
  std::vector<size_t> current_;  // sets positioned on the series returned last
  std::shared_ptr<Series> cur_;
  bool started_ = false;
};

void UnionInto(std::vector<std::string>* acc, std::vector<std::string> more) {
  std::vector<std::string> out;
  out.reserve(acc->size() + more.size());
  std::set_union(std::make_move_iterator(acc->begin()), std::make_move_iterator(acc->end()),
                 std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()),
                 std::back_inserter(out));
  *acc = std::move(out);
}

class MergeQuerier final : public Querier {
 public:
  explicit MergeQuerier(std::vector<std::unique_ptr<Querier>> qs) : qs_(std::move(qs)) {}

  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints,
                                    std::span<const LabelMatcher> matchers) override {
    std::vector<std::unique_ptr<SeriesSet>> sets;
    sets.reserve(qs_.size());
    for (auto& q : qs_) sets.push_back(q->Select(/*sorted=*/true, hints, matchers));
    return NewMergeSeriesSet(std::move(sets));
  }

  StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                 std::span<const LabelMatcher> matchers) override {
    std::vector<std::string> acc;
    for (auto& q : qs_) {
      CISTERN_ASSIGN_OR_RETURN(std::vector<std::string> v, q->LabelValues(name, matchers));
      UnionInto(&acc, std::move(v));
    }
    return acc;
  }

  StatusOr<std::vector<std::string>> LabelNames(std::span<const LabelMatcher> matchers) override {
    std::vector<std::string> acc;
    for (auto& q : qs_) {
      CISTERN_ASSIGN_OR_RETURN(std::vector<std::string> v, q->LabelNames(matchers));
      UnionInto(&acc, std::move(v));
    }
    return acc;
  }

  Status Close() override {
    Status first;
    for (auto& q : qs_) {
      Status s = q->Close();
      if (first.ok() && !s.ok()) first = s;
    }
    return first;
  }

 private:
  std::vector<std::unique_ptr<Querier>> qs_;
};

}  // namespace

std::unique_ptr<SampleIterator> NewMergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its) {
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<MergeSampleIterator>(std::move(its));
}

std::unique_ptr<SeriesSet> NewMergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets) {
  if (sets.size() == 1) return std::move(sets[0]);
  return std::make_unique<MergeSeriesSet>(std::move(sets));
}

std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers) {
  if (queriers.size() == 1) return std::move(queriers[0]);
  return std::make_unique<MergeQuerier>(std::move(queriers));
}

}  // namespace cistern::storage
