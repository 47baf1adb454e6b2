// HeadStats: the head's cardinality statistics behind /api/v1/status/tsdb,
// with Prometheus 2.42's semantics (Head.Stats and MemPostings.Stats of its
// tsdb; the API renders them, agent/api/tsdb_status.h):
//   - num_series, min_time / max_time (kMaxTime / kMinTime when empty, as
//     Prometheus), chunk_count (the head's chunks gauge);
//   - num_label_pairs: distinct name=value pairs in the index;
//   - the top `limit` (10) by value, ties by name:
//       series_count_by_metric_name       __name__ value -> series
//       label_value_count_by_label_name   name -> distinct values
//       memory_in_bytes_by_label_name     name -> bytes of its distinct values
//                                         (each value once, as 2.42)
//       series_count_by_label_value_pair  "name=value" -> series
// A plain value type; ComputeHeadStats is thread-safe (it reads the index
// under its shared lock, so it holds off series creation meanwhile).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cistern::tsdb {

class Head;

struct CardinalityStat {
  std::string name;
  uint64_t value = 0;
  friend bool operator==(const CardinalityStat&, const CardinalityStat&) = default;
};

struct HeadStats {
  uint64_t num_series = 0;
  uint64_t num_label_pairs = 0;
  int64_t chunk_count = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
  std::vector<CardinalityStat> series_count_by_metric_name;
  std::vector<CardinalityStat> label_value_count_by_label_name;
  std::vector<CardinalityStat> memory_in_bytes_by_label_name;
  std::vector<CardinalityStat> series_count_by_label_value_pair;
};

HeadStats ComputeHeadStats(const Head& head, size_t limit = 10);

}  // namespace cistern::tsdb
