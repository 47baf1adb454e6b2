// RequestEncoder: writes a remote-write 1.0 WriteRequest's protobuf bytes
// straight from label sets and samples, without building messages or copying
// labels, then snappy-compresses them: the sending hot path. The bytes are
// exactly what the generated protobuf code serializes for the same request
// (field order, proto3 defaults omitted), which a test checks.
// One per thread; reusable after Finish.
#pragma once

#include <span>
#include <string>

#include "agent/model/labels.h"
#include "agent/model/sample.h"

namespace cistern::remote {

class RequestEncoder {
 public:
  // Appends one TimeSeries (labels as given, in their order).
  void Add(const model::Labels& labels, std::span<const model::Sample> samples);
  // The snappy-compressed request body in `*out`; the encoder is empty again.
  void Finish(std::string* out);
  bool empty() const { return raw_.empty(); }

 private:
  std::string raw_;  // WriteRequest protobuf so far
};

}  // namespace cistern::remote
