// The "data" object of GET /api/v1/status/tsdb, as Prometheus 2.42's
// tsdbStatus renders it:
//   {"headStats":{"numSeries":N,"numLabelPairs":N,"chunkCount":N,
//                 "minTime":ms,"maxTime":ms},
//    "seriesCountByMetricName":[{"name":"up","value":N},...],
//    "labelValueCountByLabelName":[...],
//    "memoryInBytesByLabelName":[...],
//    "seriesCountByLabelValuePair":[{"name":"job=node","value":N},...]}
// (each list the top 10, largest first; [] when empty). What the numbers
// mean: agent/tsdb/head_stats.h. A pure function, thread-safe.
#pragma once

#include <string>

#include "agent/tsdb/head_stats.h"

namespace cistern::api {

std::string TsdbStatusJson(const tsdb::HeadStats& stats);

}  // namespace cistern::api
