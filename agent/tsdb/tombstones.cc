#include "agent/tsdb/tombstones.h"

#include <algorithm>
#include <limits>

#include "agent/tsdb/block_bytes.h"
#include "agent/tsdb/block_format.h"
#include "agent/wal/crc32c.h"

namespace cistern::tsdb {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

uint32_t Checksum(std::string_view b) { return wal::MaskCrc(wal::Crc32c(b.data(), b.size())); }

void PutHeader(std::string* out, uint32_t magic) {
  PutU32be(out, magic);
  out->push_back(static_cast<char>(kTombstonesVersion));
  out->append(3, '\0');
}

void PutIntervals(std::string* out, const Intervals& set) {
  PutUvarint(out, set.size());
  for (const Interval& iv : set) {
    PutVarint(out, iv.mint);
    PutUvarint(out, static_cast<uint64_t>(iv.maxt) - static_cast<uint64_t>(iv.mint));
  }
}

std::string Finish(std::string out) {
  PutU32le(&out, Checksum(out));
  return out;
}

Status Corrupt(std::string_view file, size_t offset, const std::string& what) {
  return DataLossError(std::string(file) + ": offset " + std::to_string(offset) + ": " + what);
}

// Checks header and checksum; the body is left in *body (its file offset is kFileHeaderSize).
Status OpenFile(std::string_view file, std::string_view bytes, uint32_t magic, std::string_view* body) {
  if (bytes.size() < kFileHeaderSize + 4)
    return Corrupt(file, 0, "truncated (" + std::to_string(bytes.size()) + " bytes)");
  if (GetU32be(bytes.data()) != magic) return Corrupt(file, 0, "bad magic");
  if (static_cast<uint8_t>(bytes[4]) != kTombstonesVersion)
    return Corrupt(file, 4, "unknown version " + std::to_string(static_cast<uint8_t>(bytes[4])));
  if (bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0)
    return Corrupt(file, 5, "reserved header bytes not zero");
  size_t crc_at = bytes.size() - 4;
  if (GetU32le(bytes.data() + crc_at) != Checksum(bytes.substr(0, crc_at)))
    return Corrupt(file, crc_at, "checksum mismatch");
  *body = bytes.substr(kFileHeaderSize, crc_at - kFileHeaderSize);
  return OkStatus();
}

// Reads an interval list written by PutIntervals, checking that it is what
// AddInterval keeps: non-empty, sorted, disjoint and not adjacent.
Status GetIntervals(std::string_view file, Decoder* d, Intervals* out) {
  size_t at = kFileHeaderSize + d->offset();
  uint64_t k = d->Uvarint();
  if (!d->ok() || k == 0 || k > d->remaining() / 2) return Corrupt(file, at, "bad interval count");
  out->clear();
  out->reserve(k);
  for (uint64_t i = 0; i < k; ++i) {
    at = kFileHeaderSize + d->offset();
    int64_t mint = d->Varint();
    uint64_t span = d->Uvarint();
    if (!d->ok()) return Corrupt(file, at, "truncated interval");
    if (span > static_cast<uint64_t>(kMax) - static_cast<uint64_t>(mint))
      return Corrupt(file, at, "interval overflows");
    Interval iv{mint, static_cast<int64_t>(static_cast<uint64_t>(mint) + span)};
    if (!out->empty() && (out->back().maxt == kMax || iv.mint <= out->back().maxt + 1))
      return Corrupt(file, at, "intervals not sorted and disjoint");
    out->push_back(iv);
  }
  return OkStatus();
}

}  // namespace

void AddInterval(Intervals* set, Interval iv) {
  if (iv.mint > iv.maxt) return;
  // The first interval that ends at or after iv.mint - 1 (adjacent counts).
  auto first = std::lower_bound(set->begin(), set->end(), iv.mint, [](const Interval& x, int64_t t) {
    return x.maxt < t && x.maxt + 1 < t;  // maxt + 1 cannot overflow here: maxt < t
  });
  auto last = first;
  while (last != set->end() && (last->mint <= iv.maxt || (iv.maxt < kMax && last->mint == iv.maxt + 1))) {
    iv.mint = std::min(iv.mint, last->mint);
    iv.maxt = std::max(iv.maxt, last->maxt);
    ++last;
  }
  auto pos = set->erase(first, last);
  set->insert(pos, iv);
}

void AddIntervals(Intervals* set, const Intervals& more) {
  for (const Interval& iv : more) AddInterval(set, iv);
}

bool IsDeleted(const Intervals& set, int64_t t) {
  auto it =
      std::lower_bound(set.begin(), set.end(), t, [](const Interval& x, int64_t v) { return x.maxt < v; });
  return it != set.end() && it->mint <= t;
}

bool Covers(const Intervals& set, int64_t mint, int64_t maxt) {
  auto it =
      std::lower_bound(set.begin(), set.end(), mint, [](const Interval& x, int64_t v) { return x.maxt < v; });
  return it != set.end() && it->mint <= mint && it->maxt >= maxt;  // merged: one interval must hold it all
}

bool Overlaps(const Intervals& set, int64_t mint, int64_t maxt) {
  auto it =
      std::lower_bound(set.begin(), set.end(), mint, [](const Interval& x, int64_t v) { return x.maxt < v; });
  return it != set.end() && it->mint <= maxt;
}

Interval Clamp(Interval iv, int64_t lo, int64_t hi) { return {std::max(iv.mint, lo), std::min(iv.maxt, hi)}; }

void MergeTombstones(TombstoneMap* map, const TombstoneMap& more) {
  for (const auto& [ref, set] : more) AddIntervals(&(*map)[ref], set);
}

