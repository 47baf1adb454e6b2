// Batcher: turns WAL read batches into remote-write request bodies, spread
// over `shards` parallel lanes. Applies external labels (they never override
// a series' own labels), then write_relabel_configs (Prometheus' order),
// caches the result per series ref, drops samples older than
// sample_age_limit, puts every series on one shard (a hash of its ref, so its
// samples stay in timestamp order), groups samples by series, and cuts a
// shard's request at max_samples_per_send.
//
// Each request knows the WAL position it may acknowledge once it and every
// request cut before it are delivered (AckTracker): the end of the last WAL
// record none of whose samples are still waiting in a shard.
// Used by one thread (the lane's reader thread).
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/base/units.h"
#include "agent/model/relabel.h"
#include "agent/remote/codec.h"
#include "agent/remote/request_encoder.h"
#include "agent/wal/wal.h"

namespace cistern::remote {

struct PendingRequest {
  std::string body;    // snappy-compressed WriteRequest; empty: an ack-only entry (nothing to send)
  size_t samples = 0;
  int64_t max_timestamp_ms = 0;
  size_t shard = 0;
  wal::Position ack;   // safe to acknowledge once this and every earlier request are delivered
  uint64_t seq = 0;    // set by the lane (AckTracker)
};

struct BatcherOptions {
  size_t max_samples_per_send = 2000;
  size_t shards = 1;
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
  explicit Batcher(BatcherOptions options);

  // Where reading starts (or jumps to): the position before the next batch.
  // Only with nothing pending (Flush first).
  void Reset(wal::Position at);
  // Adds one WAL batch (its samples, then its end position). `now_ms` for the age limit.
  void Add(const wal::ReadBatch& batch, int64_t now_ms, const Emit& emit);
  // Emits every partial request (batch_send_deadline reached), or an ack-only
  // entry if nothing is pending but the position moved.
  void Flush(const Emit& emit);
  // Changes the number of shards. Only with nothing pending (Flush first).
  void SetShards(size_t shards);
  size_t shards() const { return shards_.size(); }
  size_t pending_samples() const { return pending_; }
  const BatcherCounts& counts() const { return counts_; }
  // The shard of a series ref for `n` shards.
  static size_t ShardOf(storage::SeriesRef ref, size_t n);

 private:
  struct Shard {
    // The request being built: series in first-seen order, each pointing at
    // its cached labels; sample vectors are reused across requests.
    std::vector<const model::Labels*> labels;
    std::vector<std::vector<model::Sample>> samples;  // [0, labels.size()) in use
    std::unordered_map<storage::SeriesRef, size_t> index;  // ref -> position in labels
    size_t pending = 0;
    int64_t max_ts = 0;
    wal::Position first;  // start of the WAL record of the oldest pending sample
  };
  const model::Labels* Resolve(storage::SeriesRef ref, const model::Labels& in);
  void Cut(size_t shard, const Emit& emit);
  void EmitAckOnly(const Emit& emit);

  BatcherOptions opts_;
  struct Cached {
    bool dropped = false;
    model::Labels labels;
  };
  std::unordered_map<storage::SeriesRef, Cached> cache_;
  std::vector<Shard> shards_;
  RequestEncoder encoder_;
  size_t pending_ = 0;
  wal::Position done_;         // end of the last WAL record fully handed to shards
  wal::Position emitted_ack_;  // highest ack handed out
  BatcherCounts counts_;
};

}  // namespace cistern::remote
