// Routing, the worker hand-off, and the PromQL endpoints (query,
// query_range, format_query, query_exemplars). Store reads are in
// query_api_store.cc, status pages in query_api_status.cc.
#include "agent/api/query_api.h"

#include <algorithm>
#include <memory>

#include "agent/api/query_json.h"
#include "agent/api/query_response.h"
#include "agent/base/time.h"
#include "agent/promql/parser.h"
#include "agent/promql/printer.h"

namespace cistern::api {

struct QueryApi::Metrics {
  explicit Metrics(obs::Registry* r)
      : requests(
            r->NewCounterFamily("cistern_query_requests_total",
                                "Prometheus HTTP API requests answered, by endpoint and HTTP status code.",
                                {"endpoint", "code"})),
        duration(r->NewHistogramFamily("cistern_query_duration_seconds",
                                       "Time from the arrival of a Prometheus HTTP API request to its answer "
                                       "(waiting for a worker included).",
                                       {"endpoint"}, obs::DefaultDurationBuckets())),
        active(r->NewGauge("cistern_query_active", "Query API requests running on a worker thread.")),
        queued(r->NewGauge("cistern_query_queued", "Query API requests waiting for a worker thread.")) {}
  obs::CounterFamily* requests;
  obs::HistogramFamily* duration;
  obs::Gauge* active;
  obs::Gauge* queued;
};

struct QueryApi::Endpoint {
  std::string_view path;   // route; ends with '/' for a prefix route
  std::string_view label;  // metrics and Handle()
  std::vector<std::string> methods;
  bool on_pool;  // parses PromQL, reads the store or files
  net::HttpResponse (QueryApi::*handler)(const Request&);
};

namespace {

const std::vector<std::string> kGet = {"GET", "OPTIONS"};
const std::vector<std::string> kGetPost = {"GET", "POST", "OPTIONS"};

// Prometheus' httputil.SetCORS with the default --web.cors.origin=".*".
void AddCors(const net::HttpRequest* req, net::HttpResponse* resp) {
  if (req == nullptr || req->Header("Origin") == nullptr || req->Header("Origin")->empty()) return;
  resp->headers.push_back({"Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin"});
  resp->headers.push_back({"Access-Control-Allow-Methods", "GET, POST, OPTIONS"});
  resp->headers.push_back({"Access-Control-Expose-Headers", "Date"});
  resp->headers.push_back({"Vary", "Origin"});
  resp->headers.push_back({"Access-Control-Allow-Origin", "*"});
}

// Prometheus' returnAPIError for errors of evaluation.
net::HttpResponse EngineError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kDeadlineExceeded:
      return ApiError(kTimeout, s.message());
    case StatusCode::kCancelled:
      return ApiError(kCanceled, s.message());
    default:
      return ApiError(kExecution, s.message());
  }
}

bool HasSelector(const promql::Expr& e) {
  return std::visit(
      [](const auto& n) -> bool {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, promql::VectorSelector> ||
                      std::is_same_v<T, promql::MatrixSelector>) {
          return true;
        } else if constexpr (std::is_same_v<T, promql::SubqueryExpr> ||
                             std::is_same_v<T, promql::UnaryExpr> || std::is_same_v<T, promql::ParenExpr>) {
          return HasSelector(*n.expr);
        } else if constexpr (std::is_same_v<T, promql::BinaryExpr>) {
          return HasSelector(*n.lhs) || HasSelector(*n.rhs);
        } else if constexpr (std::is_same_v<T, promql::AggregateExpr>) {
          return HasSelector(*n.expr) || (n.param && HasSelector(*n.param));
        } else if constexpr (std::is_same_v<T, promql::Call>) {
          return std::any_of(n.args.begin(), n.args.end(), [](const auto& a) { return HasSelector(*a); });
        } else {
          return false;
        }
      },
      e.node);
}

}  // namespace

QueryApi::QueryApi(uv_loop_t* loop, storage::Queryable* store, promql::Engine* engine,
                   QueryApiOptions options, obs::Registry* registry)
    : store_(store),
      engine_(engine),
      options_(std::move(options)),
      start_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count()),
      m_(std::make_unique<Metrics>(registry)),
      pool_(loop, options_.max_concurrency, m_->queued, m_->active) {}

QueryApi::~QueryApi() { Shutdown(); }

void QueryApi::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  cancel_.store(true);
  pool_.Stop();
}

void QueryApi::Register(net::HttpServer* server) {
  for (const Endpoint& ep : Endpoints()) {
    auto handler = [this, &ep](net::HttpRequest req, net::Responder respond) {
      Serve(ep, std::move(req), std::move(respond));
    };
    if (ep.path.back() == '/') {
      server->RoutePrefix(std::string(ep.path), ep.methods, handler, std::string(ep.label));
    } else {
      server->Route(std::string(ep.path), ep.methods, handler, std::string(ep.label));
    }
  }
}

