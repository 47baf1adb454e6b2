#include "agent/remote/queue_manager.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <map>

#include "agent/base/time.h"
#include "agent/net/http_server.h"
#include "tests/testing/net_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::remote {
namespace {

using ::testing::HasSubstr;

// A remote-write receiver on our own HTTP server: decodes, records, answers
// with scripted status codes first.
class Receiver {
 public:
  Receiver(uv_loop_t* loop, int port) : server_(loop, net::HttpServerOptions{}), release_(loop) {
    server_.Route("/api/v1/write", {"POST"}, [this](net::HttpRequest req, net::Responder respond) {
      ++requests;
      const std::string* enc = req.Header("Content-Encoding");
      const std::string* ver = req.Header("X-Prometheus-Remote-Write-Version");
      if (!enc || *enc != "snappy" || !ver || *ver != "0.1.0") bad_headers = true;
      if (!script.empty()) {
        int code = script.front();
        script.erase(script.begin());
        net::HttpResponse r = net::HttpResponse::Text(code, "scripted " + std::to_string(code));
        if (code == 429) r.headers.push_back({"Retry-After", "0"});
        respond(std::move(r));
        return;
      }
      auto wr = DecodeWriteRequest(req.body);
      if (!wr.ok()) {
        respond(net::HttpResponse::Text(400, wr.status().message()));
        return;
      }
      if (judge) {
        if (int code = judge(*wr); code != 0) {
          respond(net::HttpResponse::Text(code, "judged " + std::to_string(code)));
          return;
        }
      }
      for (const auto& ts : wr->timeseries) {
        for (const auto& s : ts.samples) received[ts.labels.ToString()].push_back(s.timestamp_ms);
        ++series_seen;
      }
      if (hold_ms == 0) {
        respond(net::HttpResponse::Text(204, ""));
        return;
      }
      // Answer later, all held requests together: shows how many were in flight at once.
      held_.push_back(std::move(respond));
      max_in_flight = std::max(max_in_flight, held_.size());
      if (!release_.active()) {
        release_.Start(hold_ms, 0, [this] {
          auto held = std::move(held_);
          held_.clear();
          for (auto& r : held) r(net::HttpResponse::Text(204, ""));
        });
      }
    });
    EXPECT_TRUE(server_.Listen("127.0.0.1:" + std::to_string(port)).ok());
  }
  size_t total() const {
    size_t n = 0;
    for (const auto& [k, v] : received) n += v.size();
    return n;
  }
  std::vector<int> script;
  std::function<int(const WriteRequest&)> judge;  // non-zero: answer with that status instead
  uint64_t hold_ms = 0;
  size_t max_in_flight = 0;
  std::map<std::string, std::vector<int64_t>> received;
  int requests = 0;
  size_t series_seen = 0;
  bool bad_headers = false;

