#include "plugins/webvitals/beacon_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "tests/testing/recording_appender.h"

namespace cistern::plugins::webvitals {
namespace {

using ::testing::HasSubstr;

constexpr const char* kChromeUa =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
constexpr const char* kIphoneUa =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 "
    "Mobile/15E148 Safari/604.1";

std::string Metric(std::string_view name, double value, std::string_view id, std::string_view extra = "") {
  std::string s = "{\"name\":\"" + std::string(name) + "\",\"value\":" + std::to_string(value) +
                  ",\"id\":\"" + std::string(id) + "\",\"navigationType\":\"navigate\"";
  if (!extra.empty()) s += "," + std::string(extra);
  return s + "}";
}

class BeaconHandlerTest : public ::testing::Test {
 protected:
  void Make(HandlerOptions o = {},
            std::vector<std::string> origins = {"https://www.example.com", "https://*.shop.test"},
            std::vector<std::string> routes = {}) {
    auto cors = CorsPolicy::Create(origins);
    ASSERT_TRUE(cors.ok());
    auto pages = PageNormalizer::Create(routes);
    ASSERT_TRUE(pages.ok());
    handler_ = std::make_unique<BeaconHandler>(o, *cors, *pages, &metrics_);
  }

  net::HttpRequest Post(std::string body, std::string origin = "https://www.example.com",
                        std::string content_type = "text/plain;charset=UTF-8") {
    net::HttpRequest r;
    r.method = "POST";
    r.path = r.target = "/v1/vitals";
    r.remote_addr = "198.51.100.7:40000";
    r.body = std::move(body);
    if (!origin.empty()) r.headers.push_back({"Origin", origin});
    r.headers.push_back({"Content-Type", content_type});
    r.headers.push_back({"User-Agent", kChromeUa});
    r.headers.push_back({"Referer", "https://www.example.com/products/12345?ref=x"});
    return r;
  }

  // Flushes at `now_ms` and returns name{page,le?} -> value.
  std::map<std::string, double> Flush(int64_t now_ms) {
    cistern::testing::RecordingAppendable sink;
    auto app = sink.NewAppender();
    EXPECT_TRUE(handler_->Flush(now_ms, 1000, *app).ok());
    EXPECT_TRUE(app->Commit().ok());
    std::map<std::string, double> out;
    for (const auto& s : sink.samples()) {
      std::string k(s.labels.MetricName());
      k += "{" + std::string(s.labels.Get("page")) + "," + std::string(s.labels.Get("device"));
      if (s.labels.Has("le")) k += ",le=" + std::string(s.labels.Get("le"));
      if (s.labels.Has("rating")) k += "," + std::string(s.labels.Get("rating"));
      out[k + "}"] = s.value;
    }
    return out;
  }

  double Self(const std::string& name, const std::string& label_value = "") {
    for (const auto& f : metrics_.Snapshot()) {
      if (f.name != name) continue;
      for (const auto& p : f.points) {
        if (label_value.empty() || (!p.labels.empty() && p.labels[0].second == label_value)) return p.value;
      }
    }
    return -1;
  }

  static std::string HeaderOf(const net::HttpResponse& r, std::string_view name) {
    const std::string* v = net::FindHeader(r.headers, name);
    return v ? *v : "<none>";
  }

