// The index file of a block (BLOCK_FORMAT.md, "Index"): symbols, series
// (labels as symbol refs plus chunk metas), postings and the label table.
//
// IndexBuilder collects series in label order and produces the file's bytes.
// BlockIndex reads an index held in memory the caller owns (an mmap): Open()
// verifies every checksum and the structure of symbols, labels and postings;
// series entries are decoded on demand, bounds-checked, and ValidateSeries()
// walks them all. A series ref is the byte offset of its entry in the series
// section. BlockIndex is immutable after Open() and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/labels.h"
#include "agent/tsdb/postings.h"

namespace cistern::tsdb {

// Where one chunk lives and what it holds.
struct BlockChunkMeta {
  int64_t min_time = 0;  // timestamps of its first and last sample
  int64_t max_time = 0;
  uint32_t num_samples = 0;
  uint32_t frame = 0;   // frame number in the chunks file
  uint32_t offset = 0;  // within the frame's uncompressed bytes
  uint32_t length = 0;
  friend bool operator==(const BlockChunkMeta&, const BlockChunkMeta&) = default;
};

class IndexBuilder {
 public:
  // Series come in strictly ascending label order, each with >= 1 chunk in
  // time order.
  void AddSeries(const model::Labels& labels, std::vector<BlockChunkMeta> chunks);
  uint64_t num_series() const { return series_.size(); }
  // The whole index file.
  std::string Finish() const;

 private:
  struct Entry {
    model::Labels labels;
    std::vector<BlockChunkMeta> chunks;
  };
  std::vector<Entry> series_;
  uint64_t num_chunks_ = 0, num_samples_ = 0;
};

class BlockIndex final : public IndexReader {
 public:
  // `bytes` must outlive the BlockIndex. Errors are DataLoss
  // "index: offset N: <what>".
  static StatusOr<std::unique_ptr<BlockIndex>> Open(std::string_view bytes);

  // IndexReader (postings were verified by Open, so these cannot fail).
  Postings Get(std::string_view name, std::string_view value) const override;
  Postings Matching(std::string_view name, const std::function<bool(std::string_view)>& match) const override;
  Postings All() const override;

  // Decodes one series. DataLoss "index: series N: <what>" if malformed.
  Status ReadSeries(storage::SeriesRef ref, model::Labels* labels, std::vector<BlockChunkMeta>* chunks) const;
  // Visits every series in order, checking that labels ascend strictly and
  // that each chunk list is well-formed and passes `check_chunk` (which may
  // add its own conditions). Also checks the counts against the TOC.
  Status ValidateSeries(const std::function<Status(const BlockChunkMeta&)>& check_chunk) const;

  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;

  uint64_t num_series() const { return num_series_; }
  uint64_t num_chunks() const { return num_chunks_; }
  uint64_t num_samples() const { return num_samples_; }

 private:
  struct Value {
    std::string_view value;
    uint64_t postings_offset;  // within the postings section
    uint64_t postings_len;
  };
  struct Name {
    std::string_view name;
    std::vector<Value> values;  // ascending
  };

  BlockIndex() = default;
  Status ParseSymbols(std::string_view payload, uint64_t base);
  Status ParseLabels(std::string_view payload, uint64_t base);
  Status CheckPostings(uint64_t off, uint64_t len, uint64_t base) const;
  Postings DecodePostings(uint64_t off, uint64_t len) const;
  const Name* FindName(std::string_view name) const;
  // Decodes the series entry at `ref`; label symbol ids go to *ids (name,
  // value, name, ...) when given, else labels are materialised in *labels.
  Status DecodeSeries(storage::SeriesRef ref, std::vector<uint32_t>* ids, model::Labels* labels,
                      std::vector<BlockChunkMeta>* chunks, uint64_t* next) const;

  std::vector<std::string_view> symbols_;  // ascending
  std::string_view series_;                // section payloads
  std::string_view postings_;
  uint64_t series_base_ = 0;  // file offset of the series payload (for messages)
  std::vector<Name> names_;   // ascending
  uint64_t all_offset_ = 0, all_len_ = 0;
  uint64_t num_series_ = 0, num_chunks_ = 0, num_samples_ = 0;
};

}  // namespace cistern::tsdb
