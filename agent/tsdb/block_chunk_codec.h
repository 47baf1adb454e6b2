// The chunk encodings of a block (BLOCK_FORMAT.md, "Chunks"): one chunk is the
// samples of one series over a stretch of time, stored inside a zstd frame.
//
//  - kXor: the head's Prometheus XOR chunk bytes (xor_chunk.h), unchanged.
//  - kColumns: timestamps as zig-zag varint delta-of-deltas, then a value
//    column that is constant, decimal (v = m / 10^e with m delta- or
//    delta-of-delta coded, non-fitting values kept as raw bits) or Gorilla
//    XOR bits, whichever is smallest. Byte-aligned, so zstd finds the
//    repetition across the series of one frame.
//
// Values round-trip bit-exactly in both (NaN payloads, -0, infinities).
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/sample.h"
#include "agent/tsdb/block_format.h"

namespace cistern::tsdb {

// Appends one chunk (encoding byte first) holding `samples` to *out.
// Requires 1 <= samples.size() <= kMaxChunkSamplesOnDisk and strictly
// increasing timestamps.
void EncodeBlockChunk(BlockChunkEncoding enc, std::span<const model::Sample> samples, std::string* out);

// Decodes one chunk's bytes (encoding byte first) into *out (replacing its
// contents). DataLoss ("<what>") when the bytes are malformed, the count is
// not `expected_samples` or the timestamps do not strictly increase.
Status DecodeBlockChunk(std::string_view bytes, int expected_samples, std::vector<model::Sample>* out);

}  // namespace cistern::tsdb
