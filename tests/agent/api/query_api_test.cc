#include "agent/api/query_api.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "agent/api/query_json.h"
#include "agent/api/query_params.h"
#include "agent/api/query_pool.h"
#include "agent/base/time.h"
#include "agent/loop/handle.h"
#include "agent/model/sample.h"
#include "agent/tsdb/head.h"
#include "tests/testing/metric_value.h"
#include "tests/testing/status_matchers.h"

namespace cistern::api {
namespace {

using cistern::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kT = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------
// JSON, as Prometheus 2.42 writes it (expected strings taken from its answers).

std::string Escaped(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(QueryJsonTest, StringsAreEscapedAsGoEncodingJsonDoes) {
  EXPECT_EQ(Escaped("<a>&b\t\x01\b\f\r\n\"\\"), R"("\u003ca\u003e\u0026b\t\u0001\u0008\u000c\r\n\"\\")");
  EXPECT_EQ(Escaped("\x7f \xc3\xa9 \xe2\x80\xa8\xe2\x80\xa9"), "\"\x7f \xc3\xa9 \\u2028\\u2029\"");
  EXPECT_EQ(Escaped("bad\xff"), R"("bad\ufffd")");
}

TEST(QueryJsonTest, ScalarTimestampsAreShortestPointTimestampsKeepThreeDecimals) {
  auto scalar = [](int64_t ms) {
    std::string s;
    AppendApiTimestamp(&s, ms);
    return s;
  };
  auto point = [](int64_t ms) {
    std::string s;
    AppendPointTimestamp(&s, ms);
    return s;
  };
  EXPECT_EQ(scalar(kT), "1700000000");
  EXPECT_EQ(scalar(kT + 500), "1700000000.5");
  EXPECT_EQ(scalar(kT + 50), "1700000000.05");
  EXPECT_EQ(scalar(kT + 123), "1700000000.123");
  EXPECT_EQ(scalar(-1500), "-1.5");
  EXPECT_EQ(scalar(-1), "-0.001");
  EXPECT_EQ(point(kT), "1700000000");
  EXPECT_EQ(point(kT + 500), "1700000000.500");
  EXPECT_EQ(point(kT + 50), "1700000000.050");
  EXPECT_EQ(point(-kT - 50), "-1700000000.050");
}

TEST(QueryJsonTest, PointValuesSwitchToExponentOutsideOneMillionthToOneE21) {
  auto value = [](double v) {
    std::string s;
    AppendPointValue(&s, v);
    return s;
  };
  EXPECT_EQ(value(1.5), "\"1.5\"");
  EXPECT_EQ(value(1e-7), "\"1e-07\"");
  EXPECT_EQ(value(-1e-7), "\"-1e-07\"");
  EXPECT_EQ(value(1.5e-6), "\"0.0000015\"");
  EXPECT_EQ(value(1e21), "\"1e+21\"");
  EXPECT_EQ(value(123456789012345678901234.0), "\"1.2345678901234569e+23\"");
  EXPECT_EQ(value(-0.0), "\"-0\"");
  EXPECT_EQ(value(kInf), "\"+Inf\"");
  EXPECT_EQ(value(-kInf), "\"-Inf\"");
  EXPECT_EQ(value(std::nan("")), "\"NaN\"");
}

TEST(QueryJsonTest, EveryResultTypeHasPrometheusShape) {
  promql::Vector vec = {{model::Labels{{"__name__", "up"}, {"job", "a<b"}}, kT + 500, 1}};
  EXPECT_EQ(
      QueryDataJson(vec),
      R"({"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\u003cb"},"value":[1700000000.500,"1"]}]})");
  EXPECT_EQ(QueryDataJson(promql::Vector{}), R"({"resultType":"vector","result":[]})");
  promql::Matrix m = {{model::Labels{{"x", "1"}}, {{kT, 1}, {kT + 15000, kInf}}}};
  EXPECT_EQ(
      QueryDataJson(m),
      R"({"resultType":"matrix","result":[{"metric":{"x":"1"},"values":[[1700000000,"1"],[1700000015,"+Inf"]]}]})");
  EXPECT_EQ(QueryDataJson(promql::ScalarValue{kT + 50, 1e-7}),
            R"({"resultType":"scalar","result":[1700000000.05,"0.0000001"]})");
  EXPECT_EQ(QueryDataJson(promql::StringValue{-1500, "s\""}),
            R"({"resultType":"string","result":[-1.5,"s\""]})");
}

TEST(QueryJsonTest, EnvelopesCarryWarningsOnlyWhenThereAreSome) {
  EXPECT_EQ(SuccessJson("[]"), R"({"status":"success","data":[]})");
  EXPECT_EQ(SuccessJson("[]", {"w1"}), R"({"status":"success","data":[],"warnings":["w1"]})");
  EXPECT_EQ(ErrorJson("bad_data", "x \"y\""),
            R"({"status":"error","errorType":"bad_data","error":"x \"y\""})");
}