const std::vector<QueryApi::Endpoint>& QueryApi::Endpoints() {
  using Q = QueryApi;
  static const std::vector<Q::Endpoint> kTable = {
      {"/api/v1/query", "/api/v1/query", kGetPost, true, &Q::Query},
      {"/api/v1/query_range", "/api/v1/query_range", kGetPost, true, &Q::QueryRange},
      {"/api/v1/query_exemplars", "/api/v1/query_exemplars", kGetPost, true, &Q::Exemplars},
      {"/api/v1/format_query", "/api/v1/format_query", kGetPost, true, &Q::FormatQuery},
      {"/api/v1/series", "/api/v1/series", kGetPost, true, &Q::Series},
      {"/api/v1/labels", "/api/v1/labels", kGetPost, true, &Q::LabelNames},
      {"/api/v1/label/", "/api/v1/label/:name/values", kGet, true, &Q::LabelValues},
      {"/api/v1/metadata", "/api/v1/metadata", kGet, false, &Q::Metadata},
      {"/api/v1/status/buildinfo", "/api/v1/status/buildinfo", kGet, false, &Q::BuildInfoPage},
      {"/api/v1/status/config", "/api/v1/status/config", kGet, true, &Q::ConfigPage},
      {"/api/v1/status/flags", "/api/v1/status/flags", kGet, false, &Q::FlagsPage},
      {"/api/v1/status/runtimeinfo", "/api/v1/status/runtimeinfo", kGet, true, &Q::RuntimeInfoPage},
      {"/api/v1/status/tsdb", "/api/v1/status/tsdb", kGet, true, &Q::TsdbPage},
      {"/api/v1/rules", "/api/v1/rules", kGet, false, &Q::Rules},
      {"/api/v1/alerts", "/api/v1/alerts", kGet, false, &Q::Alerts},
      {"/api/v1/targets", "/api/v1/targets", kGet, false, &Q::Targets},
      {"/federate", "/federate", {"GET"}, true, &Q::Federate},
  };
  return kTable;
}

net::HttpResponse QueryApi::Handle(std::string_view endpoint, const Request& request) {
  for (const Endpoint& ep : Endpoints())
    if (ep.label == endpoint || ep.path == endpoint) return (this->*ep.handler)(request);
  return net::HttpResponse::Text(404, "404 page not found\n");
}

void QueryApi::Serve(const Endpoint& ep, net::HttpRequest req, net::Responder respond) {
  struct State {
    net::HttpRequest http;
    Request request;
    net::HttpResponse response;
  };
  auto state = std::make_shared<State>();
  state->http = std::move(req);
  Request& r = state->request;
  r.arrival_ns = MonotonicNanos();
  r.now_ms = NowUnixMillis();
  r.path = state->http.path;
  r.http = &state->http;
  bool api = ep.path.rfind("/api/", 0) == 0;
  auto finish = [this, api, label = std::string(ep.label), state,
                 respond = std::move(respond)](net::HttpResponse resp) {
    if (api) AddCors(&state->http, &resp);
    m_->requests->With({label, std::to_string(resp.status)})->Inc();
    m_->duration->With({label})->Observe(static_cast<double>(MonotonicNanos() - state->request.arrival_ns) /
                                         1e9);
    respond(std::move(resp));
  };
  if (state->http.method == "OPTIONS") {
    net::HttpResponse resp;
    resp.status = 204;
    finish(std::move(resp));
    return;
  }
  auto form = Form::FromRequest(state->http);
  if (!form.ok()) {
    finish(ApiError(kBadData, form.status().message()));
    return;
  }
  r.form = std::move(*form);
  if (shut_down_) {
    finish(ApiError(kUnavailable, "shutting down"));
    return;
  }
  if (!ep.on_pool) {
    finish((this->*ep.handler)(r));
    return;
  }
  auto handler = ep.handler;
  pool_.Submit([this, state, handler] { state->response = (this->*handler)(state->request); },
               [state, finish = std::move(finish)](Status s) mutable {
                 if (!s.ok()) {
                   finish(ApiError(kCanceled, "query canceled: the server is shutting down"));
                   return;
                 }
                 finish(std::move(state->response));
               });
}

StatusOr<int64_t> QueryApi::RemainingMs(const Request& r, int64_t timeout_param_ns) const {
  int64_t limit_ns = options_.timeout_ms * 1'000'000;
  if (timeout_param_ns != 0) limit_ns = std::min(limit_ns, timeout_param_ns);
  int64_t left_ns = limit_ns - (MonotonicNanos() - r.arrival_ns);
  if (left_ns <= 0) return DeadlineExceededError("query timed out in query queue");
  return std::max<int64_t>(1, left_ns / 1'000'000);
}

