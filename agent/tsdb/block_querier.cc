#include "agent/tsdb/block_querier.h"

#include <algorithm>

#include "agent/storage/series_list.h"
#include "agent/tsdb/block_chunk_codec.h"
#include "agent/tsdb/postings.h"

namespace cistern::tsdb {

// Decompressed frames kept per querier (64 KiB raw each by default): chunk
// frames, and timestamp frames (the few a target's chunks refer to, kept apart
// so that the chunk frames streaming past do not evict them).
inline constexpr size_t kFrameCacheFrames = 8;
inline constexpr size_t kTimestampFrameCacheFrames = 4;

struct BlockReadContext {
  explicit BlockReadContext(std::shared_ptr<const Block> b)
      : block(std::move(b)),
        tombstones(block->tombstones()),
        cache(&block->chunks(), kFrameCacheFrames, FrameKind::kChunks),
        ts_cache(&block->chunks(), kTimestampFrameCacheFrames, FrameKind::kTimestamps) {}
  // The deleted intervals of series `ref`, or null (shares the map).
  std::shared_ptr<const Intervals> Deleted(storage::SeriesRef ref) const {
    if (tombstones->empty()) return nullptr;
    auto it = tombstones->find(ref);
    if (it == tombstones->end()) return nullptr;
    return std::shared_ptr<const Intervals>(tombstones, &it->second);
  }
  const std::shared_ptr<const Block> block;
  const std::shared_ptr<const TombstoneMap> tombstones;  // as when the querier was made
  FrameCache cache;
  FrameCache ts_cache;
};

Status LoadBlockChunk(const Block& block, FrameCache* cache, FrameCache* ts_cache, const BlockChunkMeta& c,
                      std::vector<model::Sample>* out) {
  StatusOr<std::shared_ptr<const std::string>> frame = cache->Get(c.frame);
  if (!frame.ok()) return frame.status().Annotate(block.name());
  auto where = [&] {
    return block.name() + ": chunks: frame " + std::to_string(c.frame) + " offset " + std::to_string(c.offset) + ": ";
  };
  const std::string& raw = **frame;
  if (c.offset > raw.size() || c.length > raw.size() - c.offset) {
    return DataLossError(where() + "chunk outside the frame");
  }
  std::shared_ptr<const std::string> ts_frame;  // alive until the decode returns
  Status ts_err;
  auto ts_frames = [&](uint32_t i) -> StatusOr<std::string_view> {
    StatusOr<std::shared_ptr<const std::string>> f = ts_cache->Get(i);
    if (!f.ok()) {
      ts_err = f.status().Annotate(block.name());
      return ts_err;
    }
    ts_frame = *std::move(f);
    return std::string_view(*ts_frame);
  };
  Status s = DecodeBlockChunk(std::string_view(raw).substr(c.offset, c.length), static_cast<int>(c.num_samples),
                              ts_frames, out);
  if (!ts_err.ok()) return ts_err;
  if (!s.ok()) return DataLossError(where() + s.message());
  if (out->front().timestamp_ms != c.min_time || out->back().timestamp_ms != c.max_time) {
    return DataLossError(where() + "chunk: time range differs from the index");
  }
  return OkStatus();
}

namespace {

using ChunkList = std::vector<BlockChunkMeta>;

// The samples of a series' chunks (those overlapping [mint, maxt]) within
// [mint, maxt], decoding a chunk when first reached.
class BlockSeriesIterator final : public storage::SampleIterator {
 public:
  BlockSeriesIterator(std::shared_ptr<BlockReadContext> ctx, std::shared_ptr<const ChunkList> chunks, int64_t mint,
                      int64_t maxt)
      : ctx_(std::move(ctx)), chunks_(std::move(chunks)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (done_) return false;
    if (!started_) return Seek(mint_);
    if (++pos_ >= buf_.size()) {
      if (!Load(cur_ + 1)) return false;
      pos_ = 0;
    }
    return Check();
  }

  bool Seek(int64_t t) override {
    if (done_) return false;
    t = std::max(t, mint_);
    if (started_ && buf_[pos_].timestamp_ms >= t) return true;
    started_ = true;
    auto later = [t](const model::Sample& s, int64_t) { return s.timestamp_ms < t; };
    if (loaded_ && buf_.back().timestamp_ms >= t) {
      pos_ = static_cast<size_t>(std::lower_bound(buf_.begin() + static_cast<ptrdiff_t>(pos_), buf_.end(), t, later) -
                                 buf_.begin());
      return Check();
    }
    size_t i = loaded_ ? cur_ + 1 : 0;
    while (i < chunks_->size() && (*chunks_)[i].max_time < t) ++i;  // skipped undecoded
    if (!Load(i)) return false;
    pos_ = static_cast<size_t>(std::lower_bound(buf_.begin(), buf_.end(), t, later) - buf_.begin());
    return Check();
  }

