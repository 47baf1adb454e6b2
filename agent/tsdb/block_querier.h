// BlockQuerier: storage::Querier over one Block's samples in [mint, maxt].
//
// Select() intersects postings on the block's index (PostingsForMatchers),
// then walks the matching series in label order (series refs ascend with
// labels, so sorted and unsorted Select are the same), decoding each
// series' entry lazily as the set advances. Chunks are decompressed only when
// an iterator first reads them, through a small per-querier frame cache;
// chunks that end before a Seek target are skipped undecoded. A series whose
// chunks only partly overlap the range is checked for a sample in range
// before it is returned (the one case Select decodes).
//
// LabelNames / LabelValues read the label table (without matchers) or the
// labels of the matching series; like the head they do not look at samples,
// and they are empty when the block does not overlap [mint, maxt].
//
// Tombstones (as the block had them when the querier was made): deleted
// samples are skipped, a series with nothing left in range is not selected,
// and one with every sample deleted is left out of LabelNames / LabelValues
// too (which then read the labels of the remaining series).
//
// One thread at a time (as any Querier); its series and iterators keep the
// block alive and may be used after Close() and from other threads (one
// thread per iterator).
#pragma once

#include <memory>
#include <vector>

#include "agent/storage/querier.h"
#include "agent/tsdb/block.h"

namespace cistern::tsdb {

struct BlockReadContext;  // the block and a frame cache

class BlockQuerier final : public storage::Querier {
 public:
  BlockQuerier(std::shared_ptr<const Block> block, int64_t mint, int64_t maxt);

  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints* hints,
                                             std::span<const storage::LabelMatcher> matchers) override;
  StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                 std::span<const storage::LabelMatcher> matchers) override;
  StatusOr<std::vector<std::string>> LabelNames(std::span<const storage::LabelMatcher> matchers) override;
  Status Close() override { return OkStatus(); }

 private:
  bool OutOfRange() const;
  // Series whose every sample is deleted, ascending.
  StatusOr<Postings> DeletedSeries() const;
  // The series LabelNames / LabelValues read; *all when that is every
  // series and none is deleted (the label table answers then).
  StatusOr<Postings> LabelPostings(std::span<const storage::LabelMatcher> matchers, bool* all) const;

  std::shared_ptr<BlockReadContext> ctx_;  // shared with the series handed out
  const int64_t mint_, maxt_;
};

// Decodes chunk `c` of `block` into *out (through `cache` for its chunk frame
// and `ts_cache` for the timestamp frame it may refer to), checking it against
// its meta. DataLoss "block <ulid>: chunks: frame F offset O: <what>", or the
// frame's own error "block <ulid>: chunks: offset N: [timestamp ]frame F: ...".
Status LoadBlockChunk(const Block& block, FrameCache* cache, FrameCache* ts_cache, const BlockChunkMeta& c,
                      std::vector<model::Sample>* out);

}  // namespace cistern::tsdb