// ---------------------------------------------------------------------------
// Parameters.

TEST(QueryParamsTest, TimesAreFloatSecondsRoundedToMillisecondsOrRfc3339) {
  EXPECT_EQ(*ParseApiTime("1700000000"), kT);
  EXPECT_EQ(*ParseApiTime("1700000000.123"), kT + 123);
  EXPECT_EQ(*ParseApiTime("1700000000.0005"), kT);  // that double's fraction is just below .0005
  EXPECT_EQ(*ParseApiTime("0.0005"), 1);            // math.Round: half away from zero
  EXPECT_EQ(*ParseApiTime("1700000000.9996"), kT + 1000);
  EXPECT_EQ(*ParseApiTime("-1.5"), -1500);
  EXPECT_EQ(*ParseApiTime("1.7e9"), kT);
  EXPECT_EQ(*ParseApiTime("2023-11-14T22:13:20Z"), kT);
  EXPECT_EQ(*ParseApiTime("2023-11-14T22:13:20.123456789Z"), kT + 123);
  EXPECT_EQ(*ParseApiTime("2023-11-14T23:13:20.5+01:00"), kT + 500);
  EXPECT_EQ(*ParseApiTime("2023-11-14T21:43:20-00:30"), kT);
  EXPECT_EQ(*ParseApiTime(std::string(kApiMinTimeText)), kApiMinTimeMs);
  EXPECT_EQ(*ParseApiTime(std::string(kApiMaxTimeText)), kApiMaxTimeMs);
}

TEST(QueryParamsTest, BadTimesNameTheInputAsPrometheusDoes) {
  for (const char* bad : {"abc", "", " 1", "2023-11-14", "2023-11-14T22:13:20", "2023-02-30T00:00:00Z",
                          "2023-11-14T24:00:00Z", "2023-11-14T22:13:20Zx", "1e400"}) {
    EXPECT_THAT(ParseApiTime(bad), StatusIs(StatusCode::kInvalidArgument,
                                            "cannot parse \"" + std::string(bad) + "\" to a valid timestamp"))
        << bad;
  }
  Form form({{"start", "x"}});
  EXPECT_THAT(ParseApiTimeParam(form, "start", 0),
              StatusIs(StatusCode::kInvalidArgument,
                       "Invalid time value for 'start': cannot parse \"x\" to a valid timestamp"));
  EXPECT_EQ(*ParseApiTimeParam(form, "end", 42), 42);
}

