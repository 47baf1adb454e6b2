// XorChunk: Gorilla-compressed samples of one series (delta-of-delta
// timestamps, XOR'd float values), byte-compatible with Prometheus' XOR chunk
// (FORMAT.md). Values round-trip bit-exactly, so the staleness marker and
// every other NaN payload survive.
//
// XorChunk owns its bytes and appends in place; it does not check the order
// of timestamps (the head does). XorIterator reads any chunk's bytes (a live
// XorChunk's, or later an mmap'd block's) without owning them unless given a
// keep-alive. Both thread-compatible: a chunk being appended to must not be
// read concurrently (the head copies its open chunk for readers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "agent/storage/querier.h"
#include "agent/tsdb/bstream.h"

namespace cistern::tsdb {

class XorChunk {
 public:
  XorChunk();

  void Append(int64_t t, double v);
  // Gives back the spare capacity of the byte buffer (for a chunk that is done).
  void ShrinkToFit() { bytes_.shrink_to_fit(); }

  int num_samples() const { return num_; }
  // The encoded chunk (header included); valid until the next Append().
  std::string_view bytes() const { return bytes_; }
  // First and last appended timestamps (meaningless when empty).
  int64_t min_time() const { return min_t_; }
  int64_t max_time() const { return t_; }

 private:
  std::string bytes_;
  int free_bits_ = 0;  // unused bits of bytes_.back()
  int num_ = 0;
  int64_t min_t_ = 0;
  int64_t t_ = 0;           // last timestamp
  uint64_t t_delta_ = 0;    // last timestamp delta (wrapping)
  uint64_t v_bits_ = 0;     // last value
  uint8_t leading_ = 0xff;  // 0xff: no XOR window yet
  uint8_t trailing_ = 0;
};

class XorIterator final : public storage::SampleIterator {
 public:
  // Iterates `bytes` (a whole chunk, header first). `keepalive`, if set, owns
  // the memory `bytes` points into. A malformed chunk ends iteration with a
  // DataLoss Err().
  explicit XorIterator(std::string_view bytes, std::shared_ptr<const void> keepalive = nullptr);

  bool Next() override;
  bool Seek(int64_t t) override;
  model::Sample At() const override { return {t_, v_}; }
  Status Err() const override { return err_; }

 private:
  bool Fail(const char* what);
  bool ReadValue();

  std::shared_ptr<const void> keepalive_;
  BitReader in_;
  int total_ = 0;
  int read_ = 0;
  bool done_ = false;
  Status err_;
  int64_t t_ = 0;
  uint64_t t_delta_ = 0;
  uint64_t v_bits_ = 0;
  double v_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
};

}  // namespace cistern::tsdb
