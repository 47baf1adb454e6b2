// What one remote-write endpoint is configured with, and the self metrics its
// lanes share (all thread-safe counters and gauges, `remote` label).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/base/units.h"
#include "agent/model/labels.h"
#include "agent/model/relabel.h"
#include "agent/net/http_client.h"
#include "agent/obs/metrics.h"

namespace cistern::remote {

struct EndpointOptions {
  std::string name;  // cursor name and `remote` label
  std::string url;
  net::HttpClientOptions client;
  size_t max_samples_per_send = 2000;
  Duration batch_send_deadline{5000};
  Duration min_backoff{30};
  Duration max_backoff{5000};
  size_t min_shards = 1;
  size_t max_shards = 1;
  model::Labels external_labels;
  std::vector<model::RelabelRule> relabel;
  Duration sample_age_limit{0};
  // live_first: when the lane reads samples older than live_threshold, the
  // rest of the backlog moves to a second cursor and the live lane jumps to
  // the end of the WAL.
  bool live_first = false;
  double max_drain_rate = 0;        // samples/s while draining a backlog; 0: unlimited
  Duration reconnect_jitter{0};     // random delay, up to this, before draining a backlog after an outage
  Duration live_threshold{60000};   // samples older than this (when read) mean a backlog
  Duration reshard_interval{10000};
  size_t max_queued_requests = 16;  // encoded requests waiting for the sender, per lane
  Duration ack_interval{1000};      // how often cursors are persisted
};

struct EndpointMetrics {
  EndpointMetrics(obs::Registry* r, const std::string& name);
  obs::Counter* Dropped(const std::string& reason) { return dropped->With({name, reason}); }

  std::string name;
  obs::Counter *sent, *retried, *requests_failed;
  obs::CounterFamily* dropped;
  obs::Gauge *pending, *highest, *lag, *shards, *backlog_lanes;
  obs::Histogram* duration;
};

}  // namespace cistern::remote
