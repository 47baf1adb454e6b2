#include "agent/tsdb/block_index.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "agent/tsdb/block_bytes.h"
#include "agent/tsdb/block_format.h"
#include "agent/wal/crc32c.h"

namespace cistern::tsdb {
namespace {

uint32_t Checksum(std::string_view b) { return wal::MaskCrc(wal::Crc32c(b.data(), b.size())); }

Status Corrupt(uint64_t offset, const std::string& what) {
  return DataLossError("index: offset " + std::to_string(offset) + ": " + what);
}

void AppendSection(std::string* out, const std::string& payload) {
  PutU64le(out, payload.size());
  out->append(payload);
  PutU32le(out, Checksum(payload));
}

void EncodePostings(const std::vector<uint64_t>& refs, std::string* out) {
  PutUvarint(out, refs.size());
  uint64_t prev = 0;
  for (uint64_t r : refs) {
    PutUvarint(out, r - prev);
    prev = r;
  }
}

}  // namespace

// ---- Builder.

void IndexBuilder::AddSeries(const model::Labels& labels, std::vector<BlockChunkMeta> chunks) {
  num_chunks_ += chunks.size();
  for (const BlockChunkMeta& c : chunks) num_samples_ += c.num_samples;
  series_.push_back({labels, std::move(chunks)});
}

std::string IndexBuilder::Finish() const {
  // Symbols: every name and value once, ascending.
  std::vector<std::string_view> symbols;
  for (const Entry& e : series_) {
    for (const model::Label& l : e.labels) {
      symbols.push_back(l.name);
      symbols.push_back(l.value);
    }
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  std::unordered_map<std::string_view, uint32_t> sym_id;
  sym_id.reserve(symbols.size());
  std::string sym_payload;
  PutUvarint(&sym_payload, symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i) {
    sym_id[symbols[i]] = static_cast<uint32_t>(i);
    PutUvarint(&sym_payload, symbols[i].size());
    sym_payload.append(symbols[i]);
  }

  // Series, collecting postings on the way (refs ascend with the offsets).
  std::string series_payload, body;
  std::map<uint32_t, std::map<uint32_t, std::vector<uint64_t>>> postings;  // name id -> value id -> refs
  std::vector<uint64_t> all;
  all.reserve(series_.size());
  for (const Entry& e : series_) {
    uint64_t ref = series_payload.size();
    all.push_back(ref);
    body.clear();
    PutUvarint(&body, e.labels.size());
    for (const model::Label& l : e.labels) {
      uint32_t n = sym_id[l.name], v = sym_id[l.value];
      PutUvarint(&body, n);
      PutUvarint(&body, v);
      postings[n][v].push_back(ref);
    }
    PutUvarint(&body, e.chunks.size());
    for (size_t i = 0; i < e.chunks.size(); ++i) {
      const BlockChunkMeta& c = e.chunks[i];
      if (i == 0) {
        PutVarint(&body, c.min_time);
      } else {
        PutUvarint(&body, static_cast<uint64_t>(c.min_time) - static_cast<uint64_t>(e.chunks[i - 1].max_time));
      }
      PutUvarint(&body, static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
      PutUvarint(&body, c.num_samples);
      PutUvarint(&body, i == 0 ? c.frame : c.frame - e.chunks[i - 1].frame);
      PutUvarint(&body, c.offset);
      PutUvarint(&body, c.length);
    }
    PutUvarint(&series_payload, body.size());
    series_payload.append(body);
  }

  // Postings lists, then the label table pointing at them.
  std::string postings_payload, labels_payload;
  PutUvarint(&labels_payload, postings.size());
  for (const auto& [name, values] : postings) {
    PutUvarint(&labels_payload, name);
    PutUvarint(&labels_payload, values.size());
    for (const auto& [value, refs] : values) {
      uint64_t off = postings_payload.size();
      EncodePostings(refs, &postings_payload);
      PutUvarint(&labels_payload, value);
      PutUvarint(&labels_payload, off);
      PutUvarint(&labels_payload, postings_payload.size() - off);
    }
  }
  uint64_t all_off = postings_payload.size();
  EncodePostings(all, &postings_payload);
  uint64_t all_len = postings_payload.size() - all_off;

  std::string out;
  PutU32be(&out, kIndexMagic);
  out.push_back(static_cast<char>(kIndexVersion));
  out.append(3, '\0');
  uint64_t offsets[kNumIndexSections];
  const std::string* payloads[kNumIndexSections] = {&sym_payload, &series_payload, &postings_payload,
                                                    &labels_payload};
  for (int i = 0; i < kNumIndexSections; ++i) {
    offsets[i] = out.size();
    AppendSection(&out, *payloads[i]);
  }
  std::string toc;
  for (uint64_t o : offsets) PutU64le(&toc, o);
  PutU64le(&toc, series_.size());
  PutU64le(&toc, num_chunks_);
  PutU64le(&toc, num_samples_);
  PutU64le(&toc, all_off);
  PutU64le(&toc, all_len);
  out.append(toc);
  PutU32le(&out, Checksum(toc));
  PutU32be(&out, kIndexMagic);
  return out;
}

// ---- Reader.

StatusOr<std::unique_ptr<BlockIndex>> BlockIndex::Open(std::string_view b) {
  if (b.size() < kFileHeaderSize + kNumIndexSections * kSectionFrameSize + kIndexTocSize + kIndexFooterSize) {
    return Corrupt(0, "file too short (" + std::to_string(b.size()) + " bytes)");
  }
  if (GetU32be(b.data()) != kIndexMagic) return Corrupt(0, "bad magic");
  if (static_cast<uint8_t>(b[4]) != kIndexVersion) return Corrupt(4, "unsupported version");
  if (b[5] != 0 || b[6] != 0 || b[7] != 0) return Corrupt(5, "bad header");
  size_t footer = b.size() - kIndexFooterSize;
  if (GetU32be(b.data() + footer + 4) != kIndexMagic) return Corrupt(footer + 4, "bad footer magic");
  size_t toc_off = footer - kIndexTocSize;
  std::string_view toc = b.substr(toc_off, kIndexTocSize);
  if (Checksum(toc) != GetU32le(b.data() + footer)) return Corrupt(toc_off, "table of contents: checksum mismatch");
  auto ix = std::unique_ptr<BlockIndex>(new BlockIndex());
  std::string_view payloads[kNumIndexSections];
  uint64_t bases[kNumIndexSections];
  uint64_t expect = kFileHeaderSize;
  for (int i = 0; i < kNumIndexSections; ++i) {
    uint64_t off = GetU64le(toc.data() + 8 * i);
    if (off != expect) return Corrupt(toc_off + 8 * i, "section " + std::to_string(i) + ": bad offset");
    if (toc_off - off < kSectionFrameSize) return Corrupt(off, "section " + std::to_string(i) + ": truncated");
    uint64_t len = GetU64le(b.data() + off);
    if (len > toc_off - off - kSectionFrameSize) {
      return Corrupt(off, "section " + std::to_string(i) + ": length " + std::to_string(len) + " past the end");
    }
    payloads[i] = b.substr(off + 8, len);
    bases[i] = off + 8;
    if (Checksum(payloads[i]) != GetU32le(b.data() + off + 8 + len)) {
      return Corrupt(off, "section " + std::to_string(i) + ": checksum mismatch");
    }
    expect = off + kSectionFrameSize + len;
  }
  if (expect != toc_off) return Corrupt(expect, "unaccounted bytes before the table of contents");
  const char* t = toc.data() + 8 * kNumIndexSections;
  ix->num_series_ = GetU64le(t);
  ix->num_chunks_ = GetU64le(t + 8);
  ix->num_samples_ = GetU64le(t + 16);
  ix->all_offset_ = GetU64le(t + 24);
  ix->all_len_ = GetU64le(t + 32);
  ix->series_ = payloads[static_cast<int>(IndexSection::kSeries)];
  ix->series_base_ = bases[static_cast<int>(IndexSection::kSeries)];
  ix->postings_ = payloads[static_cast<int>(IndexSection::kPostings)];
  uint64_t postings_base = bases[static_cast<int>(IndexSection::kPostings)];
  CISTERN_RETURN_IF_ERROR(ix->ParseSymbols(payloads[0], bases[0]));
  CISTERN_RETURN_IF_ERROR(ix->ParseLabels(payloads[static_cast<int>(IndexSection::kLabels)],
                                          bases[static_cast<int>(IndexSection::kLabels)]));
  CISTERN_RETURN_IF_ERROR(ix->CheckPostings(ix->all_offset_, ix->all_len_, postings_base));
  if (ix->DecodePostings(ix->all_offset_, ix->all_len_).size() != ix->num_series_) {
    return Corrupt(postings_base + ix->all_offset_, "postings of all series: count differs from the series count");
  }
  for (const Name& n : ix->names_) {
    for (const Value& v : n.values) CISTERN_RETURN_IF_ERROR(ix->CheckPostings(v.postings_offset, v.postings_len, postings_base));
  }
  return ix;
}

Status BlockIndex::ParseSymbols(std::string_view payload, uint64_t base) {
  Decoder d(payload);
  uint64_t n = d.Uvarint();
  if (!d.ok() || n > d.remaining()) return Corrupt(base, "symbols: bad count");
  symbols_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t at = base + d.offset();
    std::string_view s = d.LengthPrefixed();
    if (!d.ok()) return Corrupt(at, "symbols: truncated");
    if (!symbols_.empty() && s <= symbols_.back()) return Corrupt(at, "symbols: not ascending");
    symbols_.push_back(s);
  }
  if (!d.empty()) return Corrupt(base + d.offset(), "symbols: trailing bytes");
  return OkStatus();
}

Status BlockIndex::ParseLabels(std::string_view payload, uint64_t base) {
  Decoder d(payload);
  uint64_t n = d.Uvarint();
  if (!d.ok() || n > d.remaining()) return Corrupt(base, "label table: bad count");
  names_.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t at = base + d.offset();
    uint64_t name = d.Uvarint(), nv = d.Uvarint();
    if (!d.ok() || name >= symbols_.size() || nv == 0 || nv > d.remaining()) {
      return Corrupt(at, "label table: bad name entry");
    }
    Name entry{symbols_[name], {}};
    if (!names_.empty() && entry.name <= names_.back().name) return Corrupt(at, "label table: names not ascending");
    entry.values.reserve(nv);
    for (uint64_t j = 0; j < nv; ++j) {
      at = base + d.offset();
      uint64_t v = d.Uvarint(), off = d.Uvarint(), len = d.Uvarint();
      if (!d.ok() || v >= symbols_.size()) return Corrupt(at, "label table: bad value entry");
      if (!entry.values.empty() && symbols_[v] <= entry.values.back().value) {
        return Corrupt(at, "label table: values not ascending");
      }
      entry.values.push_back({symbols_[v], off, len});
    }
    names_.push_back(std::move(entry));
  }
  if (!d.empty()) return Corrupt(base + d.offset(), "label table: trailing bytes");
  return OkStatus();
}

Status BlockIndex::CheckPostings(uint64_t off, uint64_t len, uint64_t base) const {
  if (off > postings_.size() || len > postings_.size() - off) return Corrupt(base, "postings list out of bounds");
  Decoder d(postings_.substr(off, len));
  uint64_t n = d.Uvarint();
  if (!d.ok() || n == 0 || n > d.remaining()) return Corrupt(base + off, "postings: bad count");
  uint64_t ref = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta = d.Uvarint();
    if (i > 0 && delta == 0) return Corrupt(base + off + d.offset(), "postings: not ascending");
    ref += delta;
    if (!d.ok() || ref >= series_.size() || ref < delta) return Corrupt(base + off + d.offset(), "postings: bad ref");
  }
  if (!d.empty()) return Corrupt(base + off + d.offset(), "postings: trailing bytes");
  return OkStatus();
}

