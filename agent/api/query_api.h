// The Prometheus HTTP API (v1) of server and run modes, with Prometheus
// 2.42's parameters, JSON shapes, error types and texts, so that Grafana's
// Prometheus data source and promtool work unchanged:
//
//   /api/v1/query, /api/v1/query_range        GET, POST  PromQL (promql::Engine)
//   /api/v1/series, /api/v1/labels            GET, POST  match[], start, end
//   /api/v1/label/<name>/values               GET        match[], start, end
//   /api/v1/format_query                      GET, POST
//   /api/v1/query_exemplars                   GET, POST  (none kept: [])
//   /api/v1/metadata                          GET        (none kept: {})
//   /api/v1/status/{buildinfo,config,flags,runtimeinfo,tsdb}  GET
//   /api/v1/targets                           GET        the inputs, with health and last error
//   /api/v1/rules, /api/v1/alerts                            GET (empty: no rule engine yet)
//   /federate                                 GET        text format, latest sample per series
//
// Errors: {"status":"error","errorType":T,"error":"..."} with T = bad_data
// (400), execution (422), timeout and canceled (503), internal (500). The
// engine's codes map as Prometheus' returnAPIError: DeadlineExceeded ->
// timeout, Cancelled -> canceled, anything else at evaluation -> execution
// (Prometheus answers runtime errors such as duplicate series with 422 too;
// only parse and parameter errors are bad_data).
//
// Threads: handlers run on the loop thread only to parse the form; whatever
// parses PromQL or reads the store runs on the API's own QueryPool
// (max_concurrency threads), and the answer goes back on the loop. The
// per-query timeout is the `timeout` parameter capped by the configured one,
// counted from the request's arrival (time waiting for a worker included).
// Destroying the QueryApi cancels running queries (QueryOptions::cancel),
// answers queued ones with 503 canceled and joins the threads.
//
// Self metrics:
//   cistern_query_requests_total{endpoint,code}     answered requests
//   cistern_query_duration_seconds{endpoint}        arrival to answer
//   cistern_query_active                            requests running on a worker
//   cistern_query_queued                            requests waiting for a worker
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/api/query_params.h"
#include "agent/api/query_pool.h"
#include "agent/base/status.h"
#include "agent/model/labels.h"
#include "agent/net/http_server.h"
#include "agent/obs/metrics.h"
#include "agent/promql/engine.h"
#include "agent/storage/querier.h"

namespace cistern::api {

// /api/v1/status/runtimeinfo fields the process knows (the rest the API fills).
struct RuntimeState {
  bool reload_config_success = true;
  int64_t last_config_time_ms = 0;  // 0: the API's start
  int64_t corruption_count = 0;
};

// /api/v1/status/buildinfo.
struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  std::string go_version;  // the compiler, for us
};

// /api/v1/status/tsdb headStats.
struct HeadSummary {
  uint64_t num_series = 0;
  uint64_t chunk_count = 0;
  int64_t min_time = storage::kMaxTime;  // as Prometheus for an empty head
  int64_t max_time = storage::kMinTime;
};

// One collecting input as /api/v1/targets reports it (Prometheus' active
// target shape; an input is a target scraped in-process).
struct TargetInfo {
  std::string pool;          // scrapePool: the input's id ("host", "redis[0]")
  std::string url;           // scrapeUrl / globalUrl: what it collects from
  model::Labels labels;      // the target labels its samples get (job, instance)
  std::string health;        // "up", "down", "unknown" (not collected yet)
  std::string last_error;
  int64_t last_scrape_ms = 0;  // 0: never
  double last_duration_seconds = 0;
  int64_t interval_ms = 0;
};

