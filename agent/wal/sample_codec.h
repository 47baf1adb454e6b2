// Logical WAL records (the payloads inside physical records, FORMAT.md):
//   SERIES  - new series: ref + labels
//   SAMPLES - a batch: refs, timestamps, values XOR'd against each series'
//             previous value in the same segment epoch
// Payloads after the type byte are zstd-compressed. Pure functions over
// caller-owned state; thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/labels.h"
#include "agent/storage/appender.h"

namespace cistern::wal {

enum RecordType : uint8_t { kSeriesRecord = 1, kSamplesRecord = 2 };

struct SampleRef {
  storage::SeriesRef ref = 0;
  int64_t timestamp_ms = 0;
  double value = 0;
};

struct SeriesEntry {
  storage::SeriesRef ref = 0;
  model::Labels labels;
};

// Per series: previous value bits and the last XOR window (Gorilla), for
// encoding. The writer and each reader keep one; both reset it at segment
// starts (and the writer every epoch).
struct XorEntry {
  uint64_t bits = 0;
  uint8_t lead = 0xff;  // 0xff: no window yet
  uint8_t trail = 0;
};
using XorState = std::unordered_map<storage::SeriesRef, XorEntry>;

// Encodes SERIES / SAMPLES records. `seq` numbers records within a segment so
// readers can detect a lost record. EncodeSamples updates `state`.
void EncodeSeries(uint32_t seq, std::span<const SeriesEntry> series, std::string* out);
void EncodeSamples(uint32_t seq, std::span<const SampleRef> samples, XorState* state, std::string* out);

struct DecodedRecord {
  RecordType type = kSamplesRecord;
  uint32_t seq = 0;
  std::vector<SeriesEntry> series;
  std::vector<SampleRef> samples;
  // Samples that were XOR'd against a value `state` does not have (lost
  // record before them): left out of `samples`, counted here.
  size_t undecodable = 0;
};

// Decodes a record payload. DataLoss for malformed payloads. Decoding SAMPLES
// updates `state`.
Status DecodeRecord(std::string_view payload, XorState* state, DecodedRecord* out);

// Only the type and sequence number (cheap).
StatusOr<std::pair<RecordType, uint32_t>> PeekRecord(std::string_view payload);

}  // namespace cistern::wal
