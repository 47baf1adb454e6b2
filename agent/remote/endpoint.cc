#include "agent/remote/endpoint.h"

namespace cistern::remote {

EndpointMetrics::EndpointMetrics(obs::Registry* r, const std::string& name) : name(name) {
  sent = r->NewCounterFamily("cistern_remote_samples_sent_total", "Samples delivered to the endpoint.", {"remote"})
             ->With({name});
  retried = r->NewCounterFamily("cistern_remote_samples_retried_total", "Samples in requests that were retried.",
                                {"remote"})->With({name});
  requests_failed = r->NewCounterFamily("cistern_remote_requests_failed_total",
                                        "Requests that got no 2xx (retried or dropped).", {"remote"})->With({name});
  dropped = r->NewCounterFamily("cistern_remote_samples_dropped_total",
                                "Samples not delivered, by reason (http_4xx: refused by the receiver; relabel; too_old).",
                                {"remote", "reason"});
  pending = r->NewGaugeFamily("cistern_remote_pending_samples", "Samples encoded and waiting to be sent.", {"remote"})
                ->With({name});
  highest = r->NewGaugeFamily("cistern_remote_highest_sent_timestamp_seconds",
                              "Newest sample timestamp delivered to the endpoint.", {"remote"})->With({name});
  lag = r->NewGaugeFamily("cistern_remote_lag_seconds", "Now minus the newest delivered sample timestamp.", {"remote"})
            ->With({name});
  shards = r->NewGaugeFamily("cistern_remote_shards", "Parallel sending lanes, over the live and backlog lanes.",
                             {"remote"})->With({name});
  backlog_lanes = r->NewGaugeFamily("cistern_remote_backlog_draining",
                                    "1 while a live_first backlog drains behind the live lane.", {"remote"})
                      ->With({name});
  duration = r->NewHistogramFamily("cistern_remote_request_duration_seconds", "Remote-write request latency.",
                                   {"remote"}, obs::DefaultDurationBuckets())->With({name});
}

}  // namespace cistern::remote
