// Remote-write 1.0 wire codec: WriteRequest <-> protobuf bytes, snappy block
// compressed. Our own plain types; the generated protobuf code stays in
// codec.cc. Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/labels.h"
#include "agent/model/sample.h"

namespace cistern::remote {

struct TimeSeries {
  model::Labels labels;  // as received: not re-sorted (the receiver validates order)
  std::vector<model::Sample> samples;
};

// Values as in Prometheus' MetricMetadata.MetricType.
enum class MetricType {
  kUnknown = 0, kCounter = 1, kGauge = 2, kHistogram = 3, kGaugeHistogram = 4, kSummary = 5, kInfo = 6, kStateSet = 7,
};

struct MetricMetadata {
  MetricType type = MetricType::kUnknown;
  std::string metric_family_name;
  std::string help;
  std::string unit;
};

struct WriteRequest {
  std::vector<TimeSeries> timeseries;
  std::vector<MetricMetadata> metadata;
  size_t histogram_count = 0;  // native histograms seen on decode (not stored yet)
  size_t exemplar_count = 0;   // exemplars seen on decode (not stored yet)
};

inline constexpr char kContentType[] = "application/x-protobuf";
inline constexpr char kContentEncoding[] = "snappy";
inline constexpr char kVersionHeader[] = "X-Prometheus-Remote-Write-Version";
inline constexpr char kVersion[] = "0.1.0";

// Protobuf, then snappy block compression: the body of a remote-write POST.
std::string EncodeWriteRequest(const WriteRequest& req);
void EncodeWriteRequest(const WriteRequest& req, std::string* out);

struct DecodeLimits {
  size_t max_decoded_bytes = 64 << 20;  // uncompressed size, checked before allocating
};

// Errors: InvalidArgument "snappy: corrupt input", "protobuf: cannot parse
// WriteRequest"; ResourceExhausted "snappy: decoded length N exceeds limit M".
StatusOr<WriteRequest> DecodeWriteRequest(std::string_view body, const DecodeLimits& limits = {});

// Unframed protobuf (no snappy).
std::string SerializeWriteRequest(const WriteRequest& req);
StatusOr<WriteRequest> ParseWriteRequest(std::string_view protobuf_bytes);

}  // namespace cistern::remote
