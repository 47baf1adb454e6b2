#include "agent/wal/sample_codec.h"

#include <zstd.h>

#include <bit>
#include <cstring>
#include <memory>

namespace cistern::wal {
namespace {

constexpr int kZstdLevel = 1;
constexpr size_t kMaxDecoded = 256 << 20;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

struct In {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) {
        ok = false;
        return 0;
      }
      uint8_t b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  std::string_view Bytes(size_t n) {
    if (static_cast<size_t>(end - p) < n) {
      ok = false;
      return {};
    }
    std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }
};

class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  // Appends the low `n` bits of `bits` (n <= 64), most significant first.
  void Put(uint64_t bits, int n) {
    if (n == 0) return;
    if (n < 64) bits &= (uint64_t{1} << n) - 1;
    int free = 64 - used_;
    if (n <= free) {
      acc_ |= free == 64 && n == 64 ? bits : bits << (free - n);
      used_ += n;
    } else {
      acc_ |= bits >> (n - free);
      used_ = 64;
      Spill();
      int rest = n - free;
      acc_ = bits << (64 - rest);
      used_ = rest;
    }
    if (used_ == 64) Spill();
  }
  void Flush() {
    int bytes = (used_ + 7) / 8;
    for (int i = 0; i < bytes; ++i) out_->push_back(static_cast<char>(acc_ >> (56 - 8 * i)));
    acc_ = 0;
    used_ = 0;
  }

 private:
  void Spill() {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(acc_ >> (56 - 8 * i));
    out_->append(b, 8);
    acc_ = 0;
    used_ = 0;
  }
  std::string* out_;
  uint64_t acc_ = 0;
  int used_ = 0;
};

class BitReader {
 public:
  BitReader(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}
  uint64_t Get(int n) {
    uint64_t v = 0;
    while (n > 0) {
      if (avail_ == 0) {
        if (p_ >= end_) {
          ok = false;
          return 0;
        }
        cur_ = *p_++;
        avail_ = 8;
      }
      int take = n < avail_ ? n : avail_;
      v = (v << take) | ((cur_ >> (avail_ - take)) & ((1u << take) - 1));
      avail_ -= take;
      n -= take;
    }
    return v;
  }
  bool ok = true;

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  uint32_t cur_ = 0;
  int avail_ = 0;
};

// Value of one sample, Gorilla style:
//   flag bit: 1 = full value (XOR'd against 0, no window), 0 = XOR'd against the series' previous value
//   '0'                               the XOR is 0
//   '10' bits                         same leading/trailing window as the series' last XOR
//   '11' lead:6 (sig-1):6 bits:sig    a new window
void PutValue(BitWriter& w, bool full, uint64_t x, XorEntry* e) {
  w.Put(full ? 1 : 0, 1);
  if (x == 0) {
    w.Put(0, 1);
    return;
  }
  int lead = std::countl_zero(x);
  int trail = std::countr_zero(x);
  if (lead > 63) lead = 63;
  if (!full && e->lead != 0xff && lead >= e->lead && trail >= e->trail) {
    int sig = 64 - e->lead - e->trail;
    w.Put(2, 2);
    w.Put(x >> e->trail, sig);
    return;
  }
  int sig = 64 - lead - trail;
  w.Put(3, 2);
  w.Put(static_cast<uint64_t>(lead), 6);
  w.Put(static_cast<uint64_t>(sig - 1), 6);
  w.Put(x >> trail, sig);
  e->lead = static_cast<uint8_t>(lead);
  e->trail = static_cast<uint8_t>(trail);
}

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

void Compress(uint8_t type, const std::string& raw, std::string* out) {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
  ZSTD_CCtx* cctx = ctx.get();
  out->push_back(static_cast<char>(type));
  size_t at = out->size();
  out->resize(at + ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compressCCtx(cctx, out->data() + at, out->size() - at, raw.data(), raw.size(), kZstdLevel);
  out->resize(ZSTD_isError(n) ? at : at + n);
}

Status Decompress(std::string_view payload, std::string* raw) {
  unsigned long long size = ZSTD_getFrameContentSize(payload.data() + 1, payload.size() - 1);
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxDecoded) {
    return DataLossError("wal record: bad compressed payload");
  }
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  ZSTD_DCtx* dctx = ctx.get();
  raw->resize(size);
  size_t n = ZSTD_decompressDCtx(dctx, raw->data(), raw->size(), payload.data() + 1, payload.size() - 1);
  if (ZSTD_isError(n) || n != size) return DataLossError("wal record: corrupt compressed payload");
  return OkStatus();
}

}  // namespace

void EncodeSeries(uint32_t seq, std::span<const SeriesEntry> series, std::string* out) {
  std::string raw;
  PutVarint(&raw, seq);
  PutVarint(&raw, series.size());
  storage::SeriesRef prev = 0;
  for (const SeriesEntry& s : series) {
    PutVarint(&raw, ZigZag(static_cast<int64_t>(s.ref - prev)));
    prev = s.ref;
    PutVarint(&raw, s.labels.size());
    for (const model::Label& l : s.labels) {
      PutVarint(&raw, l.name.size());
      raw += l.name;
      PutVarint(&raw, l.value.size());
      raw += l.value;
    }
  }
  Compress(kSeriesRecord, raw, out);
}

