#include "agent/tsdb/head_stats.h"

#include <gtest/gtest.h>

#include "agent/tsdb/head.h"
#include "tests/agent/tsdb/head_test_util.h"

namespace cistern::tsdb {
namespace {

using Stats = std::vector<CardinalityStat>;

TEST(HeadStatsTest, CountsAsPrometheusPostingsStats) {
  Head head;
  HeadStats empty = ComputeHeadStats(head);
  EXPECT_EQ(empty.num_series, 0u);
  EXPECT_EQ(empty.min_time, storage::kMaxTime) << "an empty head's bounds, as Prometheus";
  EXPECT_EQ(empty.max_time, storage::kMinTime);
  EXPECT_TRUE(empty.series_count_by_metric_name.empty());

  // up: 3 series (job node x2, api), http_requests_total: 2 (api), a long value once.
  auto add = [&](model::Labels l, int64_t t) { ASSERT_TRUE(testing::AppendOne(head, l, t, 1).ok()); };
  add({{"__name__", "up"}, {"job", "node"}, {"instance", "a"}}, 1000);
  add({{"__name__", "up"}, {"job", "node"}, {"instance", "b"}}, 2000);
  add({{"__name__", "up"}, {"job", "api"}, {"instance", "a"}}, 3000);
  add({{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "200"}}, 4000);
  add({{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "500"}}, 5000);
  add({{"__name__", "build_info"}, {"version", "1.2.3-long-version-string"}}, 6000);

  HeadStats st = ComputeHeadStats(head);
  EXPECT_EQ(st.num_series, 6u);
  EXPECT_EQ(st.min_time, 1000);
  EXPECT_EQ(st.max_time, 6000);
  EXPECT_EQ(st.chunk_count, 6);
  // __name__: 3 values, instance: 2, job: 2, code: 2, version: 1.
  EXPECT_EQ(st.num_label_pairs, 10u);
  EXPECT_EQ(st.series_count_by_metric_name,
            (Stats{{"up", 3}, {"http_requests_total", 2}, {"build_info", 1}}));
  EXPECT_EQ(st.label_value_count_by_label_name,
            (Stats{{"__name__", 3}, {"code", 2}, {"instance", 2}, {"job", 2}, {"version", 1}}))
      << "ties by name";
  // Bytes of the distinct values of each name (each value once, as 2.42).
  EXPECT_EQ(st.memory_in_bytes_by_label_name,
            (Stats{{"__name__", 2 + 19 + 10}, {"version", 25}, {"job", 7}, {"code", 6}, {"instance", 2}}));
  ASSERT_EQ(st.series_count_by_label_value_pair.size(), 10u);
  EXPECT_EQ(st.series_count_by_label_value_pair[0], (CardinalityStat{"__name__=up", 3}));
  EXPECT_EQ(st.series_count_by_label_value_pair[1], (CardinalityStat{"job=api", 3}));
  EXPECT_EQ(st.series_count_by_label_value_pair[2], (CardinalityStat{"__name__=http_requests_total", 2}));

  HeadStats two = ComputeHeadStats(head, 2);
  EXPECT_EQ(two.series_count_by_metric_name, (Stats{{"up", 3}, {"http_requests_total", 2}})) << "top N only";
  EXPECT_EQ(two.num_label_pairs, 10u);
}

}  // namespace
}  // namespace cistern::tsdb
