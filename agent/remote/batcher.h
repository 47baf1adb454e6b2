// Batcher: turns WAL read batches into remote-write request bodies.
// Applies external labels (they never override a series' own labels), then
// write_relabel_configs (Prometheus' order), caches the result per series ref,
// drops samples older than sample_age_limit, groups samples by series, and
// cuts requests at max_samples_per_send. Each request knows the WAL position
// it may acknowledge once delivered: the end of the last WAL record all of
// whose samples are in it or in earlier requests.
// Used by one thread (the endpoint's reader thread).
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/base/units.h"
#include "agent/model/relabel.h"
#include "agent/remote/codec.h"
#include "agent/wal/wal.h"

namespace cistern::remote {

struct PendingRequest {
  std::string body;    // snappy-compressed WriteRequest; empty: an ack-only entry (nothing to send)
  size_t samples = 0;
  int64_t max_timestamp_ms = 0;
  wal::Position ack;   // safe to acknowledge once this request is delivered
};

struct BatcherOptions {
  size_t max_samples_per_send = 2000;
  model::Labels external_labels;
  const model::Relabeler* relabel = nullptr;  // may be null
  Duration sample_age_limit{0};               // 0: off
};

struct BatcherCounts {
  uint64_t dropped_relabel = 0;  // samples of series dropped by write_relabel_configs
  uint64_t dropped_too_old = 0;  // samples older than sample_age_limit
};

class Batcher {
 public:
  using Emit = std::function<void(PendingRequest)>;
  explicit Batcher(BatcherOptions options) : opts_(std::move(options)) {}

  // Adds one WAL batch (its samples, then its end position). `now_ms` for the age limit.
  void Add(const wal::ReadBatch& batch, int64_t now_ms, const Emit& emit);
  // Emits the partial request, if any (batch_send_deadline reached).
  void Flush(const Emit& emit);
  size_t pending_samples() const { return pending_; }
  const BatcherCounts& counts() const { return counts_; }

 private:
  const model::Labels* Resolve(storage::SeriesRef ref, const model::Labels& in);
  void Cut(wal::Position ack, const Emit& emit);

  BatcherOptions opts_;
  struct Cached {
    bool dropped = false;
    model::Labels labels;
  };
  std::unordered_map<storage::SeriesRef, Cached> cache_;
  WriteRequest req_;
  std::unordered_map<storage::SeriesRef, size_t> index_;  // ref -> position in req_.timeseries
  size_t pending_ = 0;
  int64_t max_ts_ = 0;
  wal::Position done_;         // end of the last WAL record fully handed to requests
  wal::Position emitted_ack_;  // highest ack handed out
  BatcherCounts counts_;
};

}  // namespace cistern::remote