void EncodeSamples(uint32_t seq, std::span<const SampleRef> samples, XorState* state, std::string* out) {
  std::string raw;
  raw.reserve(samples.size() * 4 + 32);
  PutVarint(&raw, seq);
  PutVarint(&raw, samples.size());
  int64_t base = samples.empty() ? 0 : samples[0].timestamp_ms;
  PutVarint(&raw, ZigZag(base));
  storage::SeriesRef prev_ref = 0;
  for (const SampleRef& s : samples) {  // refs column
    PutVarint(&raw, ZigZag(static_cast<int64_t>(s.ref - prev_ref)));
    prev_ref = s.ref;
  }
  for (const SampleRef& s : samples) {  // timestamps column (wrapping arithmetic: any int64 pair is fine)
    PutVarint(&raw, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(s.timestamp_ms) - static_cast<uint64_t>(base))));
  }
  BitWriter w(&raw);  // values column
  for (const SampleRef& s : samples) {
    uint64_t bits = std::bit_cast<uint64_t>(s.value);
    auto [it, fresh] = state->try_emplace(s.ref);
    XorEntry& e = it->second;
    PutValue(w, fresh, bits ^ (fresh ? 0 : e.bits), &e);
    e.bits = bits;
  }
  w.Flush();
  Compress(kSamplesRecord, raw, out);
}

StatusOr<std::pair<RecordType, uint32_t>> PeekRecord(std::string_view payload) {
  if (payload.empty() || (payload[0] != kSeriesRecord && payload[0] != kSamplesRecord)) {
    return DataLossError("wal record: unknown type");
  }
  // The sequence number is inside the compressed part: decompress the head only.
  std::string raw;
  CISTERN_RETURN_IF_ERROR(Decompress(payload, &raw));
  In in{reinterpret_cast<const uint8_t*>(raw.data()), reinterpret_cast<const uint8_t*>(raw.data() + raw.size())};
  uint64_t seq = in.Varint();
  if (!in.ok) return DataLossError("wal record: truncated");
  return std::make_pair(static_cast<RecordType>(payload[0]), static_cast<uint32_t>(seq));
}

Status DecodeRecord(std::string_view payload, XorState* state, DecodedRecord* out) {
  out->series.clear();
  out->samples.clear();
  out->undecodable = 0;
  if (payload.empty() || (payload[0] != kSeriesRecord && payload[0] != kSamplesRecord)) {
    return DataLossError("wal record: unknown type");
  }
  out->type = static_cast<RecordType>(payload[0]);
  thread_local std::string raw;
  CISTERN_RETURN_IF_ERROR(Decompress(payload, &raw));
  In in{reinterpret_cast<const uint8_t*>(raw.data()), reinterpret_cast<const uint8_t*>(raw.data() + raw.size())};
  out->seq = static_cast<uint32_t>(in.Varint());
  uint64_t n = in.Varint();
  if (!in.ok || n > raw.size()) return DataLossError("wal record: bad count");
  if (out->type == kSeriesRecord) {
    storage::SeriesRef ref = 0;
    out->series.reserve(n);
    for (uint64_t i = 0; i < n && in.ok; ++i) {
      ref += static_cast<uint64_t>(UnZigZag(in.Varint()));
      uint64_t nl = in.Varint();
      if (nl > raw.size()) return DataLossError("wal record: bad label count");
      std::vector<model::Label> labels;
      labels.reserve(nl);
      for (uint64_t k = 0; k < nl && in.ok; ++k) {
        std::string name(in.Bytes(in.Varint()));
        std::string value(in.Bytes(in.Varint()));
        labels.push_back({std::move(name), std::move(value)});
      }
      out->series.push_back({ref, model::Labels::FromSorted(std::move(labels))});
    }
    if (!in.ok) return DataLossError("wal record: truncated series record");
    return OkStatus();
  }
  int64_t base = UnZigZag(in.Varint());
  std::vector<storage::SeriesRef> refs(n);
  storage::SeriesRef ref = 0;
  for (uint64_t i = 0; i < n; ++i) {
    ref += static_cast<uint64_t>(UnZigZag(in.Varint()));
    refs[i] = ref;
  }
  std::vector<int64_t> ts(n);
  for (uint64_t i = 0; i < n; ++i) {
    ts[i] = static_cast<int64_t>(static_cast<uint64_t>(base) + static_cast<uint64_t>(UnZigZag(in.Varint())));
  }
  if (!in.ok) return DataLossError("wal record: truncated samples record");
  BitReader br(in.p, in.end);
  out->samples.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    bool full = br.Get(1) == 1;
    XorEntry* e = nullptr;
    if (full) {
      e = &(*state)[refs[i]];
      *e = XorEntry{};  // a full value starts the series afresh
    } else if (auto it = state->find(refs[i]); it != state->end()) {
      e = &it->second;
    }
    uint64_t x = 0;
    if (br.Get(1) == 1) {
      if (br.Get(1) == 0) {  // '10': the series' previous window
        if (e == nullptr || e->lead == 0xff) {
          if (full) return DataLossError("wal record: window reuse on a full value");
          // Without the lost window the bit positions of the rest are unknown.
          out->undecodable += n - i;
          return OkStatus();
        }
        x = br.Get(64 - e->lead - e->trail) << e->trail;
      } else {  // '11': a new window
        int lead = static_cast<int>(br.Get(6));
        int sig = static_cast<int>(br.Get(6)) + 1;
        if (lead + sig > 64) return DataLossError("wal record: bad value window");
        x = br.Get(sig) << (64 - lead - sig);
        if (e != nullptr) {
          e->lead = static_cast<uint8_t>(lead);
          e->trail = static_cast<uint8_t>(64 - lead - sig);
        }
      }
    }
    if (!br.ok) return DataLossError("wal record: truncated values");
    if (e == nullptr) {
      ++out->undecodable;  // XOR'd against a value from a lost record
      continue;
    }
    e->bits = full ? x : e->bits ^ x;
    out->samples.push_back({refs[i], ts[i], std::bit_cast<double>(e->bits)});
  }
  return OkStatus();
}

}  // namespace cistern::wal
