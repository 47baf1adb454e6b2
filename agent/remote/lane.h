// Lane: one WAL cursor of a remote-write endpoint, sent on parallel shards.
//
// A reader thread follows the cursor, batches samples into encoded requests
// per shard (Batcher: one series always on one shard) and queues a bounded
// number of them; the loop thread keeps one request in flight per shard, so a
// series' samples are delivered in timestamp order. Network errors, 5xx and
// 429 are retried with backoff and jitter (Retry-After honoured), other 4xx
// dropped and counted. The cursor advances only past requests that are done
// and all of whose predecessors are done (AckTracker); it is persisted about
// once a second by the reader thread.
//
// An endpoint runs a live lane (its main cursor) and, with live_first, a
// backlog lane for the range [start, end) the live lane jumped over:
//  - live lane, split allowed: on reading samples older than live_threshold
//    it persists a backlog cursor named "<cursor>.backlog-<segment>-<offset>"
//    (the end is in the name, so one atomic write records the whole range)
//    at the start, jumps to the end of the WAL and reports the split.
//  - backlog lane: reads until `end`, waits for delivery, removes its cursor
//    and reports that it finished.
// Resharding: the reader flushes, waits until every shard is idle, then
// changes the count, so per-series order holds across the change.
//
// Threads: the constructor, Start, Stop, SetDesiredShards and all sending on
// the loop thread; the reader thread is internal. `wal`, `opts`, `metrics`,
// `client` and `relabel` must outlive the Lane.
#pragma once

#include <uv.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "agent/loop/handle.h"
#include "agent/obs/log.h"
#include "agent/remote/ack_tracker.h"
#include "agent/remote/batcher.h"
#include "agent/remote/endpoint.h"
#include "agent/remote/retry.h"
#include "agent/wal/wal.h"

namespace cistern::remote {

struct BacklogRange {
  std::string cursor;  // its WAL cursor (the name encodes `end`)
  wal::Position start, end;
};

// "<lane cursor>.backlog-<segment>-<offset>" and back.
std::string BacklogCursorName(const std::string& lane_cursor, wal::Position end);
std::optional<wal::Position> ParseBacklogCursorName(const std::string& lane_cursor, const std::string& name);

struct LaneConfig {
  std::string cursor;                  // WAL cursor this lane follows
  wal::Position from;                  // where it starts (the cursor's position)
  std::optional<wal::Position> stop_at;  // backlog lane: its range ends here
  std::optional<BacklogRange> skip;    // live lane: a range a backlog lane sends
  bool allow_split = false;            // live lane with live_first and no backlog
  bool draining = false;               // backlog lane: max_drain_rate and reconnect_jitter always apply
  size_t shards = 1;
  std::function<void(BacklogRange)> on_split;  // loop thread
  std::function<void()> on_finished;           // loop thread (backlog lane reached its end, all delivered)
};

class Lane {
 public:
  Lane(uv_loop_t* loop, wal::Wal* wal, const EndpointOptions* opts, EndpointMetrics* metrics,
       net::HttpClient* client, const model::Relabeler* relabel, LaneConfig config);
  ~Lane();
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  void Start();
  // Stops reading and sending, persists the cursor (off the loop thread); `done` after that.
  void Stop(std::function<void()> done);

  // Allows the next split (the backlog lane finished).
  void AllowSplit() { allow_split_ = true; }
  void SetDesiredShards(size_t n) { desired_shards_ = n; }
  size_t shards() const { return active_shards_; }
  // Samples this lane delivered (loop thread).
  uint64_t sent_samples() const { return sent_total_; }

  // For the resharder, taken and reset each interval (loop thread).
  struct Stats {
    double samples_in = 0, samples_out = 0, send_seconds = 0, pending = 0;
    bool failing = false, backlog = false;
  };
  Stats TakeStats();

 private:
  struct Shard {
    std::deque<PendingRequest> queue;  // under mu_
    // loop thread only
    std::optional<PendingRequest> current;
    bool in_flight = false;
    Backoff backoff;
    std::unique_ptr<loop::Timer> timer;
    int64_t started_ns = 0;
    explicit Shard(Duration min, Duration max) : backoff(min, max) {}
  };

  // reader thread
  void ReaderLoop();
  void Emit(PendingRequest r);
  bool WaitIdle();
  bool Sleep(Duration d);
  bool Split(wal::Position start, std::unique_ptr<wal::Reader>* reader, Batcher* batcher);
  void PersistAck(bool force);
  bool Finish(Batcher* batcher);

  // loop thread
  void OnWake();
  void SendNext(size_t k);
  int64_t PaceMillis(const PendingRequest& r);  // max_drain_rate: how long request `r` must wait
  void SendCurrent(size_t k);
  void OnResponse(size_t k, StatusOr<net::ClientResponse> r);
  void Completed(size_t k);

  uv_loop_t* loop_;
  wal::Wal* wal_;
  const EndpointOptions* opts_;
  EndpointMetrics* m_;
  net::HttpClient* client_;
  const model::Relabeler* relabel_;
  LaneConfig cfg_;
  std::unique_ptr<loop::Async> wake_;
  std::vector<std::unique_ptr<Shard>> shards_;  // max_shards of them; the first active_shards_ take new requests

  // shared with the reader thread
  std::mutex mu_;
  std::condition_variable space_;  // the sender finished or took a request
  AckTracker tracker_;
  size_t pending_samples_ = 0;  // in queued and in-flight requests
  std::optional<BacklogRange> split_event_;
  bool finished_event_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<bool> allow_split_{false};
  std::atomic<size_t> desired_shards_{1};
  std::atomic<size_t> active_shards_{1};
  std::atomic<uint64_t> samples_read_{0};
  std::atomic<bool> reading_backlog_{false};
  std::thread reader_;

  // reader thread only
  wal::Position persisted_;
  int64_t last_persist_ns_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
  wal::Position skip_start_, skip_end_;
  bool has_skip_ = false;
  bool backlog_seen_ = false;  // reading old samples since the last fresh batch

  // loop thread only
  bool stopped_ = false;
  bool started_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // response callbacks after destruction see it expired
  std::mt19937_64 loop_rng_{std::random_device{}()};
  uint64_t sent_total_ = 0;
  int64_t next_send_ns_ = 0;  // max_drain_rate pacing
  Stats stats_;
  uint64_t samples_read_reported_ = 0;
  obs::RateLimiter drop_log_{3, 60000};
  obs::RateLimiter retry_log_{1, 10000};
};

}  // namespace cistern::remote
