// Physical record framing (LevelDB's log format): a record is split into
// fragments that never cross a 32 KiB block boundary, each with a CRC32C, so
// a reader can resynchronise at the next block after corruption.
//
// FrameRecord() is pure: the segment writer appends its output with a single
// write, which it can truncate away again if the disk refuses it.
// RecordReader reads records from any byte source up to a caller-given limit
// (the writer's published end), so it can tail a segment being written.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace cistern::wal {

// Appends to `out` the bytes that store `payload` as one record when the
// segment currently ends at `offset` (including zero padding of a block
// trailer too small for a header). Returns the new end offset.
uint64_t FrameRecord(std::string_view payload, uint64_t offset, std::string* out);

class RecordReader {
 public:
  // Reads `n` bytes at `offset` into `buf`; returns the count read (short at end of data).
  using ReadAt = std::function<StatusOr<size_t>(uint64_t offset, char* buf, size_t n)>;
  // Called for each corruption skipped: where, how many bytes were dropped, why.
  using Reporter = std::function<void(uint64_t offset, uint64_t bytes, std::string_view reason)>;

  RecordReader(ReadAt read, uint64_t start, Reporter reporter);

  // The next complete record lying entirely below `limit`: true with the
  // payload and the offset of its first fragment. False when no complete
  // record lies below `limit` (call again once the limit grows). Errors only
  // for I/O failures; corruption is reported and skipped.
  StatusOr<bool> Next(uint64_t limit, std::string* record, uint64_t* record_offset);

  // Offset after the last record returned (or of the last skip).
  uint64_t position() const { return pos_; }

 private:
  // Reads the block containing `offset` (from `offset` on, up to `limit`).
  Status Fill(uint64_t offset, uint64_t limit);

  ReadAt read_;
  Reporter reporter_;
  uint64_t pos_;
  std::string buf_;       // bytes [buf_start_, buf_start_ + buf_.size())
  uint64_t buf_start_ = 0;
};

}  // namespace cistern::wal