TEST(QueryParamsTest, DurationsAreFloatSecondsOrPrometheusDurations) {
  EXPECT_EQ(*ParseApiDuration("15"), 15'000'000'000);
  EXPECT_EQ(*ParseApiDuration("0.5"), 500'000'000);
  EXPECT_EQ(*ParseApiDuration("-1"), -1'000'000'000);
  EXPECT_EQ(*ParseApiDuration("1m30s"), 90'000'000'000);
  EXPECT_THAT(ParseApiDuration("1e300"),
              StatusIs(StatusCode::kInvalidArgument,
                       "cannot parse \"1e300\" to a valid duration. It overflows int64"));
  EXPECT_THAT(ParseApiDuration("-1s"),
              StatusIs(StatusCode::kInvalidArgument, "cannot parse \"-1s\" to a valid duration"));
  EXPECT_THAT(ParseApiDuration(""),
              StatusIs(StatusCode::kInvalidArgument, "cannot parse \"\" to a valid duration"));
}

TEST(QueryParamsTest, MatcherSetsNeedOneMatcherThatRejectsTheEmptyString) {
  auto sets = ParseMatcherSets({"up", R"({job=~".+"})"});
  ASSERT_TRUE(sets.ok()) << sets.status().ToString();
  EXPECT_EQ(sets->size(), 2u);
  EXPECT_THAT(ParseMatcherSets({R"({job=~".*"})"}),
              StatusIs(StatusCode::kInvalidArgument, "match[] must contain at least one non-empty matcher"));
  EXPECT_THAT(ParseMatcherSets({"up{"}), StatusIs(StatusCode::kInvalidArgument,
                                                  "1:4: parse error: unexpected end of input inside braces"));
}

TEST(QueryParamsTest, PostBodyValuesComeBeforeUrlValues) {
  net::HttpRequest req;
  req.method = "POST";
  req.query = "query=2&match[]=a";
  req.body = "query=1%2B1&match[]=b";
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  auto form = Form::FromRequest(req);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->Value("query"), "1+1");
  EXPECT_EQ(form->Values("match[]"), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(form->Value("absent"), "");
}

TEST(QueryStatusTest, SecretsInTheConfigTextAreRedacted) {
  EXPECT_EQ(
      RedactTomlSecrets(
          "basic_auth = { username = \"u\", password = \"p\\\"w\" }\n"
          "bearer_token = 'tok'\npassword_file = \"/etc/pw\"\n# password = \"x\"\nurl = \"password\"\n"),
      "basic_auth = { username = \"u\", password = \"<secret>\" }\n"
      "bearer_token = '<secret>'\npassword_file = \"/etc/pw\"\n# password = \"x\"\nurl = \"password\"\n");
}

// ---------------------------------------------------------------------------
// The pool.

TEST(QueryPoolTest, WorkRunsOffTheLoopAndCompletesOnIt) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    QueryPool pool(&loop, 2);
    loop::Timer keepalive(&loop);  // the pool's wake-up handle alone does not keep the loop running
    keepalive.Start(60'000, 0, [] {});
    std::thread::id loop_thread = std::this_thread::get_id();
    std::atomic<int> off_loop{0};
    int done = 0;
    for (int i = 0; i < 8; ++i) {
      pool.Submit([&] { off_loop += std::this_thread::get_id() != loop_thread; },
                  [&](Status s) {
                    EXPECT_TRUE(s.ok());
                    EXPECT_EQ(std::this_thread::get_id(), loop_thread);
                    ++done;
                  });
    }
    while (done < 8) uv_run(&loop, UV_RUN_NOWAIT);
    EXPECT_EQ(off_loop.load(), 8);
  }
  EXPECT_EQ(loop::CloseLoop(&loop), 0);
}

TEST(QueryPoolTest, StopFinishesRunningWorkAndCancelsQueuedWork) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    obs::Gauge queued, active;
    QueryPool pool(&loop, 1, &queued, &active);
    std::atomic<bool> started{false}, release{false};
    Status first = InternalError("not called"), second = InternalError("not called");
    bool second_ran = false;
    pool.Submit(
        [&] {
          started = true;
          while (!release) std::this_thread::yield();
        },
        [&](Status s) { first = s; });
    while (!started) std::this_thread::yield();
    pool.Submit([&] { second_ran = true; }, [&](Status s) { second = s; });
    EXPECT_EQ(queued.Value(), 1);
    EXPECT_EQ(active.Value(), 1);
    // Release the running work once Stop() has taken the queue (it zeroes the gauge then).
    std::thread releaser([&] {
      while (queued.Value() != 0) std::this_thread::yield();
      release = true;
    });
    pool.Stop();
    releaser.join();
    EXPECT_TRUE(first.ok());
    EXPECT_EQ(second.code(), StatusCode::kCancelled);
    EXPECT_FALSE(second_ran);
    EXPECT_EQ(active.Value(), 0);
  }
  EXPECT_EQ(loop::CloseLoop(&loop), 0);
}

// ---------------------------------------------------------------------------
// The endpoints, over a head with a few series and the real engine.

