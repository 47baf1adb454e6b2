// QueueManager: one remote-write endpoint. It owns the HTTP client and runs
// a live Lane on the endpoint's durable WAL cursor; with catch_up =
// "live_first" the live lane hands an old backlog to a second Lane (its own
// cursor) that drains behind it, so fresh samples reach the receiver at once.
// Every reshard_interval it sizes the live lane's shards from what it
// observed (Resharder) and logs catch-up progress while a backlog drains.
//
// Start/Stop on the loop thread. Metrics, per endpoint (`remote` label):
//   cistern_remote_samples_sent_total, cistern_remote_samples_retried_total,
//   cistern_remote_samples_dropped_total{reason}, cistern_remote_requests_failed_total,
//   cistern_remote_pending_samples, cistern_remote_highest_sent_timestamp_seconds,
//   cistern_remote_lag_seconds, cistern_remote_shards, cistern_remote_backlog_draining,
//   cistern_remote_request_duration_seconds
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <vector>

#include "agent/loop/handle.h"
#include "agent/model/relabel.h"
#include "agent/net/http_client.h"
#include "agent/obs/metrics.h"
#include "agent/remote/endpoint.h"
#include "agent/remote/lane.h"
#include "agent/remote/resharder.h"
#include "agent/wal/wal.h"

namespace cistern::remote {

class QueueManager {
 public:
  // `wal` must outlive this object.
  QueueManager(uv_loop_t* loop, wal::Wal* wal, EndpointOptions options, obs::Registry* metrics);
  ~QueueManager();
  QueueManager(const QueueManager&) = delete;
  QueueManager& operator=(const QueueManager&) = delete;

  Status Start();
  // Stops reading and sending, persists the cursors; `done` after that.
  void Stop(std::function<void()> done);

  const std::string& name() const { return opts_.name; }

 private:
  std::unique_ptr<Lane> NewLane(LaneConfig config);
  void StartBacklog(BacklogRange range);
  void OnBacklogFinished();
  void Retire(std::unique_ptr<Lane> lane);
  void Tick();
  void MaybeFinishStop();

  uv_loop_t* loop_;
  wal::Wal* wal_;
  EndpointOptions opts_;
  std::unique_ptr<EndpointMetrics> m_;
  model::Relabeler relabeler_;
  std::unique_ptr<net::HttpClient> client_;
  std::unique_ptr<Lane> live_, backlog_;
  std::vector<std::unique_ptr<Lane>> retired_;  // stopping
  std::unique_ptr<loop::Timer> tick_;
  Resharder resharder_;
  int64_t last_tick_ns_ = 0;
  int64_t backlog_started_ns_ = 0;
  BacklogRange backlog_range_;
  bool stopping_ = false;
  std::function<void()> stop_done_;
};

}  // namespace cistern::remote