struct QueryApiOptions {
  int64_t timeout_ms = 2 * 60 * 1000;         // [query] timeout: cap of the `timeout` parameter
  int64_t lookback_delta_ms = 5 * 60 * 1000;  // /federate's window (the engine has its own copy)
  int max_concurrency = 20;                   // worker threads
  model::Labels external_labels;              // added by /federate, as Prometheus does
  BuildInfo build;
  std::map<std::string, std::string> flags;  // /api/v1/status/flags
  std::string storage_retention;             // runtimeinfo: "30d", "30d or 10GiB"
  // Hooks; every one may be empty. All are called on a worker thread.
  // /api/v1/status/config: the text shown as "yaml" (secrets are redacted by the API).
  std::function<std::string()> config_text;
  std::function<RuntimeState()> runtime_state;
  // /api/v1/status/tsdb: the whole "data" object as JSON. When empty, the
  // API answers headStats from `head_summary` (label pairs counted through the
  // store) and empty top-10 lists.
  std::function<StatusOr<std::string>()> tsdb_status;
  std::function<HeadSummary()> head_summary;
  // /api/v1/targets: the inputs and their health (empty lists when unset).
  std::function<std::vector<TargetInfo>()> targets;
};

// /api/v1/status/config shows the TOML text with the quoted values of
// secret-looking keys (password, *token*, *secret*, Authorization, dsn; not
// *_file paths) replaced by "<secret>", as Prometheus prints <secret>.
std::string RedactTomlSecrets(std::string_view text);

class QueryApi {
 public:
  // `store` and `engine` must outlive this object. Loop thread.
  QueryApi(uv_loop_t* loop, storage::Queryable* store, promql::Engine* engine, QueryApiOptions options,
           obs::Registry* registry);
  ~QueryApi();
  QueryApi(const QueryApi&) = delete;
  QueryApi& operator=(const QueryApi&) = delete;

  // Adds the routes to `server` (may be called for several servers, e.g.
  // after a reload changed the listen address). Loop thread.
  void Register(net::HttpServer* server);

  // Cancels running queries and stops the workers (see the file comment).
  // Later requests are answered 503. Loop thread; also done by the destructor.
  void Shutdown();

  // One request, synchronously on the calling thread: what the routes run on
  // the workers. `endpoint` is a path of the table above (label values:
  // "/api/v1/label/:name/values" with `path` giving the name). For tests.
  struct Request {
    std::string path;
    Form form;
    int64_t now_ms = 0;                      // the request's arrival, Unix ms
    int64_t arrival_ns = 0;                  // MonotonicNanos() at arrival
    const net::HttpRequest* http = nullptr;  // headers (may be null)
  };
  net::HttpResponse Handle(std::string_view endpoint, const Request& request);

  struct Metrics;

 private:
  struct Endpoint;
  static const std::vector<Endpoint>& Endpoints();
  void Serve(const Endpoint& ep, net::HttpRequest req, net::Responder respond);

  net::HttpResponse Query(const Request& r);
  net::HttpResponse QueryRange(const Request& r);
  net::HttpResponse Series(const Request& r);
  net::HttpResponse LabelNames(const Request& r);
  net::HttpResponse LabelValues(const Request& r);
  net::HttpResponse Federate(const Request& r);
  net::HttpResponse FormatQuery(const Request& r);
  net::HttpResponse Exemplars(const Request& r);
  net::HttpResponse Metadata(const Request& r);
  net::HttpResponse BuildInfoPage(const Request& r);
  net::HttpResponse ConfigPage(const Request& r);
  net::HttpResponse FlagsPage(const Request& r);
  net::HttpResponse RuntimeInfoPage(const Request& r);
  net::HttpResponse TsdbPage(const Request& r);
  net::HttpResponse Rules(const Request& r);
  net::HttpResponse Alerts(const Request& r);
  net::HttpResponse Targets(const Request& r);

  // The query's remaining time, or DeadlineExceeded when it already ran out
  // (waiting for a worker).
  StatusOr<int64_t> RemainingMs(const Request& r, int64_t timeout_param_ns) const;
  promql::QueryOptions EngineOptions(int64_t remaining_ms) const;

  storage::Queryable* const store_;
  promql::Engine* const engine_;
  const QueryApiOptions options_;
  const int64_t start_ns_;  // wall clock, for runtimeinfo
  std::unique_ptr<Metrics> m_;
  std::atomic<bool> cancel_{false};
  bool shut_down_ = false;  // loop thread
  QueryPool pool_;
};

}  // namespace cistern::api
