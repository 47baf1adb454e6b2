// CRC-32C (Castagnoli), as used by the WAL's record framing. SSE4.2
// instructions when the CPU has them (checked once at runtime), a table
// otherwise. Thread-safe, pure.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cistern::wal {

// Extends `crc` (0 to start) with `n` bytes of `data`.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);
inline uint32_t Crc32c(const void* data, size_t n) { return Crc32cExtend(0, data, n); }

// Masked CRCs are stored on disk (LevelDB's trick): the CRC of data that
// itself contains CRCs is then not trivially related to them.
inline uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t UnmaskCrc(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace cistern::wal
