// Constants of the WAL's physical record framing, shared by writer and
// reader. See FORMAT.md beside this file.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cistern::wal {

inline constexpr size_t kBlockSize = 32 * 1024;
// checksum (4, masked crc32c of type byte + data) | length (2, LE) | type (1)
inline constexpr size_t kHeaderSize = 4 + 2 + 1;

enum FragmentType : uint8_t {
  kZeroType = 0,  // zero-filled space: never written as a record
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
};
inline constexpr uint8_t kMaxFragmentType = kLastType;

}  // namespace cistern::wal