 private:
  net::HttpServer server_;
  loop::Timer release_;
  std::vector<net::Responder> held_;
};

class QueueManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    wal::Options o;
    o.dir = dir_.Join("wal");
    auto w = wal::Wal::Open(o);
    ASSERT_TRUE(w.ok());
    wal_ = std::move(*w);
    port_ = ntohs(testing::UnusedLoopbackAddress().sin_port);
  }
  void TearDown() override {
    if (qm_) StopQueue();
    receiver_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle leaked";
  }
  EndpointOptions Opts() {
    EndpointOptions e;
    e.name = "test";
    e.url = "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/write";
    e.max_samples_per_send = 100;
    e.batch_send_deadline = Duration(20);
    e.min_backoff = Duration(5);
    e.max_backoff = Duration(50);
    e.ack_interval = Duration(0);
    return e;
  }
  void StartQueue(EndpointOptions e) {
    qm_ = std::make_unique<QueueManager>(&loop_, wal_.get(), std::move(e), &metrics_);
    CISTERN_ASSERT_OK(qm_->Start());
  }
  void StopQueue() {
    bool done = false;
    qm_->Stop([&] { done = true; });
    RunUntil([&] { return done; });
    qm_.reset();
  }
  // Appends `batches` batches of `series` series starting at batch `first`.
  void Append(int first, int batches, int series) {
    for (int b = first; b < first + batches; ++b) {
      std::vector<wal::SampleRef> s;
      for (int i = 0; i < series; ++i) {
        s.push_back({wal_->Series(model::Labels{{"__name__", "m"}, {"i", std::to_string(i)}}), b * 1000LL, double(b)});
      }
      CISTERN_ASSERT_OK(wal_->Append(s));
    }
  }
  // Like Append, with timestamps of now (+b ms): live samples, not a backlog.
  void AppendFresh(int first, int batches, int series) {
    int64_t now = NowUnixMillis();
    for (int b = first; b < first + batches; ++b) {
      std::vector<wal::SampleRef> s;
      for (int i = 0; i < series; ++i) {
        s.push_back({wal_->Series(model::Labels{{"__name__", "m"}, {"i", std::to_string(i)}}), now + b, double(b)});
      }
      CISTERN_ASSERT_OK(wal_->Append(s));
    }
  }
  std::vector<std::string> BacklogCursors() {
    std::vector<std::string> out;
    for (const std::string& n : wal_->CursorNames()) {
      if (n.find(".backlog-") != std::string::npos) out.push_back(n);
    }
    return out;
  }
  // Every series got exactly `n` samples, each timestamp once.
  void ExpectEachSeriesExactlyOnce(size_t n) {
    for (const auto& [series, ts] : receiver_->received) {
      std::vector<int64_t> sorted = ts;
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << series << ": a duplicate";
      EXPECT_EQ(ts.size(), n) << series;
    }
  }
  // Runs the loop until `pred` holds (bounded: a stuck test fails, it does not hang).
  void RunUntil(const std::function<bool()>& pred) {
    loop::Timer tick(&loop_);
    tick.Start(5, 5, [] {});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!pred() && std::chrono::steady_clock::now() < deadline) uv_run(&loop_, UV_RUN_ONCE);
    EXPECT_TRUE(pred()) << "condition not reached within 30 s";
  }
  std::string Metrics() { return metrics_.RenderText(); }

  testing::TempDir dir_;
  uv_loop_t loop_;
  obs::Registry metrics_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<Receiver> receiver_;
  std::unique_ptr<QueueManager> qm_;
  int port_;
};

TEST_F(QueueManagerTest, DeliversEverySampleInOrderAndPersistsTheCursor) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  Append(0, 30, 50);
  StartQueue(Opts());
  RunUntil([&] { return receiver_->total() == 1500; });
  Append(30, 5, 50);  // live data keeps flowing
  // The sender counts a request once its response arrived: wait for that.
  RunUntil([&] { return Metrics().find("cistern_remote_samples_sent_total{remote=\"test\"} 1750\n") != std::string::npos; });
  EXPECT_EQ(receiver_->total(), 1750u);
  EXPECT_FALSE(receiver_->bad_headers);
  for (const auto& [series, ts] : receiver_->received) {
    ASSERT_EQ(ts.size(), 35u) << series;
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end())) << series;
  }
  StopQueue();
  auto cursor = wal_->OpenCursor("test");
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, wal_->End());
}

TEST_F(QueueManagerTest, ServerErrorsAndTooManyRequestsAreRetriedUntilDelivered) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  receiver_->script = {503, 500, 429, 503};
  Append(0, 3, 10);
  StartQueue(Opts());
  RunUntil([&] { return receiver_->total() == 30; });
  EXPECT_EQ(receiver_->requests, 5);
  EXPECT_THAT(Metrics(), HasSubstr("cistern_remote_samples_retried_total{remote=\"test\"} 120\n"));
}

