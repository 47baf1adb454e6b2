#include "agent/tsdb/xor_chunk.h"

#include <bit>

#include "agent/tsdb/chunk_format.h"

namespace cistern::tsdb {
namespace {

// Prometheus' bitRange: whether x fits the nbits bucket.
bool FitsBits(int64_t x, int nbits) {
  int64_t half = int64_t{1} << (nbits - 1);
  return -(half - 1) <= x && x <= half;
}

}  // namespace

XorChunk::XorChunk() : bytes_(kChunkHeaderSize, '\0') {}

void XorChunk::Append(int64_t t, double v) {
  uint64_t vbits = std::bit_cast<uint64_t>(v);
  BitWriter w(&bytes_, free_bits_);
  if (num_ == 0) {
    w.WriteVarint(t);
    w.WriteBits(vbits, 64);
    min_t_ = t;
  } else {
    uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    if (num_ == 1) {
      w.WriteUvarint(delta);
    } else {
      int64_t dod = static_cast<int64_t>(delta - t_delta_);
      if (dod == 0) {
        w.WriteBit(false);
      } else if (FitsBits(dod, kDodBits[0])) {
        w.WriteBits(0b10, 2);
        w.WriteBits(static_cast<uint64_t>(dod), kDodBits[0]);
      } else if (FitsBits(dod, kDodBits[1])) {
        w.WriteBits(0b110, 3);
        w.WriteBits(static_cast<uint64_t>(dod), kDodBits[1]);
      } else if (FitsBits(dod, kDodBits[2])) {
        w.WriteBits(0b1110, 4);
        w.WriteBits(static_cast<uint64_t>(dod), kDodBits[2]);
      } else {
        w.WriteBits(0b1111, 4);
        w.WriteBits(static_cast<uint64_t>(dod), 64);
      }
    }
    t_delta_ = delta;
    uint64_t x = vbits ^ v_bits_;
    if (x == 0) {
      w.WriteBit(false);
    } else {
      w.WriteBit(true);
      int leading = std::countl_zero(x);
      int trailing = std::countr_zero(x);
      if (leading > kMaxLeading) leading = kMaxLeading;
      if (leading_ != 0xff && leading >= leading_ && trailing >= trailing_) {
        w.WriteBit(false);
        w.WriteBits(x >> trailing_, 64 - leading_ - trailing_);
      } else {
        leading_ = static_cast<uint8_t>(leading);
        trailing_ = static_cast<uint8_t>(trailing);
        int sig = 64 - leading - trailing;
        w.WriteBit(true);
        w.WriteBits(static_cast<uint64_t>(leading), kLeadingBits);
        w.WriteBits(static_cast<uint64_t>(sig), kSigBits);  // 64 wraps to 0
        w.WriteBits(x >> trailing, sig);
      }
    }
  }
  free_bits_ = w.free_bits();
  t_ = t;
  v_bits_ = vbits;
  ++num_;
  bytes_[0] = static_cast<char>(num_ >> 8);
  bytes_[1] = static_cast<char>(num_ & 0xff);
}

XorIterator::XorIterator(std::string_view bytes, std::shared_ptr<const void> keepalive)
    : keepalive_(std::move(keepalive)),
      in_(bytes.size() >= kChunkHeaderSize ? bytes.substr(kChunkHeaderSize) : std::string_view()) {
  if (bytes.size() < kChunkHeaderSize) {
    Fail("chunk shorter than its header");
    return;
  }
  total_ = (static_cast<uint8_t>(bytes[0]) << 8) | static_cast<uint8_t>(bytes[1]);
}

bool XorIterator::Fail(const char* what) {
  if (err_.ok()) err_ = DataLossError(std::string("tsdb: xor chunk: ") + what);
  done_ = true;
  return false;
}

bool XorIterator::ReadValue() {
  if (in_.ReadBit()) {
    if (in_.ReadBit()) {  // a new window
      leading_ = static_cast<uint8_t>(in_.ReadBits(kLeadingBits));
      int sig = static_cast<int>(in_.ReadBits(kSigBits));
      if (sig == 0) sig = 64;
      if (leading_ + sig > 64) return Fail("bad value window");
      trailing_ = static_cast<uint8_t>(64 - leading_ - sig);
    }
    int sig = 64 - leading_ - trailing_;
    v_bits_ ^= in_.ReadBits(sig) << trailing_;
  }
  if (!in_.ok()) return Fail("truncated");
  v_ = std::bit_cast<double>(v_bits_);
  return true;
}

bool XorIterator::Next() {
  if (done_) return false;
  if (read_ >= total_) {
    done_ = true;
    return false;
  }
  if (read_ == 0) {
    t_ = in_.ReadVarint();
    v_bits_ = in_.ReadBits(64);
    if (!in_.ok()) return Fail("truncated");
    v_ = std::bit_cast<double>(v_bits_);
  } else {
    if (read_ == 1) {
      t_delta_ = in_.ReadUvarint();
    } else {
      int bucket = 0;  // number of leading 1 bits of the control prefix
      while (bucket < 4 && in_.ReadBit()) ++bucket;
      uint64_t dod = 0;
      if (bucket > 0) {
        int sz = bucket == 4 ? 64 : kDodBits[bucket - 1];
        dod = in_.ReadBits(sz);
        if (sz != 64 && dod > (uint64_t{1} << (sz - 1))) dod -= uint64_t{1} << sz;  // sign-extend (wrapping)
      }
      t_delta_ += dod;
    }
    if (!in_.ok()) return Fail("truncated");
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
    if (!ReadValue()) return false;
  }
  ++read_;
  return true;
}

bool XorIterator::Seek(int64_t t) {
  if (done_) return false;
  while (read_ == 0 || t_ < t) {
    if (!Next()) return false;
  }
  return true;
}

}  // namespace cistern::tsdb