  obs::Registry metrics_;
  std::unique_ptr<BeaconHandler> handler_;
};

TEST_F(BeaconHandlerTest, AcceptedBeaconGets204WithCorsHeaders) {
  Make();
  net::HttpResponse r = handler_->Handle(Post(Metric("LCP", 1800, "v6-1-1")), 0);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "https://www.example.com");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(HeaderOf(r, "Vary"), "Origin");
  EXPECT_EQ(Self("cistern_webvitals_requests_total", "204"), 1);
  EXPECT_EQ(Self("cistern_webvitals_beacons_total", "new"), 1);
}

TEST_F(BeaconHandlerTest, TextPlainBeaconAndJsonFetchBodiesAreBothAccepted) {
  Make();
  EXPECT_EQ(
      handler_
          ->Handle(Post(Metric("FCP", 900, "a"), "https://www.example.com", "text/plain;charset=UTF-8"), 0)
          .status,
      204);
  EXPECT_EQ(handler_->Handle(Post(Metric("FCP", 900, "b"), "https://www.example.com", "application/json"), 0)
                .status,
            204);
  EXPECT_EQ(handler_->Handle(Post(Metric("FCP", 900, "c"), "https://www.example.com", ""), 0).status, 204);
  EXPECT_EQ(Flush(60000)["webvitals_fcp_seconds_count{/products/:id,desktop}"], 3);
}

TEST_F(BeaconHandlerTest, PageComesFromTheBeaconElseNavigationUrlElseReferer) {
  Make();
  handler_->Handle(Post(Metric("TTFB", 100, "a", "\"page\":\"https://www.example.com/cart?x=1\"")), 0);
  handler_->Handle(Post(Metric("TTFB", 100, "b", "\"navigationURL\":\"https://www.example.com/u/42\"")), 0);
  handler_->Handle(Post(Metric("TTFB", 100, "c")), 0);
  auto m = Flush(60000);
  EXPECT_EQ(m["webvitals_ttfb_seconds_count{/cart,desktop}"], 1);
  EXPECT_EQ(m["webvitals_ttfb_seconds_count{/u/:id,desktop}"], 1);
  EXPECT_EQ(m["webvitals_ttfb_seconds_count{/products/:id,desktop}"], 1);
}

TEST_F(BeaconHandlerTest, DeviceComesFromTheUserAgent) {
  Make();
  net::HttpRequest r = Post(Metric("LCP", 1000, "a"));
  for (auto& h : r.headers) {
    if (h.name == "User-Agent") h.value = kIphoneUa;
  }
  handler_->Handle(r, 0);
  EXPECT_EQ(Flush(60000)["webvitals_lcp_seconds_count{/products/:id,mobile}"], 1);
}

TEST_F(BeaconHandlerTest, RepeatsOfOneIdAreCountedOnceWithTheFinalValueAfterSettling) {
  HandlerOptions o;
  o.ids.settle_ms = 5000;
  Make(o);
  for (double v : {0.01, 0.04, 0.2}) {
    handler_->Handle(Post(Metric("CLS", v, "v6-cls-1")), static_cast<int64_t>(v * 1000));
  }
  EXPECT_TRUE(Flush(1000).empty());  // still settling
  auto m = Flush(6000);
  EXPECT_EQ(m["webvitals_cls_count{/products/:id,desktop}"], 1);
  EXPECT_DOUBLE_EQ(m["webvitals_cls_sum{/products/:id,desktop}"], 0.2);
  EXPECT_EQ(m["webvitals_cls_bucket{/products/:id,desktop,le=0.1}"], 0);
  EXPECT_EQ(m["webvitals_cls_bucket{/products/:id,desktop,le=0.2}"], 1);
  EXPECT_EQ(m["webvitals_rating_total{/products/:id,desktop,needs-improvement}"], 1);
  EXPECT_EQ(Self("cistern_webvitals_beacons_total", "updated"), 2);
  // A batch on page hide repeats it once more: ignored.
  handler_->Handle(Post("[" + Metric("CLS", 0.2, "v6-cls-1") + "]"), 7000);
  EXPECT_EQ(Flush(20000)["webvitals_cls_count{/products/:id,desktop}"], 1);
  EXPECT_EQ(Self("cistern_webvitals_beacons_total", "late"), 1);
}

TEST_F(BeaconHandlerTest, PreflightForAnAllowedOriginIsAnswered) {
  Make();
  net::HttpRequest r = Post("", "https://checkout.shop.test");
  r.method = "OPTIONS";
  r.headers.push_back({"Access-Control-Request-Method", "POST"});
  r.headers.push_back({"Access-Control-Request-Headers", "content-type"});
  net::HttpResponse resp = handler_->Handle(r, 0);
  EXPECT_EQ(resp.status, 204);
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Origin"), "https://checkout.shop.test");
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Methods"), "POST, OPTIONS");
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Headers"), "content-type");
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Credentials"), "true");
}

TEST_F(BeaconHandlerTest, WildcardSubdomainOriginsMayPost) {
  Make();
  EXPECT_EQ(handler_->Handle(Post(Metric("LCP", 1, "a"), "https://a.b.shop.test"), 0).status, 204);
  EXPECT_EQ(handler_->Handle(Post(Metric("LCP", 1, "b"), "https://shop.test"), 0).status, 403);
}

TEST_F(BeaconHandlerTest, OtherOriginsGet403WithoutCorsHeadersAndAreCounted) {
  Make();
  net::HttpResponse r = handler_->Handle(Post(Metric("LCP", 1, "a"), "https://evil.test"), 0);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "webvitals: origin \"https://evil.test\" is not in allowed_origins\n");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "<none>");
  net::HttpRequest pre = Post("", "https://evil.test");
  pre.method = "OPTIONS";
  EXPECT_EQ(handler_->Handle(pre, 0).status, 403);
  EXPECT_EQ(Self("cistern_webvitals_rejected_total", "forbidden_origin"), 2);
  EXPECT_TRUE(Flush(60000).empty());
}

