// The beacon endpoint without sockets: an HTTP request in, a response out,
// and the aggregated state behind it (pages, per-id state, histograms). The
// plugin (webvitals_plugin.cc) routes the HTTP server's requests here and
// calls Flush every collection; tests and the fuzz target drive it directly.
//
// Per request, in order: rate limit per client (429, Retry-After: 1); Origin
// not allowed (403); OPTIONS preflight (204); body over max_body (413);
// parse; each metric accepted is folded into its id's state; 204 if all were
// accepted, else 400 listing what was refused (the rest is kept, as
// Prometheus' remote-write receiver does). Requests without an Origin header
// (not from a browser page) are not subject to CORS.
//
// Self-metrics (obs::Registry, shared by every instance):
//   cistern_webvitals_requests_total{code}          responses by status code
//   cistern_webvitals_beacons_total{outcome}        metrics accepted: new id, updated (a repeat folded
//                                                   into a pending id), late (a repeat after it was counted:
//                                                   ignored)
//   cistern_webvitals_rejected_total{reason}        metrics or requests refused (rejection.h)
//   cistern_webvitals_page_overflow_total           metrics whose page went to page="other" (max_pages)
//   cistern_webvitals_ids_evicted_total             ids counted early because max_ids were held
//   cistern_webvitals_ids{state}                    ids held: pending, observed
//   cistern_webvitals_pages                         distinct page labels (of max_pages)
//   cistern_webvitals_series                        histogram series
//
// Loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "agent/base/status.h"
#include "agent/net/http_server.h"
#include "agent/obs/metrics.h"
#include "agent/storage/appender.h"
#include "plugins/webvitals/beacon_parser.h"
#include "plugins/webvitals/cors.h"
#include "plugins/webvitals/histogram_set.h"
#include "plugins/webvitals/id_tracker.h"
#include "plugins/webvitals/page_normalizer.h"
#include "plugins/webvitals/page_table.h"
#include "plugins/webvitals/rate_limiter.h"
#include "plugins/webvitals/rejection.h"

namespace cistern::plugins::webvitals {

struct HandlerOptions {
  size_t max_body = 64 << 10;
  double rate_limit_per_ip = 50;  // requests per second and client, burst the same; <= 0: off
  // "" = the peer address. "X-Forwarded-For": its last entry (what the proxy
  // in front saw); any other header: its whole value.
  std::string client_ip_header;
  size_t max_pages = 500;
  IdTrackerOptions ids;
};

class BeaconHandler {
 public:
  BeaconHandler(HandlerOptions options, CorsPolicy cors, PageNormalizer pages, obs::Registry* metrics);
  ~BeaconHandler();
  BeaconHandler(const BeaconHandler&) = delete;
  BeaconHandler& operator=(const BeaconHandler&) = delete;

  // `now_ms`: a monotonic clock (the loop's), for rate limits and id ages.
  net::HttpResponse Handle(const net::HttpRequest& request, int64_t now_ms);

  // Observes the ids that settled, then appends every histogram at `timestamp_ms`.
  Status Flush(int64_t now_ms, int64_t timestamp_ms, storage::Appender& appender);
  // Shutdown: observes every pending id (Flush afterwards to append them).
  void ObserveAll();

  // Refusals of the HTTP layer before the handler (the plugin reports them).
  void CountRejected(RejectReason reason, double n = 1);

  const HistogramSet& histograms() const { return histograms_; }
  const PageTable& pages() const { return pages_; }
  const IdTracker& ids() const { return ids_; }

 private:
  struct Metrics;
  net::HttpResponse Finish(net::HttpResponse r, const std::string* origin, bool origin_allowed);
  std::string ClientOf(const net::HttpRequest& request) const;
  void UpdateGauges();

  HandlerOptions options_;
  CorsPolicy cors_;
  PageNormalizer normalizer_;
  std::unique_ptr<Metrics> metrics_;
  BeaconParser parser_;
  RateLimiter limiter_;
  PageTable pages_;
  HistogramSet histograms_;
  IdTracker ids_;
  uint64_t evicted_seen_ = 0;
};

}  // namespace cistern::plugins::webvitals