class QueryApiTest : public ::testing::Test {
 protected:
  QueryApiTest() {
    uv_loop_init(&loop_);
    auto app = head_.NewAppender();
    auto add = [&](model::Labels l, std::vector<std::pair<int64_t, double>> samples) {
      for (auto [t, v] : samples) ASSERT_TRUE(app->Append(0, l, t, v).ok());
    };
    add({{"__name__", "old"}}, {{kT - 3'600'000, 7}});
    add({{"__name__", "up"}, {"instance", "a:1"}, {"job", "api"}},
        {{kT - 30'000, 1}, {kT - 15'000, 1}, {kT, 1}});
    add({{"__name__", "up"}, {"instance", "b:2"}, {"job", "db"}}, {{kT, 0}});
    add({{"__name__", "http_requests_total"}, {"code", "200"}, {"job", "api"}}, {{kT - 60'000, 0}, {kT, 60}});
    add({{"__name__", "weird"}, {"path", "/x\"y\\z\nw"}}, {{kT - 1000, kInf}});
    add({{"__name__", "stale"}}, {{kT - 10'000, 5}, {kT - 5000, model::StaleNaN()}});
    add({{"__name__", "neg"}, {"Zeta", "1"}}, {{kT - 2000, -0.0}});
    EXPECT_TRUE(app->Commit().ok());
  }
  ~QueryApiTest() override {
    api_.reset();
    EXPECT_EQ(loop::CloseLoop(&loop_), 0);
  }

  QueryApi& Api(QueryApiOptions o = {}) {
    if (!api_) api_ = std::make_unique<QueryApi>(&loop_, &head_, &engine_, std::move(o), &registry_);
    return *api_;
  }
  net::HttpResponse Get(std::string endpoint, std::vector<std::pair<std::string, std::string>> params = {},
                        std::string path = "") {
    QueryApi::Request r;
    r.path = path.empty() ? endpoint : path;
    r.form = Form(std::move(params));
    r.now_ms = kT;
    r.arrival_ns = MonotonicNanos();
    return Api().Handle(endpoint, r);
  }
  static std::string Body(const net::HttpResponse& r) { return std::to_string(r.status) + " " + r.body; }

  obs::Registry registry_;
  tsdb::Head head_{tsdb::HeadOptions{.registry = &registry_}};
  promql::Engine engine_;
  uv_loop_t loop_;
  std::unique_ptr<QueryApi> api_;
};

TEST_F(QueryApiTest, SeriesOfSeveralMatchersAreMergedSortedAndUnique) {
  EXPECT_EQ(
      Body(Get("/api/v1/series", {{"match[]", "up"}, {"match[]", R"(up{job="api"})"}, {"match[]", "weird"}})),
      R"(200 {"status":"success","data":[{"__name__":"up","instance":"a:1","job":"api"},)"
      R"({"__name__":"up","instance":"b:2","job":"db"},{"__name__":"weird","path":"/x\"y\\z\nw"}]})");
  // Only series with samples in [start, end].
  EXPECT_EQ(Body(Get("/api/v1/series", {{"match[]", "old"}, {"start", "1699999000"}})),
            R"(200 {"status":"success","data":[]})");
}

TEST_F(QueryApiTest, SeriesErrorsAreThoseOfPrometheus) {
  EXPECT_EQ(Body(Get("/api/v1/series")),
            R"(400 {"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})");
  EXPECT_EQ(
      Body(Get("/api/v1/series", {{"match[]", R"({job=~".*"})"}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": match[] must contain at least one non-empty matcher"})");
  EXPECT_EQ(
      Body(Get("/api/v1/series", {{"match[]", "up"}, {"start", "abc"}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": Invalid time value for 'start': cannot parse \"abc\" to a valid timestamp"})");
  EXPECT_EQ(
      Body(Get("/api/v1/series", {{"match[]", "sum(up)"}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": 1:4: parse error: unexpected \"(\""})");
}

TEST_F(QueryApiTest, LabelNamesAndValuesAreUnionsOverMatchers) {
  EXPECT_EQ(Body(Get("/api/v1/labels")),
            R"(200 {"status":"success","data":["Zeta","__name__","code","instance","job","path"]})");
  EXPECT_EQ(Body(Get("/api/v1/labels", {{"match[]", "weird"}, {"match[]", "old"}})),
            R"(200 {"status":"success","data":["__name__","path"]})");
  EXPECT_EQ(
      Body(Get("/api/v1/labels", {{"match[]", "up{"}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input inside braces"})");
  const std::string values = "/api/v1/label/:name/values";
  EXPECT_EQ(Body(Get(values, {}, "/api/v1/label/job/values")),
            R"(200 {"status":"success","data":["api","db"]})");
  EXPECT_EQ(Body(Get(values, {{"match[]", R"(up{job="db"})"}, {"match[]", "http_requests_total"}},
                     "/api/v1/label/job/values")),
            R"(200 {"status":"success","data":["api","db"]})");
  EXPECT_EQ(Body(Get(values, {}, "/api/v1/label/nolabel/values")), R"(200 {"status":"success","data":[]})");
  EXPECT_EQ(Body(Get(values, {}, "/api/v1/label/1bad/values")),
            R"(400 {"status":"error","errorType":"bad_data","error":"invalid label name: \"1bad\""})");
  EXPECT_EQ(Get(values, {}, "/api/v1/label/job").status, 404);
  EXPECT_EQ(Get(values, {}, "/api/v1/label/a/b/values").status, 404);
}

TEST_F(QueryApiTest, FederateWritesTheLatestSampleOfEachSeriesInTextFormat) {
  QueryApiOptions o;
  o.external_labels = model::Labels{{"cluster", "eu"}};
  Api(o);
  net::HttpResponse r = Get("/federate", {{"match[]", R"({__name__=~".+"})"}, {"match[]", "up"}});
  EXPECT_EQ(r.status, 200);
  // old: outside the 5m lookback; stale: ends with a staleness marker.
  EXPECT_EQ(r.body,
            "# TYPE http_requests_total untyped\n"
            "http_requests_total{code=\"200\",job=\"api\",cluster=\"eu\",instance=\"\"} 60 1700000000000\n"
            "# TYPE neg untyped\n"
            "neg{Zeta=\"1\",cluster=\"eu\",instance=\"\"} 0 1699999998000\n"
            "# TYPE up untyped\n"
            "up{instance=\"a:1\",job=\"api\",cluster=\"eu\"} 1 1700000000000\n"
            "up{instance=\"b:2\",job=\"db\",cluster=\"eu\"} 0 1700000000000\n"
            "# TYPE weird untyped\n"
            "weird{path=\"/x\\\"y\\\\z\\nw\",cluster=\"eu\",instance=\"\"} +Inf 1699999999000\n");
  EXPECT_EQ(Get("/federate").body, "");
  net::HttpResponse bad = Get("/federate", {{"match[]", "up{"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "1:4: parse error: unexpected end of input inside braces\n");
}

TEST_F(QueryApiTest, InstantAndRangeQueriesAnswerWithTheEnginesResult) {
  EXPECT_EQ(
      Body(Get("/api/v1/query", {{"query", R"(up{job="api"})"}, {"time", "1700000000"}})),
      R"(200 {"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a:1","job":"api"},"value":[1700000000,"1"]}]}})");
  // Without `time`: the request's arrival.
  EXPECT_EQ(Body(Get("/api/v1/query", {{"query", "time()"}})),
            R"(200 {"status":"success","data":{"resultType":"scalar","result":[1700000000,"1700000000"]}})");
  EXPECT_EQ(
      Body(Get(
          "/api/v1/query_range",
          {{"query", R"(up{job="api"})"}, {"start", "1699999970"}, {"end", "1700000000"}, {"step", "15s"}})),
      R"(200 {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"a:1","job":"api"},"values":[[1699999970,"1"],[1699999985,"1"],[1700000000,"1"]]}]}})");
}

TEST_F(QueryApiTest, QueryParameterErrorsAreBadData) {
  EXPECT_EQ(
      Body(Get("/api/v1/query", {{"query", "foo("}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"})");
  EXPECT_EQ(
      Body(Get("/api/v1/query", {{"query", "1"}, {"time", "abc"}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": Invalid time value for 'time': cannot parse \"abc\" to a valid timestamp"})");
  EXPECT_EQ(
      Body(Get("/api/v1/query", {{"query", "1"}, {"timeout", "abc"}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": cannot parse \"abc\" to a valid duration"})");
  auto range = [&](std::string q, std::string start, std::string end, std::string step) {
    return Body(Get("/api/v1/query_range", {{"query", q}, {"start", start}, {"end", end}, {"step", step}}));
  };
  EXPECT_EQ(
      range("1", "1700000000", "1600000000", "15"),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"})");
  EXPECT_EQ(
      range("1", "1700000000", "1700000030", "0"),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"})");
  EXPECT_EQ(
      range("1", "1700000000", "1800000000", "1"),
      R"J(400 {"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"})J");
  EXPECT_EQ(
      range("foo(", "1700000000", "1700000030", "1"),
      R"(400 {"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"})");
  EXPECT_EQ(
      range("up[5m]", "1700000000", "1700000030", "1"),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"})");
  EXPECT_EQ(
      range("1", "", "1700000030", "1"),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"\" to a valid timestamp"})");
}

TEST_F(QueryApiTest, EvaluationErrorsAreExecutionTimeoutOrCanceled) {
  net::HttpResponse dup = Get("/api/v1/query", {{"query", "up + on() up"}, {"time", "1700000000"}});
  EXPECT_EQ(dup.status, 422);
  EXPECT_THAT(dup.body,
              HasSubstr(R"({"status":"error","errorType":"execution","error":"found duplicate series)"));
  // A zero timeout runs out before evaluation starts.
  EXPECT_EQ(Body(Get("/api/v1/query", {{"query", "up"}, {"timeout", "0"}})),
            R"(503 {"status":"error","errorType":"timeout","error":"query timed out in query queue"})");
  Api().Shutdown();
  net::HttpResponse canceled = Get("/api/v1/query", {{"query", "sum(rate(up[5m]))"}});
  EXPECT_EQ(canceled.status, 503);
  EXPECT_THAT(canceled.body, HasSubstr(R"("errorType":"canceled")"));
}

TEST_F(QueryApiTest, FormatQueryExemplarsAndMetadata) {
  EXPECT_EQ(Body(Get("/api/v1/format_query", {{"query", "sum(rate(x[90m])) by (job)"}})),
            R"J(200 {"status":"success","data":"sum by (job) (rate(x[1h30m]))"})J");
  EXPECT_EQ(
      Body(Get("/api/v1/format_query", {{"query", "sum("}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"})");
  EXPECT_EQ(Body(Get("/api/v1/query_exemplars", {{"query", "up"}})), R"(200 {"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/query_exemplars", {{"query", "1"}}).status, 204);
  EXPECT_EQ(
      Body(Get("/api/v1/query_exemplars", {{"query", "up"}, {"start", "10"}, {"end", "5"}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"end timestamp must not be before start timestamp"})");
  EXPECT_EQ(Body(Get("/api/v1/metadata")), R"(200 {"status":"success","data":{}})");
  EXPECT_EQ(Body(Get("/api/v1/metadata", {{"limit", "x"}})),
            R"(400 {"status":"error","errorType":"bad_data","error":"limit must be a number"})");
}

TEST_F(QueryApiTest, StatusPagesHaveEveryPrometheusField) {
  QueryApiOptions o;
  o.build = {"0.1.0", "abc", "main", "ci", "20261201", "clang"};
  o.flags = {{"query.timeout", "2m"}, {"config.file", "x.toml"}};
  o.storage_retention = "30d";
  o.config_text = [] { return std::string("password = \"p\"\n"); };
  o.runtime_state = [] { return RuntimeState{.reload_config_success = false, .last_config_time_ms = kT}; };
  o.head_summary = [] { return HeadSummary{7, 9, kT - 3'600'000, kT}; };
  Api(std::move(o));
  EXPECT_EQ(
      Body(Get("/api/v1/status/buildinfo")),
      R"(200 {"status":"success","data":{"version":"0.1.0","revision":"abc","branch":"main","buildUser":"ci","buildDate":"20261201","goVersion":"clang"}})");
  EXPECT_EQ(Body(Get("/api/v1/status/flags")),
            R"(200 {"status":"success","data":{"config.file":"x.toml","query.timeout":"2m"}})");
  EXPECT_EQ(Body(Get("/api/v1/status/config")),
            R"(200 {"status":"success","data":{"yaml":"password = \"\u003csecret\u003e\"\n"}})");
  std::string info = Get("/api/v1/status/runtimeinfo").body;
  for (const char* field : {"\"startTime\":\"", "\"CWD\":\"", "\"reloadConfigSuccess\":false",
                            "\"lastConfigTime\":\"2023-11-14T22:13:20Z\"", "\"corruptionCount\":0",
                            "\"goroutineCount\":", "\"GOMAXPROCS\":", "\"GOGC\":\"\"", "\"GODEBUG\":\"\"",
                            "\"storageRetention\":\"30d\""})
    EXPECT_THAT(info, HasSubstr(field));
  // Label pairs are counted through the store: __name__ 6, instance 2, job 2, code 1, path 1, Zeta 1.
  EXPECT_EQ(
      Body(Get("/api/v1/status/tsdb")),
      R"(200 {"status":"success","data":{"headStats":{"numSeries":7,"numLabelPairs":13,"chunkCount":9,)"
      R"("minTime":1699996400000,"maxTime":1700000000000},"seriesCountByMetricName":[],)"
      R"("labelValueCountByLabelName":[],"memoryInBytesByLabelName":[],"seriesCountByLabelValuePair":[]}})");
  EXPECT_EQ(Body(Get("/api/v1/rules")), R"(200 {"status":"success","data":{"groups":[]}})");
  EXPECT_EQ(
      Body(Get("/api/v1/rules", {{"type", "X"}})),
      R"(400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"type\": not supported value \"x\""})");
  EXPECT_EQ(Body(Get("/api/v1/alerts")), R"(200 {"status":"success","data":{"alerts":[]}})");
  EXPECT_EQ(Body(Get("/api/v1/targets")),
            R"(200 {"status":"success","data":{"activeTargets":[],"droppedTargets":[]}})");
}

TEST_F(QueryApiTest, TsdbStatusHookReplacesTheSummary) {
  QueryApiOptions o;
  o.tsdb_status = [] { return StatusOr<std::string>(std::string(R"({"headStats":{}})")); };
  Api(std::move(o));
  EXPECT_EQ(Body(Get("/api/v1/status/tsdb")), R"(200 {"status":"success","data":{"headStats":{}}})");
}

TEST_F(QueryApiTest, TargetsAreTheInputsWithTheirHealth) {
  QueryApiOptions o;
  o.targets = [] {
    TargetInfo t;
    t.pool = "host";
    t.url = "input:host";
    t.labels = model::Labels{{"instance", "h1"}, {"job", "node"}};
    t.health = "down";
    t.last_error = "read /proc/stat: \"denied\"";
    t.last_scrape_ms = 1700000000123;
    t.last_duration_seconds = 0.0125;
    t.interval_ms = 15000;
    return std::vector<TargetInfo>{t};
  };
  Api(std::move(o));
  EXPECT_EQ(Body(Get("/api/v1/targets")),
            R"(200 {"status":"success","data":{"activeTargets":[{"discoveredLabels":{"__address__":"input:host",)"
            R"("instance":"h1","job":"node"},"labels":{"instance":"h1","job":"node"},"scrapePool":"host",)"
            R"("scrapeUrl":"input:host","globalUrl":"input:host","lastError":"read /proc/stat: \"denied\"",)"
            R"("lastScrape":"2023-11-14T22:13:20.123Z","lastScrapeDuration":0.0125,"health":"down",)"
            R"("scrapeInterval":"15s","scrapeTimeout":"15s"}],"droppedTargets":[]}})");
  EXPECT_EQ(Body(Get("/api/v1/targets", {{"state", "dropped"}})),
            R"(200 {"status":"success","data":{"activeTargets":[],"droppedTargets":[]}})");
}

// Through an HttpServer: the route hands the request to the pool and answers
// on the loop; the request is counted in the self metrics.
TEST_F(QueryApiTest, RoutesAnswerFromTheWorkersAndCountRequests) {
  net::HttpServer server(&loop_, {});
  Api().Register(&server);
  ASSERT_TRUE(server.Listen("127.0.0.1:0").ok());
  int port = server.port();
  std::string response;
  std::atomic<bool> client_done{false};
  std::thread client([&] {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ADD_FAILURE() << "connect failed";
      client_done = true;
      return;
    }
    std::string req =
        "GET /api/v1/series?match%5B%5D=up%7Bjob%3D%22db%22%7D HTTP/1.1\r\nHost: x\r\nOrigin: http://g\r\n"
        "Connection: close\r\n\r\n";
    EXPECT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<size_t>(n));
    close(fd);
    client_done = true;
  });
  while (!client_done) uv_run(&loop_, UV_RUN_NOWAIT);
  client.join();
  EXPECT_THAT(response, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(response, HasSubstr("Access-Control-Allow-Origin: *"));
  EXPECT_THAT(response,
              HasSubstr(R"({"status":"success","data":[{"__name__":"up","instance":"b:2","job":"db"}]})"));
  EXPECT_EQ(cistern::testing::MetricValue(
                registry_, "cistern_query_requests_total{endpoint=\"/api/v1/series\",code=\"200\"}"),
            1);
  bool closed = false;
  server.Close([&] { closed = true; });
  while (!closed) uv_run(&loop_, UV_RUN_ONCE);
}

}  // namespace
}  // namespace cistern::api
