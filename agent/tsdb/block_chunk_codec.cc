#include "agent/tsdb/block_chunk_codec.h"

#include <bit>
#include <cmath>
#include <numeric>

#include "agent/tsdb/block_bytes.h"
#include "agent/tsdb/bstream.h"
#include "agent/tsdb/chunk_format.h"
#include "agent/tsdb/xor_chunk.h"

namespace cistern::tsdb {
namespace {

constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
static_assert(kMaxDecimalExp < static_cast<int>(std::size(kPow10)));

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// Whether v == m / 10^e exactly (bits) for an integer |m| <= 2^53.
bool DecimalFits(double v, int e, int64_t* m) {
  double scaled = v * kPow10[e];
  if (!(std::fabs(scaled) <= static_cast<double>(kMaxMantissa))) return false;  // also NaN, Inf
  auto mi = static_cast<int64_t>(std::nearbyint(scaled));
  if (Bits(static_cast<double>(mi) / kPow10[e]) != Bits(v)) return false;
  *m = mi;
  return true;
}

// ---- Gorilla XOR value bits (the value half of FORMAT.md's grammar).

void EncodeXorValues(std::span<const model::Sample> s, std::string* out) {
  std::string bits;
  BitWriter w(&bits, 0);
  uint64_t prev = Bits(s[0].value);
  w.WriteBits(prev, 64);
  int leading = -1, trailing = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    uint64_t cur = Bits(s[i].value);
    uint64_t x = cur ^ prev;
    prev = cur;
    if (x == 0) {
      w.WriteBit(false);
      continue;
    }
    w.WriteBit(true);
    int lead = std::min(std::countl_zero(x), kMaxLeading);
    int trail = std::countr_zero(x);
    if (leading >= 0 && lead >= leading && trail >= trailing) {
      w.WriteBit(false);
      w.WriteBits(x >> trailing, 64 - leading - trailing);
    } else {
      leading = lead;
      trailing = trail;
      int sig = 64 - lead - trail;
      w.WriteBit(true);
      w.WriteBits(static_cast<uint64_t>(lead), kLeadingBits);
      w.WriteBits(static_cast<uint64_t>(sig), kSigBits);
      w.WriteBits(x >> trail, sig);
    }
  }
  out->append(bits);
}

bool DecodeXorValues(std::string_view in, std::vector<model::Sample>* out) {
  BitReader r(in);
  uint64_t v = r.ReadBits(64);
  int leading = 0, trailing = 0;
  bool window = false;
  for (size_t i = 0; i < out->size(); ++i) {
    if (i > 0 && r.ReadBit()) {
      if (r.ReadBit()) {
        leading = static_cast<int>(r.ReadBits(kLeadingBits));
        int sig = static_cast<int>(r.ReadBits(kSigBits));
        if (sig == 0) sig = 64;
        if (leading + sig > 64) return false;
        trailing = 64 - leading - sig;
        window = true;
      } else if (!window) {
        return false;  // a reused window before any was set
      }
      v ^= r.ReadBits(64 - leading - trailing) << trailing;
    }
    if (!r.ok()) return false;
    (*out)[i].value = std::bit_cast<double>(v);
  }
  return true;
}

// ---- Decimal value columns.

struct Decimal {
  int exp = 0;
  std::vector<size_t> exceptions;  // indexes whose values are kept as bits
  std::vector<int64_t> mantissas;  // of the other values, in order
};

// The decimal form of the values, or false when too many do not fit.
bool ToDecimal(std::span<const model::Sample> s, Decimal* d) {
  int exp = 0;
  int64_t m;
  size_t misfits = 0;
  for (const model::Sample& x : s) {
    int e = 0;
    while (e <= kMaxDecimalExp && !DecimalFits(x.value, e, &m)) ++e;
    if (e > kMaxDecimalExp) {
      ++misfits;
    } else {
      exp = std::max(exp, e);
    }
  }
  if (misfits * 8 > s.size()) return false;
  d->exp = exp;
  d->mantissas.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (DecimalFits(s[i].value, exp, &m)) {
      d->mantissas.push_back(m);
    } else {
      d->exceptions.push_back(i);
    }
  }
  return d->exceptions.size() * 8 <= s.size();
}

