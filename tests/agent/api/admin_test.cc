#include "agent/api/admin.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "agent/api/query_params.h"
#include "agent/api/tsdb_status.h"
#include "agent/loop/handle.h"
#include "agent/tsdb/db.h"
#include "tests/agent/tsdb/head_test_util.h"
#include "tests/testing/temp_dir.h"

namespace cistern::api {
namespace {

struct Reply {
  int status = 0;
  std::string body;
};

// One request on a fresh connection (Connection: close), read to EOF.
Reply Send(int port, const std::string& method, const std::string& target, const std::string& body = "") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  Reply r;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return r;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  if (!body.empty()) req += "Content-Type: application/x-www-form-urlencoded\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  EXPECT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::string out;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (out.size() > 12) r.status = std::stoi(out.substr(9, 3));
  size_t head_end = out.find("\r\n\r\n");
  if (head_end != std::string::npos) r.body = out.substr(head_end + 4);
  return r;
}

// The admin routes on a loop thread, with handlers the test controls.
class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }

  void Start(AdminHandlers handlers) {
    net::HttpServerOptions opts;
    server_ = std::make_unique<net::HttpServer>(&loop_, opts);
    RegisterAdminRoutes(server_.get(), &loop_, std::move(handlers));
    ASSERT_TRUE(server_->Listen("127.0.0.1:0").ok());
    port_ = server_->port();
    stop_ = std::make_unique<loop::Async>(&loop_, [this] {
      server_->Close();
      server_.reset();
      stop_.reset();
    });
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }

  // Handlers that record delete_series calls and answer `result`.
  AdminHandlers Recording() {
    AdminHandlers h;
    h.snapshot = [](bool) -> StatusOr<std::string> { return std::string("snap"); };
    h.delete_series = [this](int64_t start, int64_t end,
                             std::vector<std::vector<storage::LabelMatcher>> sel) {
      std::lock_guard lock(mu_);
      calls_.push_back({start, end, std::move(sel)});
      return result_;
    };
    h.clean_tombstones = [this] {
      std::lock_guard lock(mu_);
      ++cleans_;
      return result_;
    };
    return h;
  }

  void TearDown() override {
    if (thread_.joinable()) {
      stop_->Send();
      thread_.join();
    }
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle leaked";
  }

  struct Call {
    int64_t start, end;
    std::vector<std::vector<storage::LabelMatcher>> selectors;
  };
  uv_loop_t loop_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<loop::Async> stop_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Call> calls_;
  int cleans_ = 0;
  Status result_;
};

std::string ErrorJson(const std::string& type, const std::string& message) {
  return "{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":\"" + message + "\"}";
}

TEST_F(AdminTest, DeleteSeriesWithoutMatchIs400AndDeletesNothing) {
  Start(Recording());
  Reply r = Send(port_, "POST", "/api/v1/admin/tsdb/delete_series");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, ErrorJson("bad_data", "no match[] parameter provided"));
  r = Send(port_, "PUT", "/api/v1/admin/tsdb/delete_series?start=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AdminTest, BadTimesAndSelectorsAre400WithPrometheusMessages) {
  Start(Recording());
  Reply r = Send(port_, "POST", "/api/v1/admin/tsdb/delete_series?match[]=up&start=yesterday");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, ErrorJson("bad_data",
                              "invalid parameter \\\"start\\\": Invalid time value for 'start': cannot parse "
                              "\\\"yesterday\\\" to a valid timestamp"));
  r = Send(port_, "POST", "/api/v1/admin/tsdb/delete_series?match[]=up&end=x");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid parameter \\\"end\\\": Invalid time value for 'end'"), std::string::npos)
      << r.body;
  // The second selector is bad: nothing is deleted, not even for the first.
  r = Send(port_, "POST", "/api/v1/admin/tsdb/delete_series?match[]=up&match[]=%7Bjob%3D", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"error\":\"invalid parameter \\\"match[]\\\": 1:"), std::string::npos) << r.body;
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AdminTest, DeleteSeriesIs204WithTheParsedRangeAndSelectors) {
  Start(Recording());
  Reply r = Send(port_, "POST", "/api/v1/admin/tsdb/delete_series?match[]=up%7Bjob%3D%22node%22%7D",
                 "match[]=%7B__name__%3D~%22a.*%22%7D&start=1.5&end=2026-12-01T15:15:00.250Z");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_EQ(calls_[0].start, 1500);
  EXPECT_EQ(calls_[0].end, 1796138100250);
  ASSERT_EQ(calls_[0].selectors.size(), 2u) << "body and query string values, as Go's r.Form";
  EXPECT_EQ(calls_[0].selectors[0].size(), 1u);  // {__name__=~"a.*"} from the body first
  EXPECT_EQ(calls_[0].selectors[1].size(), 2u);  // up{job="node"}
  // Without start and end: Prometheus' min and max time.
  r = Send(port_, "PUT", "/api/v1/admin/tsdb/delete_series?match[]=up");
  EXPECT_EQ(r.status, 204);
  ASSERT_EQ(calls_.size(), 2u);
  EXPECT_EQ(calls_[1].start, kApiMinTimeMs);
  EXPECT_EQ(calls_[1].end, kApiMaxTimeMs);
}

