// Zero-copy remote-write 1.0 request decoder: the receiver's hot path
// (POST /api/v1/write). DecodeWriteRequestView snappy-decodes the body into
// WriteRequestView::buffer and walks the protobuf bytes once, filling flat
// vectors of label views (pointing into that buffer), samples and series
// ranges. A view reused across requests allocates nothing in steady state: no
// string per label, no vector per series.
//
// Accepts and rejects exactly what the generated protobuf 3.21 parser
// (ParseWriteRequest in codec.h) does, with the same content; a differential
// fuzz target (tests/fuzz/remote_write_view_fuzz.cc) checks it. In particular:
//   - unknown fields of every wire type are skipped, groups included (nested,
//     end tag matching, within protobuf's nesting limit of 100); wire types 6
//     and 7, field number 0, a stray end-group tag and tag 0 are errors;
//   - a known field with an unexpected wire type is an unknown field (skipped),
//     as proto3 C++ does, not an error;
//   - scalars: last one wins; absent ones are 0; varints up to 10 bytes
//     (higher bits dropped), tags up to 5 bytes (modulo 2^32), lengths up to
//     5 bytes;
//   - labels and metadata strings are `bytes` in proto/types.proto, so invalid
//     UTF-8 is accepted here (the generated parser accepts it too); the
//     receiver validates labels afterwards (model::Labels::Validate rules);
//   - exemplars and native histograms are validated field by field (packed and
//     unpacked repeated scalars, nested BucketSpans) and counted, not stored.
//
// Errors: the snappy ones of DecodeWriteRequest (InvalidArgument "snappy:
// corrupt input", ResourceExhausted "snappy: decoded length N exceeds limit
// M", checked before allocating) and InvalidArgument "protobuf: offset N:
// <what> in <Message>", N the byte offset into the decoded protobuf bytes.
//
// Thread-compatible: one WriteRequestView per thread (or per connection);
// the functions themselves share no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/sample.h"
#include "agent/remote/codec.h"

namespace cistern::remote {

struct LabelView {
  std::string_view name, value;
};

// One TimeSeries: half-open ranges into WriteRequestView::labels / samples,
// labels in wire order (not re-sorted, like codec.h's TimeSeries).
struct SeriesView {
  uint32_t labels_begin = 0, labels_end = 0;
  uint32_t samples_begin = 0, samples_end = 0;
  uint32_t exemplars = 0, histograms = 0;  // seen in this series, not stored
};

struct MetadataView {
  MetricType type = MetricType::kUnknown;  // open enum: any int32 as sent
  std::string_view metric_family_name, help, unit;
};

struct WriteRequestView {
  // The protobuf bytes; every string_view below points into it, so they are
  // valid until the next decode into (or Clear of) this view.
  std::string buffer;
  std::vector<LabelView> labels;
  std::vector<model::Sample> samples;
  std::vector<SeriesView> series;
  std::vector<MetadataView> metadata;
  size_t exemplar_count = 0;   // over all series
  size_t histogram_count = 0;  // over all series

  // Empties everything, keeping the capacity for the next request.
  void Clear();
};

// Snappy-decodes `snappy_body` into out->buffer and parses it. `out` is reset
// first (capacity kept); on error its content is unspecified.
Status DecodeWriteRequestView(std::string_view snappy_body, const DecodeLimits& limits,
                              WriteRequestView* out);

// Unframed protobuf bytes (no snappy). Copies them into out->buffer (so the
// view never depends on the caller's memory; the copy costs far less than the
// parse), then parses as above. `protobuf_bytes` may alias out->buffer.
Status ParseWriteRequestView(std::string_view protobuf_bytes, WriteRequestView* out);

}  // namespace cistern::remote