// The largest integer dividing every mantissa delta (1 when there are none):
// memory and filesystem sizes move in pages, so their deltas shrink by 4096.
uint64_t DeltaScale(const std::vector<int64_t>& m) {
  uint64_t g = 0;
  for (size_t i = 1; i < m.size() && g != 1; ++i) {
    auto delta = static_cast<int64_t>(static_cast<uint64_t>(m[i]) - static_cast<uint64_t>(m[i - 1]));
    g = std::gcd(g, delta < 0 ? 0 - static_cast<uint64_t>(delta) : static_cast<uint64_t>(delta));
  }
  return g == 0 ? 1 : g;
}

void EncodeDecimal(std::span<const model::Sample> s, const Decimal& d, bool dod, std::string* out) {
  uint64_t scale = DeltaScale(d.mantissas);
  ValueKind kind = scale == 1 ? (dod ? ValueKind::kDecimalDod : ValueKind::kDecimalDelta)
                              : (dod ? ValueKind::kScaledDod : ValueKind::kScaledDelta);
  out->push_back(static_cast<char>(kind));
  out->push_back(static_cast<char>(d.exp));
  if (scale != 1) PutUvarint(out, scale);
  PutUvarint(out, d.exceptions.size());
  size_t next = 0;
  for (size_t i : d.exceptions) {
    PutUvarint(out, i - next);
    PutU64le(out, Bits(s[i].value));
    next = i + 1;
  }
  // Deltas (and so delta-of-deltas) are multiples of scale; signed division is exact.
  int64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < d.mantissas.size(); ++i) {
    int64_t m = d.mantissas[i];
    int64_t delta = m - prev;  // |m| <= 2^53: no overflow
    if (i == 0) {
      PutVarint(out, m);
    } else if (!dod || i == 1) {
      PutVarint(out, delta / static_cast<int64_t>(scale));
    } else {
      PutVarint(out, (delta - prev_delta) / static_cast<int64_t>(scale));
    }
    prev = m;
    prev_delta = delta;
  }
}

bool DecodeDecimal(Decoder* in, bool dod, bool scaled, std::vector<model::Sample>* out) {
  int exp = in->U8();
  if (exp > kMaxDecimalExp) return false;
  uint64_t scale = scaled ? in->Uvarint() : 1;
  if (scaled && scale < 2) return false;
  uint64_t nexc = in->Uvarint();
  if (!in->ok() || nexc > out->size()) return false;
  std::vector<bool> is_exc(out->size(), false);
  size_t next = 0;
  for (uint64_t k = 0; k < nexc; ++k) {
    uint64_t gap = in->Uvarint();
    if (gap >= out->size() - next) return false;
    size_t i = next + static_cast<size_t>(gap);
    (*out)[i].value = std::bit_cast<double>(in->U64le());
    is_exc[i] = true;
    next = i + 1;
  }
  uint64_t prev = 0, delta = 0;
  size_t k = 0;
  for (size_t i = 0; i < out->size(); ++i) {
    if (is_exc[i]) continue;
    uint64_t x = static_cast<uint64_t>(in->Varint());
    if (k > 0) x *= scale;  // wrapping, as the deltas
    if (k == 0) {
      prev = x;
    } else if (!dod || k == 1) {
      delta = x;
      prev += delta;
    } else {
      delta += x;
      prev += delta;
    }
    ++k;
    (*out)[i].value = static_cast<double>(static_cast<int64_t>(prev)) / kPow10[exp];
  }
  return in->ok();
}

void EncodeTimestamps(std::span<const model::Sample> s, std::string* out) {
  PutUvarint(out, s.size());
  uint64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto t = static_cast<uint64_t>(s[i].timestamp_ms);
    uint64_t delta = t - prev;
    if (i == 0) {
      PutVarint(out, s[i].timestamp_ms);
    } else if (i == 1) {
      PutVarint(out, static_cast<int64_t>(delta));
    } else {
      PutVarint(out, static_cast<int64_t>(delta - prev_delta));
    }
    prev = t;
    prev_delta = delta;
  }
}

// ---- Bit-pattern deltas: for floats that are not short decimals, the
// difference of consecutive values' bits as integers. Noise in the low
// mantissa bits stays in the low bytes of the varints, where XOR's leading
// and trailing zero windows break up at every sample.

void EncodeBitsDelta(std::span<const model::Sample> s, std::string* out) {
  out->push_back(static_cast<char>(ValueKind::kBitsDelta));
  PutU64le(out, Bits(s[0].value));
  for (size_t i = 1; i < s.size(); ++i) PutVarint(out, static_cast<int64_t>(Bits(s[i].value) - Bits(s[i - 1].value)));
}

