#include "agent/remote/batcher.h"

#include <algorithm>

namespace cistern::remote {

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

void Batcher::Cut(wal::Position ack, const Emit& emit) {
  if (pending_ == 0) {
    // Nothing to send (all dropped or filtered): still move the cursor on,
    // with an ack-only entry, so the WAL can be truncated.
    if (ack > emitted_ack_) {
      PendingRequest r;
      r.ack = ack;
      emitted_ack_ = ack;
      emit(std::move(r));
    }
    return;
  }
  PendingRequest r;
  EncodeWriteRequest(req_, &r.body);
  r.samples = pending_;
  r.max_timestamp_ms = max_ts_;
  r.ack = ack;
  emitted_ack_ = std::max(emitted_ack_, ack);
  req_.timeseries.clear();
  index_.clear();
  pending_ = 0;
  max_ts_ = 0;
  emit(std::move(r));
}

void Batcher::Add(const wal::ReadBatch& batch, int64_t now_ms, const Emit& emit) {
  int64_t oldest = opts_.sample_age_limit.count() > 0 ? now_ms - opts_.sample_age_limit.count() : INT64_MIN;
  for (size_t i = 0; i < batch.samples.size(); ++i) {
    const wal::SampleRef& s = batch.samples[i];
    const model::Labels* labels = Resolve(s.ref, *batch.labels[i]);
    if (labels == nullptr) {
      ++counts_.dropped_relabel;
      continue;
    }
    if (s.timestamp_ms < oldest) {
      ++counts_.dropped_too_old;
      continue;
    }
    auto [it, fresh] = index_.try_emplace(s.ref, req_.timeseries.size());
    if (fresh) req_.timeseries.push_back({*labels, {}});
    req_.timeseries[it->second].samples.push_back({s.timestamp_ms, s.value});
    max_ts_ = std::max(max_ts_, s.timestamp_ms);
    if (++pending_ >= opts_.max_samples_per_send) Cut(done_, emit);  // this record continues in the next request
  }
  done_ = std::max(done_, batch.end);  // the whole record is in requests now
}

void Batcher::Flush(const Emit& emit) { Cut(done_, emit); }

}  // namespace cistern::remote