Postings BlockIndex::DecodePostings(uint64_t off, uint64_t len) const {
  Postings out;
  if (off > postings_.size() || len > postings_.size() - off) return out;
  Decoder d(postings_.substr(off, len));
  uint64_t n = d.Uvarint();
  if (n > d.remaining()) return out;
  out.reserve(n);
  uint64_t ref = 0;
  for (uint64_t i = 0; i < n && d.ok(); ++i) {
    ref += d.Uvarint();
    if (d.ok()) out.push_back(ref);
  }
  return out;
}

const BlockIndex::Name* BlockIndex::FindName(std::string_view name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name,
                             [](const Name& n, std::string_view s) { return n.name < s; });
  return it != names_.end() && it->name == name ? &*it : nullptr;
}

Postings BlockIndex::Get(std::string_view name, std::string_view value) const {
  const Name* n = FindName(name);
  if (n == nullptr) return {};
  auto it = std::lower_bound(n->values.begin(), n->values.end(), value,
                             [](const Value& v, std::string_view s) { return v.value < s; });
  if (it == n->values.end() || it->value != value) return {};
  return DecodePostings(it->postings_offset, it->postings_len);
}

Postings BlockIndex::Matching(std::string_view name, const std::function<bool(std::string_view)>& match) const {
  const Name* n = FindName(name);
  if (n == nullptr) return {};
  std::vector<Postings> lists;
  for (const Value& v : n->values) {
    if (match(v.value)) lists.push_back(DecodePostings(v.postings_offset, v.postings_len));
  }
  return Union(lists);
}