TEST_F(BeaconHandlerTest, RequestsWithoutOriginAreNotBrowsersAndSkipCors) {
  Make();
  net::HttpResponse r = handler_->Handle(Post(Metric("LCP", 1, "a"), ""), 0);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "<none>");
}

TEST_F(BeaconHandlerTest, BodyOverMaxBodyGets413AndIsCounted) {
  HandlerOptions o;
  o.max_body = 1024;
  Make(o);
  std::string big = Metric("LCP", 1, "a", "\"pad\":\"" + std::string(2000, 'x') + "\"");
  net::HttpResponse r = handler_->Handle(Post(big), 0);
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("larger than max_body (1024 bytes)"));
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "https://www.example.com");
  EXPECT_EQ(Self("cistern_webvitals_rejected_total", "body_too_large"), 1);
  EXPECT_EQ(handler_->Handle(Post(Metric("LCP", 1, "b")), 0).status, 204);
}

TEST_F(BeaconHandlerTest, ClientOverTheRateLimitGets429WithRetryAfter) {
  HandlerOptions o;
  o.rate_limit_per_ip = 5;
  Make(o);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(handler_->Handle(Post(Metric("LCP", 1, std::to_string(i))), 0).status, 204) << i;
  }
  net::HttpResponse r = handler_->Handle(Post(Metric("LCP", 1, "x")), 0);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "https://www.example.com");
  EXPECT_EQ(Self("cistern_webvitals_rejected_total", "rate_limited"), 1);
  // Another client is not affected; the first one recovers.
  net::HttpRequest other = Post(Metric("LCP", 1, "y"));
  other.remote_addr = "198.51.100.8:1";
  EXPECT_EQ(handler_->Handle(other, 0).status, 204);
  EXPECT_EQ(handler_->Handle(Post(Metric("LCP", 1, "z")), 1000).status, 204);
}

TEST_F(BeaconHandlerTest, BehindAProxyTheClientIsTheLastForwardedForEntry) {
  HandlerOptions o;
  o.rate_limit_per_ip = 1;
  o.client_ip_header = "X-Forwarded-For";
  Make(o);
  auto from = [&](std::string xff, std::string id) {
    net::HttpRequest r = Post(Metric("LCP", 1, id));
    r.remote_addr = "127.0.0.1:5000";  // the proxy
    r.headers.push_back({"X-Forwarded-For", xff});
    return handler_->Handle(r, 0).status;
  };
  EXPECT_EQ(from("10.0.0.1, 203.0.113.1", "a"), 204);
  EXPECT_EQ(from("10.0.0.2, 203.0.113.1", "b"), 429);  // same client, spoofed first entry
  EXPECT_EQ(from("203.0.113.2", "c"), 204);
}

