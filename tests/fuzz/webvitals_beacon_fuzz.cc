// Arbitrary bytes as a web-vitals beacon body: the parser, then everything a
// body reaches (page normalisation, device and client keys, CORS matching,
// the request handler with its per-id state and histograms, flushed now and
// then into a discarding appender). Malformed input must never crash.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "plugins/webvitals/beacon_handler.h"
#include "plugins/webvitals/beacon_parser.h"
#include "plugins/webvitals/device.h"
#include "plugins/webvitals/page_normalizer.h"
#include "plugins/webvitals/rate_limiter.h"

namespace {

using namespace cistern::plugins::webvitals;

class DiscardingAppender : public cistern::storage::Appender {
 public:
  cistern::StatusOr<cistern::storage::SeriesRef> Append(cistern::storage::SeriesRef,
                                                        const cistern::model::Labels& l, int64_t,
                                                        double) override {
    if (!l.Validate().ok()) __builtin_trap();  // every label set we emit must be valid
    return cistern::storage::SeriesRef{1};
  }
  cistern::Status Commit() override { return cistern::OkStatus(); }
  void Rollback() override {}
};

struct State {
  State() {
    auto cors = CorsPolicy::Create({"https://www.example.com", "https://*.example.org"});
    auto pages = PageNormalizer::Create({"/blog/:slug", "/docs/*"});
    normalizer = *pages;
    policy = *cors;
    HandlerOptions o;
    o.max_body = 64 << 10;
    o.rate_limit_per_ip = 0;
    o.max_pages = 50;
    o.ids.settle_ms = 0;
    o.ids.max_ids = 1000;
    handler = std::make_unique<BeaconHandler>(o, *cors, *pages, &metrics);
  }
  cistern::obs::Registry metrics;
  PageNormalizer normalizer;
  CorsPolicy policy;
  BeaconParser parser;
  std::unique_ptr<BeaconHandler> handler;
  int64_t now = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State* s = new State();
  std::string_view in(reinterpret_cast<const char*>(data), size);

  ParseResult r = s->parser.Parse(in);
  for (const Beacon& b : r.beacons) {
    (void)s->normalizer.Normalize(b.page_url);
    (void)s->normalizer.Normalize(b.navigation_url);
    (void)SpecOf(b.vital);
  }
  (void)s->normalizer.Normalize(in);
  (void)ClassifyDevice(in);
  (void)ClientKey(in);
  (void)s->policy.Allows(in);

  cistern::net::HttpRequest req;
  req.method = "POST";
  req.path = "/v1/vitals";
  req.remote_addr = "192.0.2.1:1";
  req.headers = {{"Origin", "https://www.example.com"},
                 {"User-Agent", std::string(in.substr(0, 64))},
                 {"Referer", std::string(in.substr(0, 200))}};
  req.body.assign(in);
  (void)s->handler->Handle(req, s->now);
  if (++s->now % 64 == 0) {
    DiscardingAppender app;
    (void)s->handler->Flush(s->now, s->now, app);
  }
  return 0;
}
