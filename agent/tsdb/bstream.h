// Bit-level writer and reader for the chunk encodings: bits are packed most
// significant first into bytes, as in Prometheus' bstream. The writer appends
// to a caller-owned std::string and keeps only the fill level of the last
// byte, so a chunk can be appended to across calls. Thread-compatible.
//
// (agent/wal/sample_codec.cc has a similar pair private to the WAL; they are
// kept separate so that neither wal nor tsdb depends on the other.)
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cistern::tsdb {

class BitWriter {
 public:
  // `free_bits`: unused low bits of out->back() (0 when the next bit starts a
  // new byte).
  BitWriter(std::string* out, int free_bits) : out_(out), free_(free_bits) {}

  // Appends the low `n` bits of `v` (0 <= n <= 64), most significant first.
  void WriteBits(uint64_t v, int n) {
    while (n > 0) {
      if (free_ == 0) {
        out_->push_back(0);
        free_ = 8;
      }
      int take = n < free_ ? n : free_;
      uint8_t part = static_cast<uint8_t>((v >> (n - take)) & ((1u << take) - 1));
      out_->back() = static_cast<char>(static_cast<uint8_t>(out_->back()) | (part << (free_ - take)));
      free_ -= take;
      n -= take;
    }
  }
  void WriteBit(bool b) { WriteBits(b ? 1 : 0, 1); }
  void WriteByte(uint8_t b) { WriteBits(b, 8); }
  void WriteUvarint(uint64_t v) {
    while (v >= 0x80) {
      WriteByte(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    WriteByte(static_cast<uint8_t>(v));
  }
  // Go's binary.PutVarint: zig-zag, then uvarint.
  void WriteVarint(int64_t v) {
    WriteUvarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }

  int free_bits() const { return free_; }

 private:
  std::string* out_;
  int free_;
};

class BitReader {
 public:
  explicit BitReader(std::string_view in)
      : p_(reinterpret_cast<const uint8_t*>(in.data())), end_(p_ + in.size()) {}

  // Reads `n` bits (0 <= n <= 64). On running out of input sets !ok() and
  // returns 0. Bits come from a 64-bit buffer refilled 8 bytes at a time, so
  // most reads are a shift and a mask.
  uint64_t ReadBits(int n) {
    if (n <= avail_) {
      if (n == 0) return 0;
      avail_ -= n;
      return (buf_ >> avail_) & Mask(n);
    }
    // Take what is left, refill, take the rest.
    const uint64_t high = avail_ == 0 ? 0 : buf_ & Mask(avail_);
    const int need = n - avail_;
    Refill();
    if (avail_ < need) {
      ok_ = false;
      avail_ = 0;
      return 0;
    }
    avail_ -= need;
    const uint64_t low = (need == 64 ? buf_ : buf_ >> avail_) & Mask(need);
    return need == 64 ? low : (high << need) | low;
  }
  bool ReadBit() {
    if (avail_ > 0) {
      --avail_;
      return (buf_ >> avail_) & 1;
    }
    return ReadBits(1) != 0;
  }
  uint64_t ReadUvarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      uint64_t b = ReadBits(8);
      if (!ok_) return 0;
      v |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok_ = false;  // more than 10 bytes
    return 0;
  }
  int64_t ReadVarint() {
    uint64_t u = ReadUvarint();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }

  bool ok() const { return ok_; }

 private:
  static uint64_t Mask(int n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

  // Replaces the (consumed) buffer with the next up to 8 bytes, big-endian.
  void Refill() {
    if (end_ - p_ >= 8) {
      uint64_t w;
      std::memcpy(&w, p_, 8);
      buf_ = __builtin_bswap64(w);
      p_ += 8;
      avail_ = 64;
      return;
    }
    buf_ = 0;
    avail_ = 0;
    while (p_ != end_) {
      buf_ = (buf_ << 8) | *p_++;
      avail_ += 8;
    }
  }

  const uint8_t* p_;
  const uint8_t* end_;
  uint64_t buf_ = 0;
  int avail_ = 0;  // unread low bits of buf_
  bool ok_ = true;
};

}  // namespace cistern::tsdb
