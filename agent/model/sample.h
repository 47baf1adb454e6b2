// Samples and the staleness marker.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace cistern::model {

// Prometheus' staleness marker: a NaN with this exact bit pattern. Other NaNs
// are ordinary values.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

struct Sample {
  int64_t timestamp_ms = 0;
  double value = 0;
};

}  // namespace cistern::model