TEST_F(QueueManagerTest, OtherFourHundredsAreNotRetried) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  receiver_->script = {400};
  Append(0, 1, 10);
  StartQueue(Opts());
  RunUntil([&] { return receiver_->requests == 1; });
  Append(1, 1, 10);
  RunUntil([&] { return receiver_->total() == 10; });
  EXPECT_EQ(receiver_->requests, 2);
  EXPECT_THAT(Metrics(), HasSubstr("cistern_remote_samples_dropped_total{remote=\"test\",reason=\"http_400\"} 10\n"));
}

TEST_F(QueueManagerTest, OutageThenRecoveryLosesNothing) {
  Append(0, 20, 20);
  StartQueue(Opts());  // nobody listens yet
  RunUntil([&] { return Metrics().find("cistern_remote_samples_retried_total{remote=\"test\"} 0\n") == std::string::npos; });
  Append(20, 20, 20);  // collection goes on during the outage
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  RunUntil([&] { return receiver_->total() == 800; });
  for (const auto& [series, ts] : receiver_->received) {
    ASSERT_EQ(ts.size(), 40u) << series;  // every sample, once
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end()));
  }
}

TEST_F(QueueManagerTest, ExternalLabelsAndWriteRelabelingAreApplied) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  EndpointOptions e = Opts();
  e.external_labels = model::Labels{{"cluster", "prod"}, {"i", "never-overrides"}};
  model::RelabelRule drop;
  drop.source_labels = {"i"};
  drop.regex = "1.*";
  drop.action = model::RelabelAction::kDrop;
  e.relabel = {drop};
  Append(0, 2, 20);  // i = 0..19; 10..19 and 1 are dropped
  StartQueue(e);
  RunUntil([&] { return receiver_->total() == 18; });
  EXPECT_EQ(receiver_->received.count("m{cluster=\"prod\", i=\"0\"}"), 1u);
  EXPECT_EQ(receiver_->received.count("m{cluster=\"prod\", i=\"1\"}"), 0u);
  EXPECT_THAT(Metrics(), HasSubstr("cistern_remote_samples_dropped_total{remote=\"test\",reason=\"relabel\"} 22\n"));
}

TEST_F(QueueManagerTest, RestartResumesAfterTheLastDeliveredRequest) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  Append(0, 10, 10);
  StartQueue(Opts());
  RunUntil([&] { return receiver_->total() == 100; });
  StopQueue();
  Append(10, 10, 10);
  StartQueue(Opts());
  RunUntil([&] { return receiver_->total() == 200; });
  for (const auto& [series, ts] : receiver_->received) {
    ASSERT_EQ(ts.size(), 20u) << series << ": duplicates or gaps after the restart";
  }
}

TEST_F(QueueManagerTest, ShardsSendInParallelAndKeepEachSeriesInOrder) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  receiver_->hold_ms = 20;
  Append(0, 40, 64);
  EndpointOptions e = Opts();
  e.min_shards = e.max_shards = 4;
  e.max_samples_per_send = 50;
  StartQueue(e);
  RunUntil([&] { return receiver_->total() == 40 * 64; });
  RunUntil([&] { return Metrics().find("cistern_remote_samples_sent_total{remote=\"test\"} 2560\n") != std::string::npos; });
  EXPECT_GT(receiver_->max_in_flight, 1u) << "shards did not overlap";
  for (const auto& [series, ts] : receiver_->received) {
    ASSERT_EQ(ts.size(), 40u) << series;
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end())) << series;
  }
  EXPECT_THAT(Metrics(), HasSubstr("cistern_remote_shards{remote=\"test\"} 4\n"));
  StopQueue();
  auto cursor = wal_->OpenCursor("test");
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, wal_->End());
}

