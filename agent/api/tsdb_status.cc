#include "agent/api/tsdb_status.h"

#include "agent/base/json.h"

namespace cistern::api {
namespace {

void AppendStats(std::string* out, const char* key, const std::vector<tsdb::CardinalityStat>& stats) {
  out->append(",\"").append(key).append("\":[");
  for (size_t i = 0; i < stats.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"name\":");
    AppendJsonString(out, stats[i].name);
    out->append(",\"value\":").append(std::to_string(stats[i].value)).push_back('}');
  }
  out->push_back(']');
}

}  // namespace

std::string TsdbStatusJson(const tsdb::HeadStats& stats) {
  std::string out = "{\"headStats\":{\"numSeries\":" + std::to_string(stats.num_series) +
                    ",\"numLabelPairs\":" + std::to_string(stats.num_label_pairs) +
                    ",\"chunkCount\":" + std::to_string(stats.chunk_count) +
                    ",\"minTime\":" + std::to_string(stats.min_time) +
                    ",\"maxTime\":" + std::to_string(stats.max_time) + "}";
  AppendStats(&out, "seriesCountByMetricName", stats.series_count_by_metric_name);
  AppendStats(&out, "labelValueCountByLabelName", stats.label_value_count_by_label_name);
  AppendStats(&out, "memoryInBytesByLabelName", stats.memory_in_bytes_by_label_name);
  AppendStats(&out, "seriesCountByLabelValuePair", stats.series_count_by_label_value_pair);
  out.push_back('}');
  return out;
}

}  // namespace cistern::api