bool DecodeBitsDelta(Decoder* in, std::vector<model::Sample>* out) {
  uint64_t v = in->U64le();
  for (size_t i = 0; i < out->size(); ++i) {
    if (i > 0) v += static_cast<uint64_t>(in->Varint());
    (*out)[i].value = std::bit_cast<double>(v);
  }
  return in->ok();
}

// What a candidate column is expected to take after zstd: its order-0
// entropy (zstd's literal coding), or its size when too short to tell.
double CompressedEstimate(std::string_view b) {
  if (b.size() < 64) return static_cast<double>(b.size());
  uint32_t counts[256] = {};
  for (char c : b) ++counts[static_cast<uint8_t>(c)];
  double bits = 0, n = static_cast<double>(b.size());
  for (uint32_t c : counts) {
    if (c != 0) bits -= c * std::log2(c / n);
  }
  return bits / 8;
}

void EncodeValues(std::span<const model::Sample> s, std::string* out) {
  bool constant = true;
  for (const model::Sample& x : s) constant = constant && Bits(x.value) == Bits(s[0].value);
  if (constant) {
    out->push_back(static_cast<char>(ValueKind::kConst));
    PutU64le(out, Bits(s[0].value));
    return;
  }
  // Of the two float kinds the one zstd is expected to shrink most (the bit
  // deltas' varints compress, XOR's bits hardly); a decimal kind, when the
  // values are decimals, is then chosen if not larger (ties: the later).
  std::string best, alt;
  best.push_back(static_cast<char>(ValueKind::kXor));
  EncodeXorValues(s, &best);
  EncodeBitsDelta(s, &alt);
  if (CompressedEstimate(alt) <= CompressedEstimate(best)) best.swap(alt);
  Decimal d;
  if (ToDecimal(s, &d)) {
    for (bool dod : {false, true}) {
      alt.clear();
      EncodeDecimal(s, d, dod, &alt);
      if (alt.size() <= best.size()) best.swap(alt);
    }
  }
  out->append(best);
}

Status Corrupt(const char* what) { return DataLossError(std::string("chunk: ") + what); }

// The timestamps of a column chunk or ts_column (after its count) into
// (*out)[i].timestamp_ms; out->size() is the count.
Status DecodeTimestamps(Decoder* in, std::vector<model::Sample>* out) {
  size_t n = out->size();
  if (n > in->remaining()) return Corrupt("truncated timestamps");  // every timestamp takes a byte
  uint64_t t = 0, delta = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t x = static_cast<uint64_t>(in->Varint());
    if (i == 0) {
      t = x;
    } else {
      delta = i == 1 ? x : delta + x;
      t += delta;
      if (static_cast<int64_t>(t) <= (*out)[i - 1].timestamp_ms) return Corrupt("timestamps not increasing");
    }
    (*out)[i].timestamp_ms = static_cast<int64_t>(t);
  }
  if (!in->ok()) return Corrupt("truncated timestamps");
  return OkStatus();
}

// The value column (the rest of `in`) into (*out)[i].value.
Status DecodeValues(Decoder* in, std::vector<model::Sample>* out) {
  auto kind = static_cast<ValueKind>(in->U8());
  bool ok = in->ok();
  switch (kind) {
    case ValueKind::kConst: {
      double v = std::bit_cast<double>(in->U64le());
      for (model::Sample& s : *out) s.value = v;
      ok = ok && in->ok() && in->empty();
      break;
    }
    case ValueKind::kDecimalDelta:
    case ValueKind::kDecimalDod:
    case ValueKind::kScaledDelta:
    case ValueKind::kScaledDod: {
      bool dod = kind == ValueKind::kDecimalDod || kind == ValueKind::kScaledDod;
      bool scaled = kind == ValueKind::kScaledDelta || kind == ValueKind::kScaledDod;
      ok = ok && DecodeDecimal(in, dod, scaled, out) && in->empty();
      break;
    }
    case ValueKind::kXor:
      ok = ok && DecodeXorValues(in->Bytes(in->remaining()), out);
      break;
    case ValueKind::kBitsDelta:
      ok = ok && DecodeBitsDelta(in, out) && in->empty();
      break;
    default:
      return Corrupt("unknown value kind");
  }
  if (!ok) return Corrupt("malformed values");
  return OkStatus();
}