std::string EncodeBlockTombstones(const TombstoneMap& map) {
  std::string out;
  PutHeader(&out, kTombstonesMagic);
  size_t n = 0;
  for (const auto& [ref, set] : map) n += set.empty() ? 0 : 1;
  PutUvarint(&out, n);
  storage::SeriesRef prev = 0;
  for (const auto& [ref, set] : map) {
    if (set.empty()) continue;
    PutUvarint(&out, ref - prev);
    prev = ref;
    PutIntervals(&out, set);
  }
  return Finish(std::move(out));
}

StatusOr<TombstoneMap> DecodeBlockTombstones(std::string_view bytes) {
  constexpr std::string_view kFile = kBlockTombstonesFile;
  std::string_view body;
  CISTERN_RETURN_IF_ERROR(OpenFile(kFile, bytes, kTombstonesMagic, &body));
  Decoder d(body);
  uint64_t n = d.Uvarint();
  if (!d.ok() || n > d.remaining() / 3) return Corrupt(kFile, kFileHeaderSize, "bad series count");
  TombstoneMap out;
  storage::SeriesRef ref = 0;
  for (uint64_t i = 0; i < n; ++i) {
    size_t at = kFileHeaderSize + d.offset();
    uint64_t delta = d.Uvarint();
    if (!d.ok() || (i > 0 && delta == 0) || delta > std::numeric_limits<storage::SeriesRef>::max() - ref)
      return Corrupt(kFile, at, "series refs not ascending");
    ref += delta;
    CISTERN_RETURN_IF_ERROR(GetIntervals(kFile, &d, &out[ref]));
  }
  if (!d.empty()) return Corrupt(kFile, kFileHeaderSize + d.offset(), "trailing bytes");
  return out;
}

std::string EncodeHeadTombstones(const std::vector<HeadTombstone>& stones) {
  std::string out;
  PutHeader(&out, kHeadTombstonesMagic);
  size_t n = 0;
  for (const HeadTombstone& s : stones) n += s.intervals.empty() ? 0 : 1;
  PutUvarint(&out, n);
  for (const HeadTombstone& s : stones) {
    if (s.intervals.empty()) continue;
    PutUvarint(&out, s.labels.size());
    for (const model::Label& l : s.labels) {
      PutUvarint(&out, l.name.size());
      out.append(l.name);
      PutUvarint(&out, l.value.size());
      out.append(l.value);
    }
    PutIntervals(&out, s.intervals);
  }
  return Finish(std::move(out));
}

StatusOr<std::vector<HeadTombstone>> DecodeHeadTombstones(std::string_view bytes) {
  constexpr std::string_view kFile = kHeadTombstonesFile;
  std::string_view body;
  CISTERN_RETURN_IF_ERROR(OpenFile(kFile, bytes, kHeadTombstonesMagic, &body));
  Decoder d(body);
  uint64_t n = d.Uvarint();
  if (!d.ok() || n > d.remaining() / 6) return Corrupt(kFile, kFileHeaderSize, "bad series count");
  std::vector<HeadTombstone> out(n);
  for (HeadTombstone& s : out) {
    size_t at = kFileHeaderSize + d.offset();
    uint64_t m = d.Uvarint();
    if (!d.ok() || m == 0 || m > d.remaining() / 2) return Corrupt(kFile, at, "bad label count");
    std::vector<model::Label> labels(m);
    for (model::Label& l : labels) {
      at = kFileHeaderSize + d.offset();
      std::string_view name = d.LengthPrefixed();
      std::string_view value = d.LengthPrefixed();
      if (!d.ok()) return Corrupt(kFile, at, "truncated label");
      if (name.empty() || (&l != &labels[0] && name <= std::string_view((&l)[-1].name)))
        return Corrupt(kFile, at, "label names not sorted");
      l.name.assign(name);
      l.value.assign(value);
    }
    s.labels = model::Labels::FromSorted(std::move(labels));
    CISTERN_RETURN_IF_ERROR(GetIntervals(kFile, &d, &s.intervals));
  }
  if (!d.empty()) return Corrupt(kFile, kFileHeaderSize + d.offset(), "trailing bytes");
  return out;
}

namespace {

class DeletedFilterIterator final : public storage::SampleIterator {
 public:
  DeletedFilterIterator(std::unique_ptr<storage::SampleIterator> it, std::shared_ptr<const Intervals> deleted)
      : it_(std::move(it)), deleted_(std::move(deleted)) {}

  bool Next() override { return it_->Next() && SkipDeleted(); }
  bool Seek(int64_t t) override { return it_->Seek(t) && SkipDeleted(); }
  model::Sample At() const override { return it_->At(); }
  Status Err() const override { return it_->Err(); }

 private:
  // From the current sample on, to the first one outside every interval.
  bool SkipDeleted() {
    for (;;) {
      int64_t t = it_->At().timestamp_ms;
      auto iv = std::lower_bound(deleted_->begin(), deleted_->end(), t,
                                 [](const Interval& x, int64_t v) { return x.maxt < v; });
      if (iv == deleted_->end() || iv->mint > t) return true;
      if (iv->maxt == kMax || !it_->Seek(iv->maxt + 1)) return false;
    }
  }

  std::unique_ptr<storage::SampleIterator> it_;
  std::shared_ptr<const Intervals> deleted_;
};

}  // namespace

std::unique_ptr<storage::SampleIterator> NewDeletedFilterIterator(std::unique_ptr<storage::SampleIterator> it,
                                                                  std::shared_ptr<const Intervals> deleted) {
  if (deleted == nullptr || deleted->empty()) return it;
  return std::make_unique<DeletedFilterIterator>(std::move(it), std::move(deleted));
}

}  // namespace cistern::tsdb
