// QueueManager: one remote-write endpoint. A reader thread follows the
// endpoint's durable WAL cursor, batches samples into encoded requests
// (Batcher) and queues a bounded number of them; the loop thread sends them
// in order with the HTTP client, retrying network errors, 5xx and 429 with
// exponential backoff and jitter (honouring Retry-After), dropping and
// counting other 4xx. The cursor advances only past delivered (or dropped)
// requests and is persisted about once a second, off the loop thread.
//
// This version sends on one in-order lane (one shard); parallel shards,
// resharding and live_first catch-up are not implemented yet.
//
// Start/Stop on the loop thread. Metrics, per endpoint (`remote` label):
//   cistern_remote_samples_sent_total, cistern_remote_samples_retried_total,
//   cistern_remote_samples_dropped_total{reason}, cistern_remote_pending_samples,
//   cistern_remote_highest_sent_timestamp_seconds, cistern_remote_lag_seconds,
//   cistern_remote_shards, cistern_remote_request_duration_seconds
#pragma once

#include <uv.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/base/units.h"
#include "agent/loop/handle.h"
#include "agent/model/relabel.h"
#include "agent/net/http_client.h"
#include "agent/obs/log.h"
#include "agent/obs/metrics.h"
#include "agent/remote/batcher.h"
#include "agent/remote/retry.h"
#include "agent/wal/wal.h"

namespace cistern::remote {

struct EndpointOptions {
  std::string name;  // cursor name and `remote` label
  std::string url;
  net::HttpClientOptions client;
  size_t max_samples_per_send = 2000;
  Duration batch_send_deadline{5000};
  Duration min_backoff{30};
  Duration max_backoff{5000};
  model::Labels external_labels;
  std::vector<model::RelabelRule> relabel;
  Duration sample_age_limit{0};
  size_t max_queued_requests = 16;  // encoded requests waiting for the sender
  Duration ack_interval{1000};      // how often the cursor is persisted
};

class QueueManager {
 public:
  // `wal` must outlive this object.
  QueueManager(uv_loop_t* loop, wal::Wal* wal, EndpointOptions options, obs::Registry* metrics);
  ~QueueManager();
  QueueManager(const QueueManager&) = delete;
  QueueManager& operator=(const QueueManager&) = delete;

  Status Start();
  // Stops reading and sending, persists the cursor; `done` after that.
  void Stop(std::function<void()> done);

  const std::string& name() const { return opts_.name; }

 private:
  struct Metrics;
  void ReaderLoop(wal::Position from);
  void PersistAck(bool force);
  void OnWake();
  void SendNext();
  void SendCurrent();
  void OnResponse(StatusOr<net::ClientResponse> r);

  uv_loop_t* loop_;
  wal::Wal* wal_;
  EndpointOptions opts_;
  std::unique_ptr<Metrics> m_;
  model::Relabeler relabeler_;
  std::unique_ptr<net::HttpClient> client_;
  std::unique_ptr<loop::Async> wake_;
  std::unique_ptr<loop::Timer> backoff_timer_;
  Backoff backoff_;

  // shared with the reader thread
  std::mutex mu_;
  std::condition_variable space_;  // the sender took a request off the queue
  std::deque<PendingRequest> queue_;
  wal::Position delivered_;        // highest position delivered (or dropped)
  std::atomic<bool> stop_{false};
  std::thread reader_;

  // loop thread only
  std::optional<PendingRequest> current_;
  bool in_flight_ = false;
  bool stopped_ = false;
  int64_t send_started_ns_ = 0;
  wal::Position persisted_;
  int64_t last_persist_ns_ = 0;
  obs::RateLimiter drop_log_{3, 60000};
  obs::RateLimiter retry_log_{1, 10000};
};

}  // namespace cistern::remote
