// Constants of the chunk encodings (FORMAT.md). Shared by the chunk writer,
// the chunk reader and, later, the block writer/reader.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cistern::tsdb {

// Chunk encoding ids as stored in block chunk files (Prometheus' values).
enum class ChunkEncoding : uint8_t { kNone = 0, kXor = 1 };

// Every chunk starts with the number of samples, uint16 big-endian.
inline constexpr size_t kChunkHeaderSize = 2;
inline constexpr int kMaxChunkSamples = 0xffff;

// The head cuts a new chunk after this many samples (Prometheus'
// samplesPerChunk) or once a chunk reaches kTargetChunkBytes, whichever comes
// first.
inline constexpr int kSamplesPerChunk = 120;
inline constexpr size_t kTargetChunkBytes = 1024;

// Delta-of-delta timestamp buckets: control prefix -> payload bits.
//   0      dod == 0
//   10     14 bits, dod in [-(2^13-1), 2^13]
//   110    17 bits, dod in [-(2^16-1), 2^16]
//   1110   20 bits, dod in [-(2^19-1), 2^19]
//   1111   64 bits, any dod
inline constexpr int kDodBits[] = {14, 17, 20};

// XOR value windows: leading zeros are stored in 5 bits (capped at 31), the
// number of significant bits in 6 (64 stored as 0).
inline constexpr int kLeadingBits = 5;
inline constexpr int kMaxLeading = 31;
inline constexpr int kSigBits = 6;

}  // namespace cistern::tsdb