TEST_F(QueueManagerTest, ABacklogReshardsUpToMaxShardsWithoutReordering) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  receiver_->hold_ms = 5;
  EndpointOptions e = Opts();
  e.min_shards = 1;
  e.max_shards = 3;
  e.max_samples_per_send = 20;
  e.reshard_interval = Duration(30);
  Append(0, 100, 30);  // old timestamps: a backlog
  StartQueue(e);
  RunUntil([&] { return Metrics().find("cistern_remote_shards{remote=\"test\"} 3\n") != std::string::npos; });
  Append(100, 100, 30);
  RunUntil([&] { return receiver_->total() == 200 * 30; });
  for (const auto& [series, ts] : receiver_->received) {
    ASSERT_EQ(ts.size(), 200u) << series;
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end())) << series << ": reordered across a reshard";
  }
}

TEST_F(QueueManagerTest, LiveFirstSendsFreshSamplesWhileTheBacklogWaits) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  // Refuses old samples (retryable) until fresh ones arrived: the backlog can
  // only get through after the live lane delivered.
  bool fresh_seen = false;
  int64_t cutoff = NowUnixMillis() - 3600 * 1000;
  receiver_->judge = [&](const WriteRequest& wr) {
    bool old = false;
    for (const auto& ts : wr.timeseries) {
      for (const auto& smp : ts.samples) old |= smp.timestamp_ms < cutoff;
    }
    if (!old) fresh_seen = true;
    return old && !fresh_seen ? 503 : 0;
  };
  Append(0, 30, 20);  // an old backlog
  EndpointOptions e = Opts();
  e.live_first = true;
  e.max_shards = 2;
  StartQueue(e);
  RunUntil([&] { return BacklogCursors().size() == 1; });
  AppendFresh(0, 5, 20);
  RunUntil([&] { return receiver_->total() == 35 * 20; });
  EXPECT_TRUE(fresh_seen);
  ExpectEachSeriesExactlyOnce(35);
  RunUntil([&] { return BacklogCursors().empty(); });  // the drained backlog lets go of the WAL
  RunUntil([&] { return Metrics().find("cistern_remote_backlog_draining{remote=\"test\"} 0\n") != std::string::npos; });
  // Later live data still flows, now on the live lane alone.
  AppendFresh(5, 3, 20);
  RunUntil([&] { return receiver_->total() == 38 * 20; });
  ExpectEachSeriesExactlyOnce(38);
}

TEST_F(QueueManagerTest, LiveFirstBacklogSurvivesARestart) {
  Append(0, 30, 10);
  EndpointOptions e = Opts();
  e.live_first = true;
  StartQueue(e);  // nobody listens: the split still happens, nothing is delivered
  RunUntil([&] { return BacklogCursors().size() == 1; });
  AppendFresh(0, 4, 10);
  StopQueue();
  ASSERT_EQ(BacklogCursors().size(), 1u) << "the backlog range must survive the restart";
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  StartQueue(e);
  RunUntil([&] { return receiver_->total() == 34 * 10; });
  RunUntil([&] { return BacklogCursors().empty(); });
  ExpectEachSeriesExactlyOnce(34);
  // Counted by the sender once the responses are back: then the cursor may move.
  RunUntil([&] { return Metrics().find("cistern_remote_samples_sent_total{remote=\"test\"} 340\n") != std::string::npos; });
  StopQueue();
  auto cursor = wal_->OpenCursor("test");
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, wal_->End());
}

TEST_F(QueueManagerTest, OldestFirstNeverSplits) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  Append(0, 20, 10);
  StartQueue(Opts());
  RunUntil([&] { return receiver_->total() == 200; });
  EXPECT_TRUE(BacklogCursors().empty());
}

TEST_F(QueueManagerTest, MaxDrainRateIsNeverExceeded) {
  receiver_ = std::make_unique<Receiver>(&loop_, port_);
  Append(0, 20, 50);  // 1000 old samples
  EndpointOptions e = Opts();
  e.max_drain_rate = 4000;  // samples/s: at least 0.25 s for the 1000 (a lower bound cannot flake)
  auto start = std::chrono::steady_clock::now();
  StartQueue(e);
  RunUntil([&] { return receiver_->total() == 1000; });
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(200));
}

}  // namespace
}  // namespace cistern::remote
