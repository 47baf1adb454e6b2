#include "agent/tsdb/head_stats.h"

#include <algorithm>

#include "agent/model/labels.h"
#include "agent/tsdb/head.h"

namespace cistern::tsdb {
namespace {

// Higher values first, then names ascending.
bool Better(uint64_t value, std::string_view name, const CardinalityStat& than) {
  return value > than.value || (value == than.value && name < than.name);
}

// The `limit` best entries pushed, kept as a heap with the worst on top.
class TopN {
 public:
  explicit TopN(size_t limit) : limit_(limit) {}
  // `name` is only materialised when the entry makes it in.
  void Push(uint64_t value, std::string_view name) {
    if (limit_ == 0) return;
    if (heap_.size() == limit_) {
      if (!Better(value, name, heap_.front())) return;
      std::pop_heap(heap_.begin(), heap_.end(), Worse);
      heap_.pop_back();
    }
    heap_.push_back({std::string(name), value});
    std::push_heap(heap_.begin(), heap_.end(), Worse);
  }
  // The best first.
  std::vector<CardinalityStat> Take() {
    std::sort(heap_.begin(), heap_.end(),
              [](const auto& a, const auto& b) { return Better(a.value, a.name, b); });
    return std::move(heap_);
  }

 private:
  // Heap order: the worst entry is the "largest".
  static bool Worse(const CardinalityStat& a, const CardinalityStat& b) { return Better(a.value, a.name, b); }

  const size_t limit_;
  std::vector<CardinalityStat> heap_;
};

}  // namespace

HeadStats ComputeHeadStats(const Head& head, size_t limit) {
  HeadStats st;
  st.num_series = head.NumSeries();
  st.min_time = head.MinTime();
  st.max_time = head.MaxTime();
  st.chunk_count = static_cast<int64_t>(head.metrics().chunks->Value());
  TopN metrics(limit), values(limit), bytes(limit), pairs(limit);
  std::string name, pair;
  uint64_t name_values = 0, name_bytes = 0;
  auto flush = [&] {
    if (name.empty()) return;
    values.Push(name_values, name);
    bytes.Push(name_bytes, name);
  };
  head.postings().VisitLabelPairs([&](std::string_view n, std::string_view v, size_t series) {
    if (n != name) {
      flush();
      name.assign(n);
      name_values = name_bytes = 0;
    }
    ++st.num_label_pairs;
    ++name_values;
    name_bytes += v.size();
    if (n == model::kMetricName) metrics.Push(series, v);
    pair.assign(n).append("=").append(v);
    pairs.Push(series, pair);
  });
  flush();
  st.series_count_by_metric_name = metrics.Take();
  st.label_value_count_by_label_name = values.Take();
  st.memory_in_bytes_by_label_name = bytes.Take();
  st.series_count_by_label_value_pair = pairs.Take();
  return st;
}

}  // namespace cistern::tsdb
