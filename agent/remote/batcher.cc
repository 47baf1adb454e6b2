#include "agent/remote/batcher.h"

#include <algorithm>

namespace cistern::remote {

Batcher::Batcher(BatcherOptions options) : opts_(std::move(options)) { shards_.resize(std::max<size_t>(1, opts_.shards)); }

size_t Batcher::ShardOf(storage::SeriesRef ref, size_t n) {
  uint64_t h = static_cast<uint64_t>(ref) * 0x9E3779B97F4A7C15ULL;  // Fibonacci hashing: refs are dense
  return n <= 1 ? 0 : static_cast<size_t>((h >> 32) % n);
}

void Batcher::Reset(wal::Position at) {
  done_ = at;
  emitted_ack_ = std::max(emitted_ack_, at);
}

void Batcher::SetShards(size_t shards) { shards_.assign(std::max<size_t>(1, shards), Shard{}); }

const model::Labels* Batcher::Resolve(storage::SeriesRef ref, const model::Labels& in) {
  auto [it, fresh] = cache_.try_emplace(ref);
  Cached& c = it->second;
  if (fresh) {
    model::LabelsBuilder b(in);
    for (const model::Label& l : opts_.external_labels) {
      if (!in.Has(l.name)) b.Set(l.name, l.value);
    }
    c.labels = b.Build();
    if (opts_.relabel != nullptr && !opts_.relabel->empty()) c.dropped = !opts_.relabel->Apply(&c.labels);
  }
  return c.dropped ? nullptr : &c.labels;
}

void Batcher::EmitAckOnly(const Emit& emit) {
  // Nothing to send (all dropped or filtered): still move the cursor on, with
  // an ack-only entry, so the WAL can be truncated.
  if (done_ <= emitted_ack_) return;
  PendingRequest r;
  r.ack = done_;
  emitted_ack_ = done_;
  emit(std::move(r));
}

void Batcher::Cut(size_t shard, const Emit& emit) {
  Shard& s = shards_[shard];
  // Records before `ack` have no sample left in any other shard.
  wal::Position ack = done_;
  for (size_t i = 0; i < shards_.size(); ++i) {
    if (i != shard && shards_[i].pending > 0) ack = std::min(ack, shards_[i].first);
  }
  PendingRequest r;
  for (size_t i = 0; i < s.labels.size(); ++i) {
    encoder_.Add(*s.labels[i], s.samples[i]);
    s.samples[i].clear();
  }
  encoder_.Finish(&r.body);
  r.samples = s.pending;
  r.max_timestamp_ms = s.max_ts;
  r.shard = shard;
  r.ack = ack;
  emitted_ack_ = std::max(emitted_ack_, ack);
  pending_ -= s.pending;
  s.labels.clear();
  s.index.clear();
  s.pending = 0;
  emit(std::move(r));
}

void Batcher::Add(const wal::ReadBatch& batch, int64_t now_ms, const Emit& emit) {
  int64_t oldest = opts_.sample_age_limit.count() > 0 ? now_ms - opts_.sample_age_limit.count() : INT64_MIN;
  const size_t n = shards_.size();
  for (size_t i = 0; i < batch.samples.size(); ++i) {
    const wal::SampleRef& sample = batch.samples[i];
    const model::Labels* labels = Resolve(sample.ref, *batch.labels[i]);
    if (labels == nullptr) {
      ++counts_.dropped_relabel;
      continue;
    }
    if (sample.timestamp_ms < oldest) {
      ++counts_.dropped_too_old;
      continue;
    }
    size_t k = ShardOf(sample.ref, n);
    Shard& s = shards_[k];
    if (s.pending == 0) {
      s.first = done_;  // this record started where the previous one ended
      s.max_ts = sample.timestamp_ms;
    }
    auto [it, fresh] = s.index.try_emplace(sample.ref, s.labels.size());
    if (fresh) {
      s.labels.push_back(labels);  // stable: cache_ entries are never erased
      if (s.samples.size() < s.labels.size()) s.samples.emplace_back();
    }
    s.samples[it->second].push_back({sample.timestamp_ms, sample.value});
    s.max_ts = std::max(s.max_ts, sample.timestamp_ms);
    ++pending_;
    if (++s.pending >= opts_.max_samples_per_send) Cut(k, emit);  // this record continues in the next request
  }
  done_ = std::max(done_, batch.end);  // the whole record is in shards now
}

void Batcher::Flush(const Emit& emit) {
  for (size_t k = 0; k < shards_.size(); ++k) {
    if (shards_[k].pending > 0) Cut(k, emit);
  }
  EmitAckOnly(emit);
}

}  // namespace cistern::remote
