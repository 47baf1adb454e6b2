// [inputs.webvitals]: a beacon endpoint for the browser `web-vitals` library.
// Pages POST each metric (navigator.sendBeacon or fetch keepalive) to its own
// listener, separate from the admin/API port so it can face the internet;
// every interval the input appends Prometheus histograms per metric, page,
// navigation type and device. The request handling and all state live in
// BeaconHandler (beacon_handler.h); this file is the plugin glue: schema,
// the HTTP listener, and the flush every interval and at shutdown.
// README.md lists every metric and option.
#include <uv.h>

#include <map>

#include "agent/base/time.h"
#include "agent/net/http_server.h"
#include "agent/obs/log.h"
#include "agent/plugin/plugin.h"
#include "plugins/webvitals/beacon_handler.h"

namespace cistern::plugins::webvitals {
namespace {

class WebVitalsInput : public plugin::ServiceInput {
 public:
  WebVitalsInput(plugin::Context& ctx, std::string listen, std::string path, size_t max_body,
                 std::unique_ptr<BeaconHandler> handler)
      : ctx_(ctx),
        listen_(std::move(listen)),
        path_(std::move(path)),
        max_body_(max_body),
        handler_(std::move(handler)) {}

  Status Start() override {
    net::HttpServerOptions o;
    // Bodies up to twice max_body reach the handler, which answers 413 with
    // CORS headers and counts it; larger ones the server refuses by itself
    // (SyncServerRejections counts those).
    o.max_body_bytes = std::max<size_t>(2 * max_body_, max_body_ + 4096);
    o.max_header_bytes = 16 << 10;
    o.header_timeout_ms = 10000;
    o.body_timeout_ms = 10000;
    o.idle_timeout_ms = 60000;
    o.max_connections = 8192;
    // A registry of its own: the shared one's cistern_http_* families have no
    // label telling two servers apart (the connections gauge would be
    // overwritten by both).
    o.metrics = &server_metrics_;
    o.name = ctx_.log_component();
    server_ = std::make_unique<net::HttpServer>(ctx_.loop(), std::move(o));
    server_->Route(
        path_, {"POST", "OPTIONS"},
        [this](net::HttpRequest req, net::Responder respond) { respond(handler_->Handle(req, Now())); },
        "webvitals");
    Status s = server_->Listen(listen_);
    if (!s.ok()) return s.Annotate("listen");
    obs::Info(ctx_.log_component(), "accepting beacons on {} (port {}), path {}", listen_, server_->port(),
              path_);
    return OkStatus();
  }

  void Collect(const plugin::CollectRequest& req, plugin::CollectDone done) override {
    SyncServerRejections();
    done(handler_->Flush(Now(), req.timestamp_ms, *req.appender));
  }

  void StopService(std::function<void()> done) override {
    // What is still pending is as final as it will get: count it and append
    // it once more, so nothing received is lost at shutdown.
    handler_->ObserveAll();
    SyncServerRejections();
    auto appender = ctx_.appendable().NewAppender();
    Status s = handler_->Flush(Now(), NowUnixMillis(), *appender);
    if (s.ok()) s = appender->Commit();
    if (!s.ok()) obs::Warn(ctx_.log_component(), "final flush: {}", s.message());
    if (!server_) {
      done();
      return;
    }
    server_->Close(std::move(done));
  }

 private:
  int64_t Now() const { return static_cast<int64_t>(uv_now(ctx_.loop())); }

  // The HTTP layer's own refusals on this port (bodies over its limit,
  // malformed requests, timeouts) into cistern_webvitals_rejected_total.
  void SyncServerRejections() {
    for (const obs::FamilySnapshot& f : server_metrics_.Snapshot()) {
      if (f.name != "cistern_http_bad_requests_total") continue;
      for (const obs::MetricPoint& p : f.points) {
        std::string reason = p.labels.empty() ? "" : p.labels[0].second;
        double& seen = server_rejections_seen_[reason];
        if (p.value <= seen) continue;
        RejectReason r = reason == "413"       ? RejectReason::kBodyTooLarge
                         : reason == "timeout" ? RejectReason::kTimeout
                                               : RejectReason::kMalformedRequest;
        handler_->CountRejected(r, p.value - seen);
        seen = p.value;
      }
    }
  }