Status DecodeCount(Decoder* in, int expected, std::vector<model::Sample>* out) {
  uint64_t n = in->Uvarint();
  if (!in->ok() || n != static_cast<uint64_t>(expected)) return Corrupt("sample count differs from the index");
  out->resize(n);
  return OkStatus();
}

Status DecodeColumns(std::string_view bytes, int expected, std::vector<model::Sample>* out) {
  Decoder in(bytes);
  CISTERN_RETURN_IF_ERROR(DecodeCount(&in, expected, out));
  CISTERN_RETURN_IF_ERROR(DecodeTimestamps(&in, out));
  return DecodeValues(&in, out);
}

Status DecodeSharedTs(std::string_view bytes, int expected, const TimestampFrames& ts_frames,
                      std::vector<model::Sample>* out) {
  Decoder in(bytes);
  CISTERN_RETURN_IF_ERROR(DecodeCount(&in, expected, out));
  uint64_t frame = in.Uvarint(), offset = in.Uvarint();
  if (!in.ok() || frame > UINT32_MAX) return Corrupt("truncated timestamp reference");
  if (!ts_frames) return Corrupt("timestamp reference without timestamp frames");
  StatusOr<std::string_view> raw = ts_frames(static_cast<uint32_t>(frame));
  if (!raw.ok()) return raw.status();
  if (offset >= raw->size()) return Corrupt("timestamp reference outside its frame");
  Decoder ts(raw->substr(static_cast<size_t>(offset)));
  if (ts.Uvarint() != out->size() || !ts.ok()) return Corrupt("referenced timestamp column has another count");
  CISTERN_RETURN_IF_ERROR(DecodeTimestamps(&ts, out));
  return DecodeValues(&in, out);
}

Status DecodeXor(std::string_view bytes, int expected, std::vector<model::Sample>* out) {
  out->clear();
  XorIterator it(bytes);
  while (it.Next()) {
    if (!out->empty() && it.At().timestamp_ms <= out->back().timestamp_ms) {
      return Corrupt("timestamps not increasing");
    }
    out->push_back(it.At());
    if (out->size() > static_cast<size_t>(expected)) break;
  }
  if (!it.Err().ok()) return Corrupt("malformed xor chunk");
  if (out->size() != static_cast<size_t>(expected)) return Corrupt("sample count differs from the index");
  return OkStatus();
}

}  // namespace

void EncodeBlockChunk(BlockChunkEncoding enc, std::span<const model::Sample> samples, std::string* out) {
  out->push_back(static_cast<char>(enc));
  if (enc == BlockChunkEncoding::kXor) {
    XorChunk c;
    for (const model::Sample& s : samples) c.Append(s.timestamp_ms, s.value);
    out->append(c.bytes());
    return;
  }
  EncodeTimestamps(samples, out);
  EncodeValues(samples, out);
}

void EncodeTimestampColumn(std::span<const model::Sample> samples, std::string* out) {
  EncodeTimestamps(samples, out);
}

void EncodeSharedTsChunk(std::span<const model::Sample> samples, uint32_t ts_frame, uint32_t ts_offset,
                         std::string* out) {
  out->push_back(static_cast<char>(BlockChunkEncoding::kColumnsSharedTs));
  PutUvarint(out, samples.size());
  PutUvarint(out, ts_frame);
  PutUvarint(out, ts_offset);
  EncodeValues(samples, out);
}

Status DecodeBlockChunk(std::string_view bytes, int expected_samples, const TimestampFrames& ts_frames,
                        std::vector<model::Sample>* out) {
  if (bytes.empty()) return Corrupt("empty");
  auto enc = static_cast<BlockChunkEncoding>(bytes[0]);
  bytes.remove_prefix(1);
  if (expected_samples <= 0) return Corrupt("sample count differs from the index");
  switch (enc) {
    case BlockChunkEncoding::kXor:
      return DecodeXor(bytes, expected_samples, out);
    case BlockChunkEncoding::kColumns:
      return DecodeColumns(bytes, expected_samples, out);
    case BlockChunkEncoding::kColumnsSharedTs:
      return DecodeSharedTs(bytes, expected_samples, ts_frames, out);
  }
  return Corrupt("unknown encoding");
}

Status DecodeBlockChunk(std::string_view bytes, int expected_samples, std::vector<model::Sample>* out) {
  return DecodeBlockChunk(bytes, expected_samples, nullptr, out);
}

}  // namespace cistern::tsdb
