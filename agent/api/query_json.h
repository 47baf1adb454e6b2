// The JSON of the Prometheus HTTP API, byte for byte as Prometheus 2.42
// writes it (jsoniter in encoding/json-compatible mode), so that clients that
// compare or cache answers see no difference:
//   {"status":"success","data":<data>[,"warnings":["..."]]}
//   {"status":"error","errorType":"bad_data","error":"..."}
//   instant query  {"resultType":"vector","result":[{"metric":{..},"value":[1700000000.123,"1.5"]}]}
//   range query    {"resultType":"matrix","result":[{"metric":{..},"values":[[t,"v"],..]}]}
//   scalar/string  {"resultType":"scalar","result":[t,"v"]}
// Prometheus has two encoders, and so do we: points of vectors and matrices
// (its marshalPointJSON) print the timestamp with three decimals when it has
// any (1700000000, 1700000000.500) and the value in 'f' form but 'e' below
// 1e-6 and from 1e21 ("0.5", "1e-07", "1e+21"); scalars and strings
// (encoding/json of float64) print the timestamp shortest (1700000000.5) and
// a scalar's value always in 'f' form ("0.0000001"). "+Inf", "-Inf", "NaN",
// "-0" in both.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/json.h"  // AppendJsonString: Go's encoding/json form
#include "agent/model/labels.h"
#include "agent/promql/value.h"

namespace cistern::api {


// Scalars and strings: 1700000000123 -> 1700000000.123, -1500 -> -1.5,
// 1700000000500 -> 1700000000.5, 1700000000000 -> 1700000000.
void AppendApiTimestamp(std::string* out, int64_t ms);
// Points: 1700000000500 -> 1700000000.500, 1700000000050 -> 1700000000.050.
void AppendPointTimestamp(std::string* out, int64_t ms);
// A point's quoted value: "1.5", "1e-07", "+Inf", "-Inf", "NaN".
void AppendPointValue(std::string* out, double v);
// {"__name__":"up","job":"x"}
void AppendLabelsJson(std::string* out, const model::Labels& labels);
// ["a","b"]
void AppendStringArray(std::string* out, const std::vector<std::string>& values);

// The "data" object of /api/v1/query and /api/v1/query_range.
std::string QueryDataJson(const promql::Value& value);

std::string SuccessJson(std::string_view data_json, const std::vector<std::string>& warnings = {});
std::string ErrorJson(std::string_view error_type, std::string_view message);

}  // namespace cistern::api