Postings BlockIndex::All() const { return DecodePostings(all_offset_, all_len_); }

std::vector<std::string> BlockIndex::LabelNames() const {
  std::vector<std::string> out;
  for (const Name& n : names_) out.emplace_back(n.name);
  return out;
}

std::vector<std::string> BlockIndex::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  if (const Name* n = FindName(name)) {
    for (const Value& v : n->values) out.emplace_back(v.value);
  }
  return out;
}

Status BlockIndex::DecodeSeries(storage::SeriesRef ref, std::vector<uint32_t>* ids, model::Labels* labels,
                                std::vector<BlockChunkMeta>* chunks, uint64_t* next) const {
  auto bad = [&](const std::string& what) {
    return DataLossError("index: offset " + std::to_string(series_base_ + ref) + ": series: " + what);
  };
  if (ref >= series_.size()) return bad("ref out of bounds");
  Decoder outer(series_.substr(ref));
  std::string_view body = outer.LengthPrefixed();
  if (!outer.ok()) return bad("truncated");
  *next = ref + outer.offset();
  Decoder d(body);
  uint64_t nl = d.Uvarint();
  if (!d.ok() || nl == 0 || nl > d.remaining()) return bad("bad label count");
  std::vector<model::Label> ls;
  if (ids != nullptr) ids->clear();
  uint64_t prev_name = 0;
  for (uint64_t i = 0; i < nl; ++i) {
    uint64_t n = d.Uvarint(), v = d.Uvarint();
    if (!d.ok() || n >= symbols_.size() || v >= symbols_.size()) return bad("bad symbol ref");
    if (i > 0 && n <= prev_name) return bad("label names not ascending");
    prev_name = n;
    if (ids != nullptr) {
      ids->push_back(static_cast<uint32_t>(n));
      ids->push_back(static_cast<uint32_t>(v));
    } else {
      ls.push_back({std::string(symbols_[n]), std::string(symbols_[v])});
    }
  }
  if (labels != nullptr) *labels = model::Labels::FromSorted(std::move(ls));
  uint64_t nc = d.Uvarint();
  if (!d.ok() || nc == 0 || nc > d.remaining()) return bad("bad chunk count");
  chunks->clear();
  chunks->reserve(nc);
  uint64_t prev_max = 0, prev_frame = 0;
  for (uint64_t i = 0; i < nc; ++i) {
    BlockChunkMeta c;
    uint64_t mint = i == 0 ? static_cast<uint64_t>(d.Varint()) : prev_max + d.Uvarint();
    uint64_t span = d.Uvarint(), samples = d.Uvarint();
    uint64_t frame = (i == 0 ? 0 : prev_frame) + d.Uvarint();
    uint64_t offset = d.Uvarint(), length = d.Uvarint();
    if (!d.ok()) return bad("truncated chunk meta");
    c.min_time = static_cast<int64_t>(mint);
    c.max_time = static_cast<int64_t>(mint + span);
    if (c.max_time < c.min_time) return bad("chunk time range overflows");
    if (i > 0 && c.min_time <= static_cast<int64_t>(prev_max)) return bad("chunks overlap");
    if (samples == 0 || samples > static_cast<uint64_t>(kMaxChunkSamplesOnDisk) || samples - 1 > span) {
      return bad("bad chunk sample count");
    }
    if (frame > UINT32_MAX || offset > UINT32_MAX || length > UINT32_MAX || frame < prev_frame) {
      return bad("bad chunk location");
    }
    c.num_samples = static_cast<uint32_t>(samples);
    c.frame = static_cast<uint32_t>(frame);
    c.offset = static_cast<uint32_t>(offset);
    c.length = static_cast<uint32_t>(length);
    prev_max = static_cast<uint64_t>(c.max_time);
    prev_frame = frame;
    chunks->push_back(c);
  }
  if (!d.empty()) return bad("trailing bytes");
  return OkStatus();
}