TEST_F(BeaconHandlerTest, RejectionsGet400NamingTheFieldAndAreCountedByReason) {
  Make();
  net::HttpResponse r = handler_->Handle(Post(R"({"name":"LCP","value":-5,"id":"a"})"), 0);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "value: negative (-5)\n");
  r = handler_->Handle(Post(R"({"name":"XYZ","value":5,"id":"a"})"), 0);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("name: unknown metric \"XYZ\""));
  r = handler_->Handle(Post(R"({"name":"LCP","value":"5","id":"a"})"), 0);
  EXPECT_EQ(r.body, "value: expected a number, got string\n");
  r = handler_->Handle(Post("not json"), 0);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Self("cistern_webvitals_rejected_total", "invalid_value"), 1);
  EXPECT_EQ(Self("cistern_webvitals_rejected_total", "unknown_metric"), 1);
  EXPECT_EQ(Self("cistern_webvitals_rejected_total", "invalid_field"), 1);
  EXPECT_EQ(Self("cistern_webvitals_rejected_total", "invalid_json"), 1);
  EXPECT_EQ(Self("cistern_webvitals_requests_total", "400"), 4);
  EXPECT_TRUE(Flush(60000).empty());
}

TEST_F(BeaconHandlerTest, ABatchKeepsItsGoodMetricsAndReportsTheBadOnes) {
  Make();
  std::string body = "[" + Metric("LCP", 1200, "a") + "," + R"({"name":"INP","value":-1,"id":"b"})" + "," +
                     Metric("INP", 250, "c") + "]";
  net::HttpResponse r = handler_->Handle(Post(body), 0);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "[1].value: negative (-1)\n2 of 3 metrics accepted\n");
  auto m = Flush(60000);
  EXPECT_EQ(m["webvitals_lcp_seconds_count{/products/:id,desktop}"], 1);
  EXPECT_EQ(m["webvitals_inp_seconds_count{/products/:id,desktop}"], 1);
}

TEST_F(BeaconHandlerTest, PagesBeyondMaxPagesGoToOther) {
  HandlerOptions o;
  o.max_pages = 3;
  Make(o);
  for (int i = 0; i < 10; ++i) {
    std::string page = "\"page\":\"/section-" + std::string(1, static_cast<char>('a' + i)) + "\"";
    handler_->Handle(Post(Metric("LCP", 1000, "id" + std::to_string(i), page)), 0);
  }
  auto m = Flush(60000);
  EXPECT_EQ(m["webvitals_lcp_seconds_count{/section-a,desktop}"], 1);
  EXPECT_EQ(m["webvitals_lcp_seconds_count{/section-c,desktop}"], 1);
  EXPECT_EQ(m.count("webvitals_lcp_seconds_count{/section-d,desktop}"), 0u);
  EXPECT_EQ(m["webvitals_lcp_seconds_count{other,desktop}"], 7);
  EXPECT_EQ(Self("cistern_webvitals_page_overflow_total"), 7);
  EXPECT_EQ(Self("cistern_webvitals_pages"), 3);
}

TEST_F(BeaconHandlerTest, RoutePatternsNameThePage) {
  Make({}, {"*"}, {"/blog/:slug"});
  handler_->Handle(Post(Metric("LCP", 1000, "a", "\"page\":\"/blog/how-to-use-react-18\"")), 0);
  EXPECT_EQ(Flush(60000)["webvitals_lcp_seconds_count{/blog/:slug,desktop}"], 1);
}

TEST_F(BeaconHandlerTest, ObserveAllCountsPendingIdsAtShutdown) {
  Make();
  handler_->Handle(Post(Metric("INP", 300, "a")), 0);
  handler_->ObserveAll();
  EXPECT_EQ(Flush(1)["webvitals_inp_seconds_count{/products/:id,desktop}"], 1);
}

TEST_F(BeaconHandlerTest, OptionsWithoutOriginAnswersAllow) {
  Make();
  net::HttpRequest r = Post("", "");
  r.method = "OPTIONS";
  net::HttpResponse resp = handler_->Handle(r, 0);
  EXPECT_EQ(resp.status, 204);
  EXPECT_EQ(HeaderOf(resp, "Allow"), "POST, OPTIONS");
}

}  // namespace
}  // namespace cistern::plugins::webvitals