promql::QueryOptions QueryApi::EngineOptions(int64_t remaining_ms) const {
  promql::QueryOptions o;
  o.cancel = &cancel_;
  o.timeout_ms = remaining_ms;
  return o;
}

// The optional `timeout` parameter: 0 when absent.
static StatusOr<int64_t> TimeoutParam(const Form& form) {
  std::string_view to = form.Value("timeout");
  if (to.empty()) return 0;
  CISTERN_ASSIGN_OR_RETURN(int64_t ns, ParseApiDuration(to));
  return ns == 0 ? -1 : ns;  // an explicit zero times out at once, as Go's context does
}

net::HttpResponse QueryApi::Query(const Request& r) {
  auto ts = ParseApiTimeParam(r.form, "time", r.now_ms);
  if (!ts.ok()) return InvalidParam("time", ts.status().message());
  auto timeout = TimeoutParam(r.form);
  if (!timeout.ok()) return InvalidParam("timeout", timeout.status().message());
  auto expr = promql::ParseExpr(r.form.Value("query"));
  if (!expr.ok()) return InvalidParam("query", expr.status().message());
  auto remaining = RemainingMs(r, *timeout);
  if (!remaining.ok()) return EngineError(remaining.status());
  auto result = engine_->Instant(*store_, **expr, *ts, EngineOptions(*remaining));
  if (!result.ok()) return EngineError(result.status());
  return ApiSuccess(QueryDataJson(result->value), result->warnings);
}

net::HttpResponse QueryApi::QueryRange(const Request& r) {
  auto start = ParseApiTime(r.form.Value("start"));
  if (!start.ok()) return InvalidParam("start", start.status().message());
  auto end = ParseApiTime(r.form.Value("end"));
  if (!end.ok()) return InvalidParam("end", end.status().message());
  if (*end < *start) return InvalidParam("end", "end timestamp must not be before start time");
  auto step = ParseApiDuration(r.form.Value("step"));
  if (!step.ok()) return InvalidParam("step", step.status().message());
  if (*step <= 0)
    return InvalidParam(
        "step", "zero or negative query resolution step widths are not accepted. Try a positive integer");
  // For safety, as Prometheus: at most 11,000 points per series.
  __int128 span_ns = static_cast<__int128>(*end - *start) * 1'000'000;
  if (span_ns > INT64_MAX) span_ns = INT64_MAX;  // time.Time.Sub saturates
  if (span_ns / *step > 11000)
    return ApiError(kBadData,
                    "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
                    "resolution (?step=XX)");
  auto timeout = TimeoutParam(r.form);
  if (!timeout.ok()) return InvalidParam("timeout", timeout.status().message());
  auto expr = promql::ParseExpr(r.form.Value("query"));
  if (!expr.ok()) return ApiError(kBadData, expr.status().message());
  promql::ValueType type = promql::TypeOf(**expr);
  if (type != promql::ValueType::kVector && type != promql::ValueType::kScalar)
    return ApiError(kBadData, "invalid expression type \"" + std::string(promql::DocumentedType(type)) +
                                  "\" for range query, must be Scalar or instant Vector");
  auto remaining = RemainingMs(r, *timeout);
  if (!remaining.ok()) return EngineError(remaining.status());
  int64_t step_ms = std::max<int64_t>(1, *step / 1'000'000);
  auto result = engine_->Range(*store_, **expr, *start, *end, step_ms, EngineOptions(*remaining));
  if (!result.ok()) return EngineError(result.status());
  return ApiSuccess(QueryDataJson(result->value), result->warnings);
}

net::HttpResponse QueryApi::FormatQuery(const Request& r) {
  auto expr = promql::ParseExpr(r.form.Value("query"));
  if (!expr.ok()) return InvalidParam("query", expr.status().message());
  std::string data;
  AppendJsonString(&data, promql::Pretty(**expr));
  return ApiSuccess(data);
}

// We keep no exemplars: the checks of Prometheus, then an empty list (or no
// content when the query selects nothing, as Prometheus).
net::HttpResponse QueryApi::Exemplars(const Request& r) {
  auto start = ParseApiTimeParam(r.form, "start", kApiMinTimeMs);
  if (!start.ok()) return InvalidParam("start", start.status().message());
  auto end = ParseApiTimeParam(r.form, "end", kApiMaxTimeMs);
  if (!end.ok()) return InvalidParam("end", end.status().message());
  if (*end < *start) return ApiError(kBadData, "end timestamp must not be before start timestamp");
  auto expr = promql::ParseExpr(r.form.Value("query"));
  if (!expr.ok()) return ApiError(kBadData, expr.status().message());
  if (!HasSelector(**expr)) {
    net::HttpResponse resp;
    resp.status = 204;
    return resp;
  }
  return ApiSuccess("[]");
}

}  // namespace cistern::api
