// Byte-level encoding helpers of the block files: an appending encoder and a
// bounds-checked decoder over untrusted bytes (an mmap'd index, a decompressed
// frame). The decoder never reads outside its view: any overrun, overlong
// varint or oversized length sets a sticky error and returns zeros, so
// callers check ok() once after a group of reads. Value types,
// thread-compatible.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cistern::tsdb {

inline void PutU32le(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out->append(b, 4);
}
inline void PutU64le(std::string* out, uint64_t v) {
  PutU32le(out, static_cast<uint32_t>(v));
  PutU32le(out, static_cast<uint32_t>(v >> 32));
}
inline void PutU32be(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}
inline void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t u) { return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1); }
inline void PutVarint(std::string* out, int64_t v) { PutUvarint(out, ZigZag(v)); }
inline int UvarintSize(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline uint32_t GetU32le(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}
inline uint64_t GetU64le(const char* p) { return GetU32le(p) | uint64_t{GetU32le(p + 4)} << 32; }
inline uint32_t GetU32be(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 | uint32_t{u[2]} << 8 | uint32_t{u[3]};
}

class Decoder {
 public:
  explicit Decoder(std::string_view in) : p_(in.data()), end_(in.data() + in.size()), begin_(in.data()) {}

  bool ok() const { return ok_; }
  bool empty() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }
  void Fail() {
    ok_ = false;
    p_ = end_;
  }

  uint64_t Uvarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) break;
      uint8_t b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) break;  // overflows 64 bits
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
    Fail();
    return 0;
  }
  int64_t Varint() { return UnZigZag(Uvarint()); }
  uint8_t U8() {
    if (p_ == end_) {
      Fail();
      return 0;
    }
    return static_cast<uint8_t>(*p_++);
  }
  uint32_t U32le() {
    if (remaining() < 4) {
      Fail();
      return 0;
    }
    uint32_t v = GetU32le(p_);
    p_ += 4;
    return v;
  }
  uint64_t U64le() {
    if (remaining() < 8) {
      Fail();
      return 0;
    }
    uint64_t v = GetU64le(p_);
    p_ += 8;
    return v;
  }
  std::string_view Bytes(uint64_t n) {
    if (n > remaining()) {
      Fail();
      return {};
    }
    std::string_view v(p_, static_cast<size_t>(n));
    p_ += n;
    return v;
  }
  // A uvarint length followed by that many bytes.
  std::string_view LengthPrefixed() { return Bytes(Uvarint()); }

 private:
  const char* p_;
  const char* end_;
  const char* begin_;
  bool ok_ = true;
};

}  // namespace cistern::tsdb