  model::Sample At() const override { return buf_[pos_]; }
  Status Err() const override { return err_; }

 private:
  bool Load(size_t i) {
    if (i >= chunks_->size() || (*chunks_)[i].min_time > maxt_) {
      done_ = true;
      return false;
    }
    Status s = LoadBlockChunk(*ctx_->block, &ctx_->cache, &ctx_->ts_cache, (*chunks_)[i], &buf_);
    if (!s.ok()) {
      err_ = std::move(s);
      done_ = true;
      return false;
    }
    cur_ = i;
    loaded_ = true;
    return true;
  }
  bool Check() {
    if (pos_ >= buf_.size() || buf_[pos_].timestamp_ms > maxt_) {
      done_ = true;
      return false;
    }
    return true;
  }

  const std::shared_ptr<BlockReadContext> ctx_;
  const std::shared_ptr<const ChunkList> chunks_;
  const int64_t mint_, maxt_;
  std::vector<model::Sample> buf_;  // samples of chunk cur_
  size_t cur_ = 0, pos_ = 0;
  bool loaded_ = false, started_ = false, done_ = false;
  Status err_;
};

class BlockSeries final : public storage::Series {
 public:
  BlockSeries(model::Labels labels, std::shared_ptr<BlockReadContext> ctx,
              std::shared_ptr<const ChunkList> chunks, std::shared_ptr<const Intervals> deleted, int64_t mint,
              int64_t maxt)
      : labels_(std::move(labels)),
        ctx_(std::move(ctx)),
        chunks_(std::move(chunks)),
        deleted_(std::move(deleted)),
        mint_(mint),
        maxt_(maxt) {}
  const model::Labels& Labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> Iterator() const override {
    return NewDeletedFilterIterator(std::make_unique<BlockSeriesIterator>(ctx_, chunks_, mint_, maxt_),
                                    deleted_);
  }

 private:
  const model::Labels labels_;
  const std::shared_ptr<BlockReadContext> ctx_;
  const std::shared_ptr<const ChunkList> chunks_;
  const std::shared_ptr<const Intervals> deleted_;  // null: nothing deleted
  const int64_t mint_, maxt_;
};

// Walks the postings, decoding each series entry as it is reached.
class BlockSeriesSet final : public storage::SeriesSet {
 public:
  BlockSeriesSet(std::shared_ptr<BlockReadContext> ctx, Postings refs, int64_t mint, int64_t maxt)
      : ctx_(std::move(ctx)), refs_(std::move(refs)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    const Block& block = *ctx_->block;
    while (err_.ok() && next_ < refs_.size()) {
      model::Labels labels;
      storage::SeriesRef ref = refs_[next_++];
      Status s = block.index().ReadSeries(ref, &labels, &all_);
      if (!s.ok()) {
        err_ = s.Annotate(block.name());
        return false;
      }
      std::shared_ptr<const Intervals> deleted = ctx_->Deleted(ref);
      auto chunks = std::make_shared<ChunkList>();
      bool inside = false;  // some chunk lies wholly in range, nothing of it deleted: it has samples there
      for (const BlockChunkMeta& c : all_) {
        if (c.max_time < mint_ || c.min_time > maxt_) continue;
        if (deleted && Covers(*deleted, std::max(c.min_time, mint_), std::min(c.max_time, maxt_))) continue;
        chunks->push_back(c);
        inside = inside || (c.min_time >= mint_ && c.max_time <= maxt_ &&
                            !(deleted && Overlaps(*deleted, c.min_time, c.max_time)));
      }
      if (chunks->empty()) continue;
      if (!inside) {
        StatusOr<bool> has = HasSamplesInRange(*chunks, deleted.get());
        if (!has.ok()) {
          err_ = has.status();
          return false;
        }
        if (!*has) continue;
      }
      cur_ = std::make_shared<BlockSeries>(std::move(labels), ctx_, std::move(chunks), std::move(deleted),
                                           mint_, maxt_);
      return true;
    }
    return false;
  }
  const std::shared_ptr<storage::Series>& At() const override { return cur_; }
  Status Err() const override { return err_; }

 private:
  StatusOr<bool> HasSamplesInRange(const ChunkList& chunks, const Intervals* deleted) {
    for (const BlockChunkMeta& c : chunks) {
      CISTERN_RETURN_IF_ERROR(LoadBlockChunk(*ctx_->block, &ctx_->cache, &ctx_->ts_cache, c, &buf_));
      auto it = std::lower_bound(buf_.begin(), buf_.end(), mint_,
                                 [](const model::Sample& s, int64_t t) { return s.timestamp_ms < t; });
      for (; it != buf_.end() && it->timestamp_ms <= maxt_; ++it)
        if (deleted == nullptr || !IsDeleted(*deleted, it->timestamp_ms)) return true;
    }
    return false;
  }

