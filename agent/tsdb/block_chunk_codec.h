// The chunk encodings of a block (BLOCK_FORMAT.md, "Chunks"): one chunk is the
// samples of one series over a stretch of time, stored inside a zstd frame.
//
//  - kXor: the head's Prometheus XOR chunk bytes (xor_chunk.h), unchanged.
//  - kColumns: timestamps as zig-zag varint delta-of-deltas, then a value
//    column that is constant, decimal (v = m / 10^e with m delta- or
//    delta-of-delta coded, non-fitting values kept as raw bits) or Gorilla
//    XOR bits, whichever is smallest. Byte-aligned, so zstd finds the
//    repetition across the series of one frame.
//  - kColumnsSharedTs: the same value column; the timestamps are a reference
//    to a timestamp column in a timestamp frame, written once for all the
//    chunks of the block with identical timestamps (a target's series).
//
// Values round-trip bit-exactly in both (NaN payloads, -0, infinities).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
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

// Appends the ts_column of `samples` (count, then the timestamps as in
// kColumns) to *out: what a timestamp frame holds.
void EncodeTimestampColumn(std::span<const model::Sample> samples, std::string* out);

// Appends a kColumnsSharedTs chunk holding the values of `samples`; its
// timestamps are the ts_column at `ts_offset` of timestamp frame `ts_frame`,
// which must be EncodeTimestampColumn(samples).
void EncodeSharedTsChunk(std::span<const model::Sample> samples, uint32_t ts_frame, uint32_t ts_offset,
                         std::string* out);

// The raw bytes of timestamp frame `ts_frame`, valid until the decode that
// asked returns (the caller keeps the frame alive).
using TimestampFrames = std::function<StatusOr<std::string_view>(uint32_t ts_frame)>;

// Decodes one chunk's bytes (encoding byte first) into *out (replacing its
// contents). DataLoss ("chunk: <what>") when the bytes are malformed, the
// count is not `expected_samples` or the timestamps do not strictly increase;
// errors of `ts_frames` are returned as they are. Without `ts_frames` a
// kColumnsSharedTs chunk is DataLoss.
Status DecodeBlockChunk(std::string_view bytes, int expected_samples, const TimestampFrames& ts_frames,
                        std::vector<model::Sample>* out);
Status DecodeBlockChunk(std::string_view bytes, int expected_samples, std::vector<model::Sample>* out);

}  // namespace cistern::tsdb
