// Arbitrary bytes as a block's tombstones file and as head_tombstones: the
// decoders must reject (DataLoss) or accept, never crash or read out of
// bounds, and whatever they accept must be sorted interval sets that encode
// into bytes decoding to the same content (varints may be overlong in the
// input, so the bytes themselves may differ).
// The first byte picks the decoder (bit 0 clear: tombstones, set:
// head_tombstones) and, with bit 1 set, recomputes the trailing checksum
// first so that the structure behind it gets exercised.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/tsdb/tombstones.h"
#include "agent/wal/crc32c.h"

namespace {

using namespace cistern::tsdb;  // NOLINT

void CheckIntervals(const Intervals& set) {
  for (size_t i = 0; i < set.size(); ++i) {
    if (set[i].mint > set[i].maxt) std::abort();
    if (i > 0 && set[i].mint <= set[i - 1].maxt + 1) std::abort();
    if (!IsDeleted(set, set[i].mint) || !IsDeleted(set, set[i].maxt) ||
        !Covers(set, set[i].mint, set[i].maxt))
      std::abort();
    Intervals again = set;
    AddInterval(&again, set[i]);
    if (again != set) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 2) != 0 && bytes.size() >= 4) {
    uint32_t crc = cistern::wal::MaskCrc(cistern::wal::Crc32c(bytes.data(), bytes.size() - 4));
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  }
  std::string_view in(bytes);
  if ((data[0] & 1) == 0) {
    auto map = DecodeBlockTombstones(in);
    if (!map.ok()) {
      if (map.status().code() != cistern::StatusCode::kDataLoss) std::abort();
      return 0;
    }
    for (const auto& [ref, set] : *map) CheckIntervals(set);
    auto again = DecodeBlockTombstones(EncodeBlockTombstones(*map));
    if (!again.ok() || *again != *map) std::abort();
  } else {
    auto stones = DecodeHeadTombstones(in);
    if (!stones.ok()) {
      if (stones.status().code() != cistern::StatusCode::kDataLoss) std::abort();
      return 0;
    }
    for (const HeadTombstone& t : *stones) CheckIntervals(t.intervals);
    auto again = DecodeHeadTombstones(EncodeHeadTombstones(*stones));
    if (!again.ok() || *again != *stones) std::abort();
  }
  return 0;
}
