// Arbitrary bytes as a request to the Prometheus query API: the first byte
// picks the endpoint, the rest is an application/x-www-form-urlencoded body
// (query, time, start, end, step, match[], timeout, ... in any mix). Form
// decoding, the time / duration / selector parsers and the handlers behind
// them must answer with a status and a message (never a crash); answers must
// be 2xx/204 or a Prometheus error status, and errors must carry a body.
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "agent/api/query_api.h"
#include "agent/base/time.h"
#include "agent/obs/metrics.h"
#include "agent/promql/engine.h"
#include "agent/tsdb/head.h"

namespace {

using cistern::model::Labels;

struct World {
  cistern::obs::Registry registry;
  cistern::tsdb::Head head;
  cistern::promql::Engine engine{[] {
    cistern::promql::EngineOptions o;
    o.max_samples = 100000;
    o.timeout_ms = 2000;
    return o;
  }()};
  uv_loop_t loop;
  std::unique_ptr<cistern::api::QueryApi> api;
  World() {
    uv_loop_init(&loop);
    auto app = head.NewAppender();
    for (int i = 0; i < 40; ++i) {
      const int64_t t = 1700000000000 + i * 15000;
      (void)app->Append(0, Labels{{"__name__", "up"}, {"instance", "a:1"}, {"job", "api"}}, t, i % 5 ? 1 : 0);
      (void)app->Append(0, Labels{{"__name__", "req_total"}, {"code", "200"}}, t, i * 3.5);
      (void)app->Append(0, Labels{{"__name__", "odd"}, {"v", "<&\">"}}, t, i == 7 ? 1e308 : -i);
    }
    (void)app->Commit();
    cistern::api::QueryApiOptions o;
    o.timeout_ms = 2000;
    api = std::make_unique<cistern::api::QueryApi>(&loop, &head, &engine, std::move(o), &registry);
  }
};

constexpr std::string_view kEndpoints[] = {
    "/api/v1/query",        "/api/v1/query_range",    "/api/v1/series",
    "/api/v1/labels",       "/api/v1/label/:name/values", "/federate",
    "/api/v1/format_query", "/api/v1/query_exemplars", "/api/v1/metadata",
    "/api/v1/status/tsdb",  "/api/v1/rules",          "/api/v1/targets",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  if (size < 1 || size > 4096) return 0;
  const std::string_view ep = kEndpoints[data[0] % std::size(kEndpoints)];
  cistern::net::HttpRequest http;
  http.method = "POST";
  http.path = ep == "/api/v1/label/:name/values" ? "/api/v1/label/job/values" : std::string(ep);
  http.target = http.path;
  http.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  http.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto form = cistern::api::Form::FromRequest(http);
  if (!form.ok()) {
    if (form.status().message().empty()) __builtin_trap();
    return 0;
  }
  cistern::api::QueryApi::Request r;
  r.path = http.path;
  r.form = std::move(*form);
  r.now_ms = 1700000300000;
  r.arrival_ns = cistern::MonotonicNanos();
  r.http = &http;
  cistern::net::HttpResponse resp = world->api->Handle(ep, r);
  const int s = resp.status;
  const bool ok = (s >= 200 && s < 300) || s == 400 || s == 404 || s == 422 || s == 503 || s == 500;
  if (!ok || (s >= 400 && resp.body.empty())) __builtin_trap();
  return 0;
}