  const std::shared_ptr<BlockReadContext> ctx_;
  const Postings refs_;
  const int64_t mint_, maxt_;
  size_t next_ = 0;
  ChunkList all_;
  std::vector<model::Sample> buf_;
  std::shared_ptr<storage::Series> cur_;
  Status err_;
};

}  // namespace

BlockQuerier::BlockQuerier(std::shared_ptr<const Block> block, int64_t mint, int64_t maxt)
    : ctx_(std::make_shared<BlockReadContext>(std::move(block))), mint_(mint), maxt_(maxt) {}

bool BlockQuerier::OutOfRange() const {
  const BlockMeta& m = ctx_->block->meta();
  return mint_ > maxt_ || maxt_ < m.min_time || mint_ >= m.max_time;
}

std::unique_ptr<storage::SeriesSet> BlockQuerier::Select(bool /*sorted: always*/, const storage::SelectHints* hints,
                                                         std::span<const storage::LabelMatcher> matchers) {
  int64_t mint = mint_, maxt = maxt_;
  if (hints != nullptr) {
    mint = hints->start_ms;
    maxt = hints->end_ms;
  }
  const BlockMeta& m = ctx_->block->meta();
  if (matchers.empty() || mint > maxt || maxt < m.min_time || mint >= m.max_time) {
    return storage::NewEmptySeriesSet();
  }
  Postings refs = PostingsForMatchers(ctx_->block->index(), matchers);
  return std::make_unique<BlockSeriesSet>(ctx_, std::move(refs), mint, maxt);
}

StatusOr<Postings> BlockQuerier::DeletedSeries() const {
  Postings out;
  const Block& block = *ctx_->block;
  model::Labels labels;
  std::vector<BlockChunkMeta> chunks;
  for (const auto& [ref, deleted] : *ctx_->tombstones) {
    CISTERN_RETURN_IF_ERROR(block.index().ReadSeries(ref, &labels, &chunks).Annotate(block.name()));
    bool all = true;
    for (const BlockChunkMeta& c : chunks) all = all && Covers(deleted, c.min_time, c.max_time);
    if (all) out.push_back(ref);  // the map is sorted by ref
  }
  return out;
}

StatusOr<Postings> BlockQuerier::LabelPostings(std::span<const storage::LabelMatcher> matchers,
                                               bool* all) const {
  const Block& block = *ctx_->block;
  CISTERN_ASSIGN_OR_RETURN(Postings deleted, DeletedSeries());
  *all = matchers.empty() && deleted.empty();
  if (*all) return Postings{};
  Postings refs = matchers.empty() ? block.index().All() : PostingsForMatchers(block.index(), matchers);
  return deleted.empty() ? refs : Without(refs, deleted);
}

StatusOr<std::vector<std::string>> BlockQuerier::LabelValues(std::string_view name,
                                                             std::span<const storage::LabelMatcher> matchers) {
  if (OutOfRange()) return std::vector<std::string>{};
  const Block& block = *ctx_->block;
  bool all;
  CISTERN_ASSIGN_OR_RETURN(Postings refs, LabelPostings(matchers, &all));
  if (all) return block.index().LabelValues(name);
  std::vector<std::string> out;
  model::Labels labels;
  std::vector<BlockChunkMeta> chunks;
  for (storage::SeriesRef ref : refs) {
    CISTERN_RETURN_IF_ERROR(block.index().ReadSeries(ref, &labels, &chunks).Annotate(block.name()));
    if (labels.Has(name)) out.emplace_back(labels.Get(name));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

StatusOr<std::vector<std::string>> BlockQuerier::LabelNames(std::span<const storage::LabelMatcher> matchers) {
  if (OutOfRange()) return std::vector<std::string>{};
  const Block& block = *ctx_->block;
  bool all;
  CISTERN_ASSIGN_OR_RETURN(Postings refs, LabelPostings(matchers, &all));
  if (all) return block.index().LabelNames();
  std::vector<std::string> out;
  model::Labels labels;
  std::vector<BlockChunkMeta> chunks;
  for (storage::SeriesRef ref : refs) {
    CISTERN_RETURN_IF_ERROR(block.index().ReadSeries(ref, &labels, &chunks).Annotate(block.name()));
    for (const model::Label& l : labels) out.push_back(l.name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace cistern::tsdb