Status BlockIndex::ReadSeries(storage::SeriesRef ref, model::Labels* labels,
                              std::vector<BlockChunkMeta>* chunks) const {
  uint64_t next;
  return DecodeSeries(ref, nullptr, labels, chunks, &next);
}

Status BlockIndex::ValidateSeries(const std::function<Status(const BlockChunkMeta&)>& check_chunk) const {
  std::vector<uint32_t> ids, prev_ids;
  std::vector<BlockChunkMeta> chunks;
  uint64_t ref = 0, n = 0, nchunks = 0, nsamples = 0;
  Postings all = All();
  while (ref < series_.size()) {
    uint64_t next;
    CISTERN_RETURN_IF_ERROR(DecodeSeries(ref, &ids, nullptr, &chunks, &next));
    if (n >= all.size() || all[n] != ref) return Corrupt(series_base_ + ref, "series: not in the postings of all series");
    if (n > 0 && !std::lexicographical_compare(prev_ids.begin(), prev_ids.end(), ids.begin(), ids.end())) {
      return Corrupt(series_base_ + ref, "series: labels not ascending");
    }
    for (const BlockChunkMeta& c : chunks) {
      Status s = check_chunk(c);
      if (!s.ok()) return Corrupt(series_base_ + ref, "series: " + s.message());
      nsamples += c.num_samples;
    }
    nchunks += chunks.size();
    prev_ids.swap(ids);
    ref = next;
    ++n;
  }
  if (n != num_series_ || nchunks != num_chunks_ || nsamples != num_samples_) {
    return Corrupt(series_base_, "series: counts differ from the table of contents");
  }
  return OkStatus();
}

}  // namespace cistern::tsdb