  plugin::Context& ctx_;
  std::string listen_, path_;
  size_t max_body_;
  std::unique_ptr<BeaconHandler> handler_;
  obs::Registry server_metrics_;
  std::unique_ptr<net::HttpServer> server_;
  std::map<std::string, double> server_rejections_seen_;
};

StatusOr<std::unique_ptr<plugin::Input>> Create(plugin::Context& ctx) {
  const config::Options& o = ctx.options();
  std::string where = "inputs." + ctx.id();
  auto cors = CorsPolicy::Create(o.GetStringList("allowed_origins"));
  if (!cors.ok()) return cors.status().Annotate(where);
  auto pages = PageNormalizer::Create(o.GetStringList("routes"));
  if (!pages.ok()) return pages.status().Annotate(where);
  std::string path = o.GetString("path");
  if (path.empty() || path[0] != '/') {
    return InvalidArgumentError(where + ": path: \"" + path + "\": must start with \"/\"");
  }
  HandlerOptions h;
  h.max_body = o.GetSize("max_body");
  h.rate_limit_per_ip = static_cast<double>(o.GetInt("rate_limit_per_ip"));
  h.client_ip_header = o.GetString("client_ip_header");
  h.max_pages = static_cast<size_t>(o.GetInt("max_pages"));
  h.ids.settle_ms = o.GetDuration("finalize_after").count();
  h.ids.ttl_ms = o.GetDuration("id_ttl").count();
  h.ids.max_ids = static_cast<size_t>(o.GetInt("max_ids"));
  if (h.ids.ttl_ms < h.ids.settle_ms) {
    return InvalidArgumentError(where + ": id_ttl (" + FormatDuration(o.GetDuration("id_ttl")) +
                                ") must be at least finalize_after (" +
                                FormatDuration(o.GetDuration("finalize_after")) + ")");
  }
  if (cors->empty()) {
    obs::Warn(ctx.log_component(),
              "allowed_origins is empty: beacons from web pages (requests with an Origin header) get 403");
  }
  size_t max_body = h.max_body;
  auto handler =
      std::make_unique<BeaconHandler>(std::move(h), std::move(*cors), std::move(*pages), &ctx.metrics());
  return std::unique_ptr<plugin::Input>(std::make_unique<WebVitalsInput>(
      ctx, o.GetString("listen"), std::move(path), max_body, std::move(handler)));
}

}  // namespace

plugin::Descriptor Describe() {
  plugin::Descriptor d;
  d.name = "webvitals";
  d.doc = "Browser web-vitals beacons (LCP, INP, CLS, FCP, TTFB) as Prometheus histograms per page.";
  d.service = true;
  using config::FieldType;
  d.schema = {
      {"listen", FieldType::kString, "\"0.0.0.0:9464\"",
       "address of the beacon listener (not the admin port)"},
      {"path", FieldType::kString, "\"/v1/vitals\"", "request path beacons are POSTed to"},
      {"allowed_origins", FieldType::kStringList, "[]",
       "origins allowed to send: \"https://www.example.com\", \"https://*.example.com\", or \"*\""},
      {"max_pages", FieldType::kInt, "500", "distinct page labels; later pages are page=\"other\"", false, 1,
       1000000},
      {"max_body", FieldType::kSize, "64KiB", "largest request body (413 above)", false, 256, 16 << 20},
      {"rate_limit_per_ip", FieldType::kInt, "50",
       "requests per second per client address (429 above); 0 = off", false, 0, 1e9},
      {"routes", FieldType::kStringList, "[]",
       "route patterns for page labels, first match wins: \"/blog/:slug\", \"/docs/*\""},
      {"finalize_after", FieldType::kDuration, "30s",
       "a metric id is counted once no report for it arrived for this long", false, 0, 24 * 3600 * 1000.0},
      {"id_ttl", FieldType::kDuration, "30m",
       "how long an id is remembered (repeats ignored); pending ids are counted at the latest then", false,
       1000, 7 * 24 * 3600 * 1000.0},
      {"max_ids", FieldType::kInt, "100000", "metric ids held at once; the oldest is counted early past it",
       false, 1, 100000000},
      {"client_ip_header", FieldType::kString, "\"\"",
       "behind a proxy: header with the client address (\"X-Forwarded-For\": its last entry, \"X-Real-IP\")"},
  };
  d.create = Create;
  return d;
}

}  // namespace cistern::plugins::webvitals