TEST_F(AdminTest, CleanTombstonesIs204AndStoreErrorsAre500) {
  Start(Recording());
  Reply r = Send(port_, "POST", "/api/v1/admin/tsdb/clean_tombstones");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(cleans_, 1);
  EXPECT_EQ(Send(port_, "GET", "/api/v1/admin/tsdb/clean_tombstones").status, 405);
  result_ = DataLossError("block 01H: tombstones: write failed");
  r = Send(port_, "PUT", "/api/v1/admin/tsdb/clean_tombstones");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, ErrorJson("internal", "block 01H: tombstones: write failed"));
  r = Send(port_, "POST", "/api/v1/admin/tsdb/delete_series?match[]=up");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, ErrorJson("internal", "block 01H: tombstones: write failed"));
}

TEST_F(AdminTest, RoutesWithoutAHandlerDoNotExist) {
  AdminHandlers h;
  h.snapshot = [](bool) -> StatusOr<std::string> { return std::string("snap"); };
  Start(std::move(h));
  EXPECT_EQ(Send(port_, "POST", "/api/v1/admin/tsdb/delete_series?match[]=up").status, 404);
  EXPECT_EQ(Send(port_, "POST", "/api/v1/admin/tsdb/clean_tombstones").status, 404);
  EXPECT_EQ(Send(port_, "POST", "/api/v1/admin/tsdb/snapshot").status, 200);
}

TEST_F(AdminTest, DeleteSeriesThroughARealDbHidesTheDataAtOnce) {
  cistern::testing::TempDir dir;
  obs::Registry registry;
  tsdb::DbOptions o;
  o.dir = dir.path();
  o.background = false;
  o.registry = &registry;
  auto db = tsdb::Db::Open(o);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  {
    auto app = (*db)->NewAppender();
    for (const char* job : {"node", "api"})
      for (int64_t t = 1000; t <= 10000; t += 1000)
        ASSERT_TRUE(app->Append(0, model::Labels{{"__name__", "up"}, {"job", job}}, t, 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  AdminHandlers h;
  h.delete_series = [d = db->get()](int64_t start, int64_t end,
                                    std::vector<std::vector<storage::LabelMatcher>> sel) {
    return d->Delete(start, end, sel);
  };
  h.clean_tombstones = [d = db->get()] { return d->CleanTombstones(); };
  Start(std::move(h));
  EXPECT_EQ(
      Send(port_, "POST", "/api/v1/admin/tsdb/delete_series?match[]=up%7Bjob%3D%22node%22%7D&end=5").status,
      204);
  auto q = (*db)->NewQuerier(storage::kMinTime, storage::kMaxTime);
  ASSERT_TRUE(q.ok());
  auto set = (*q)->Select(true, nullptr, std::vector{tsdb::testing::Eq("__name__", "up")});
  tsdb::testing::Result r = tsdb::testing::ReadSet(set.get());
  ASSERT_TRUE((*q)->Close().ok());
  EXPECT_EQ(r["up{job=\"api\"}"].size(), 10u);
  EXPECT_EQ(r["up{job=\"node\"}"].size(), 5u) << "[start, 5 s] deleted";
  EXPECT_EQ(Send(port_, "POST", "/api/v1/admin/tsdb/clean_tombstones").status, 204);
}

TEST(TsdbStatusTest, RendersPrometheusTsdbStatusData) {
  tsdb::HeadStats st;
  st.num_series = 3;
  st.num_label_pairs = 5;
  st.chunk_count = 4;
  st.min_time = 1000;
  st.max_time = 9000;
  st.series_count_by_metric_name = {{"up", 2}, {"a\"b", 1}};
  st.series_count_by_label_value_pair = {{"job=node", 2}};
  EXPECT_EQ(TsdbStatusJson(st),
            "{\"headStats\":{\"numSeries\":3,\"numLabelPairs\":5,\"chunkCount\":4,\"minTime\":1000,"
            "\"maxTime\":9000},"
            "\"seriesCountByMetricName\":[{\"name\":\"up\",\"value\":2},{\"name\":\"a\\\"b\",\"value\":1}],"
            "\"labelValueCountByLabelName\":[],\"memoryInBytesByLabelName\":[],"
            "\"seriesCountByLabelValuePair\":[{\"name\":\"job=node\",\"value\":2}]}");
}

}  // namespace
}  // namespace cistern::api
