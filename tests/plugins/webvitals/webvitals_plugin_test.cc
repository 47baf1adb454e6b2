// The plugin as `cistern agent` runs it: resolved from TOML, started by the
// InputRunner on a loop thread, beacons over a real socket, collections on
// the loop thread.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <thread>

#include "agent/config/config.h"
#include "agent/loop/handle.h"
#include "agent/plugin/input_runner.h"
#include "agent/plugin/plugin.h"
#include "tests/testing/net_util.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::webvitals {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

plugin::Registry Builtins() {
  plugin::Registry r;
  RegisterBuiltins(&r);
  return r;
}

StatusOr<plugin::InputSpec> Spec(const std::string& toml, const plugin::Registry& registry) {
  auto c = config::ParseConfig(toml, "t.toml");
  if (!c.ok()) return c.status();
  auto specs = plugin::ResolveInputs(*c, registry);
  if (!specs.ok()) return specs.status();
  for (auto& s : *specs) {
    if (s.id == "webvitals") return std::move(s);
  }
  return NotFoundError("no webvitals input");
}

// One HTTP/1.1 request on a fresh connection; returns the raw response.
std::string Request(int port, const std::string& raw) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return "connect failed";
  }
  size_t off = 0;
  while (off < raw.size()) {
    ssize_t w = write(fd, raw.data() + off, raw.size() - off);
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
  std::string out;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    char buf[4096];
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
    size_t head = out.find("\r\n\r\n");
    if (head != std::string::npos) {
      size_t cl = out.find("Content-Length: ");
      size_t len = cl == std::string::npos || cl > head ? 0 : std::stoul(out.substr(cl + 16));
      if (out.size() >= head + 4 + len) break;
    }
  }
  close(fd);
  return out;
}

std::string Post(const std::string& body, const std::string& origin = "http://127.0.0.1:8000",
                 const std::string& path = "/v1/vitals") {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + origin +
         "\r\nContent-Type: text/plain;charset=UTF-8\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
         "Referer: http://127.0.0.1:8000/checkout/77\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

class WebVitalsPluginTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }

  void Start(const std::string& extra) {
    port_ = ntohs(cistern::testing::UnusedLoopbackAddress().sin_port);
    std::string toml = "[inputs.webvitals]\nlisten = \"127.0.0.1:" + std::to_string(port_) +
                       "\"\nallowed_origins = [\"http://127.0.0.1:8000\"]\ninterval = \"1h\"\n" + extra;
    auto spec = Spec(toml, registry_);
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    runner_ = std::make_unique<plugin::InputRunner>(&loop_, std::move(*spec), &sink_, &metrics_);
    CISTERN_ASSERT_OK(runner_->Start());
    wake_ = std::make_unique<loop::Async>(&loop_, [this] { RunTasks(); });
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }

  // Runs `fn(done)` on the loop thread and waits until it calls done().
  void OnLoop(std::function<void(std::function<void()>)> fn) {
    std::promise<void> finished;
    {
      std::lock_guard lock(mu_);
      tasks_.push_back([&finished, fn] { fn([&finished] { finished.set_value(); }); });
    }
    wake_->Send();
    finished.get_future().wait();
  }
  void Collect() {
    OnLoop([this](std::function<void()> done) {
      runner_->CollectNow([done](Status s) {
        EXPECT_TRUE(s.ok()) << s.ToString();
        done();
      });
    });
  }
  void StopAll() {
    if (!thread_.joinable()) return;
    OnLoop([this](std::function<void()> done) {
      runner_->Stop([this, done] {
        runner_.reset();
        done();
      });
    });
    OnLoop([this](std::function<void()> done) {
      wake_.reset();
      done();
    });
    thread_.join();
  }
  void TearDown() override {
    StopAll();
    EXPECT_EQ(loop::CloseLoop(&loop_), 0) << "a handle leaked";
  }
  void RunTasks() {
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard lock(mu_);
      tasks.swap(tasks_);
    }
    for (auto& t : tasks) t();
  }
  double Count(const std::string& name, const std::string& page) {
    double v = -1;
    for (const auto& s : sink_.Find(name)) {
      if (s.labels.Get("page") == page) v = s.value;  // the latest collection's
    }
    return v;
  }
  double Self(const std::string& name, const std::string& label) {
    for (const auto& f : metrics_.Snapshot()) {
      if (f.name != name) continue;
      for (const auto& p : f.points) {
        if (!p.labels.empty() && p.labels[0].second == label) return p.value;
      }
    }
    return -1;
  }

  plugin::Registry registry_ = Builtins();
  uv_loop_t loop_;
  obs::Registry metrics_;
  cistern::testing::RecordingAppendable sink_;
  std::unique_ptr<plugin::InputRunner> runner_;
  std::unique_ptr<loop::Async> wake_;
  std::mutex mu_;
  std::vector<std::function<void()>> tasks_;
  std::thread thread_;
  int port_ = 0;
};

TEST(WebVitalsDescriptorTest, IsAServiceInputWithTheContractsKeysAndDefaults) {
  plugin::Registry registry = Builtins();
  const plugin::Descriptor* d = registry.Find("webvitals");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->service);
  EXPECT_FALSE(d->enabled_by_default);
  auto spec = Spec("[inputs.webvitals]\n", registry);
  CISTERN_ASSERT_OK(spec);
  EXPECT_EQ(spec->options.GetString("listen"), "0.0.0.0:9464");
  EXPECT_EQ(spec->options.GetString("path"), "/v1/vitals");
  EXPECT_TRUE(spec->options.GetStringList("allowed_origins").empty());
  EXPECT_EQ(spec->options.GetInt("max_pages"), 500);
  EXPECT_EQ(spec->options.GetSize("max_body"), 64u << 10);
  EXPECT_EQ(spec->options.GetInt("rate_limit_per_ip"), 50);
  EXPECT_EQ(spec->options.GetDuration("finalize_after"), Duration(30000));
}

TEST(WebVitalsDescriptorTest, BadOptionsFailCreationNamingTheKey) {
  plugin::Registry registry = Builtins();
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  obs::Registry metrics;
  cistern::testing::RecordingAppendable sink;
  auto run = [&](const std::string& toml) {
    auto spec = Spec(toml, registry);
    if (!spec.ok()) return spec.status();
    plugin::InputRunner runner(&loop, std::move(*spec), &sink, &metrics);
    Status s = runner.Start();
    bool stopped = false;
    runner.Stop([&] { stopped = true; });
    while (!stopped) uv_run(&loop, UV_RUN_ONCE);
    return s;
  };
  EXPECT_THAT(
      run("[inputs.webvitals]\nallowed_origins = [\"example.com\"]\n"),
      StatusIs(StatusCode::kInvalidArgument,
               HasSubstr("inputs.webvitals: allowed_origins[0]: \"example.com\": expected an origin")));
  EXPECT_THAT(run("[inputs.webvitals]\nroutes = [\"blog\"]\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("inputs.webvitals: routes[0]: \"blog\"")));
  EXPECT_THAT(
      run("[inputs.webvitals]\npath = \"v1\"\n"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("inputs.webvitals: path: \"v1\": must start with")));
  EXPECT_THAT(
      run("[inputs.webvitals]\nfinalize_after = \"1h\"\nid_ttl = \"1m\"\n"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("id_ttl (1m) must be at least finalize_after (1h)")));
  EXPECT_THAT(run("[inputs.webvitals]\nmax_pages = 0\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("max_pages")));
  EXPECT_EQ(loop::CloseLoop(&loop), 0);
}

TEST_F(WebVitalsPluginTest, BeaconsOverHttpBecomeHistogramsAtTheNextCollection) {
  Start("finalize_after = \"0s\"\n");
  std::string r =
      Request(port_, Post(R"({"name":"LCP","value":2500,"id":"v6-1-1","navigationType":"navigate"})"));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 204"));
  EXPECT_THAT(r, HasSubstr("Access-Control-Allow-Origin: http://127.0.0.1:8000"));
  Collect();
  EXPECT_EQ(Count("webvitals_lcp_seconds_count", "/checkout/:id"), 1);
  bool saw_le = false;
  for (const auto& s : sink_.Find("webvitals_lcp_seconds_bucket")) {
    if (s.labels.Get("le") == "2.5") {
      saw_le = true;
      EXPECT_EQ(s.labels.Get("navigation_type"), "navigate");
      EXPECT_EQ(s.labels.Get("device"), "desktop");
      EXPECT_EQ(s.value, 1);
    }
  }
  EXPECT_TRUE(saw_le);
}

TEST_F(WebVitalsPluginTest, PreflightWrongMethodAndWrongPathAreAnswered) {
  Start("");
  std::string pre =
      Request(port_,
              "OPTIONS /v1/vitals HTTP/1.1\r\nHost: x\r\nOrigin: http://127.0.0.1:8000\r\n"
              "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n"
              "Connection: close\r\n\r\n");
  EXPECT_THAT(pre, StartsWith("HTTP/1.1 204"));
  EXPECT_THAT(pre, HasSubstr("Access-Control-Allow-Methods: POST, OPTIONS"));
  EXPECT_THAT(Request(port_, "GET /v1/vitals HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
              StartsWith("HTTP/1.1 405"));
  EXPECT_THAT(Request(port_, Post("{}", "http://127.0.0.1:8000", "/elsewhere")), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(Request(port_, Post("{}", "http://evil.test")), StartsWith("HTTP/1.1 403"));
}

TEST_F(WebVitalsPluginTest, BodiesFarOverMaxBodyAreRefusedByTheServerAndStillCounted) {
  Start("max_body = \"1KiB\"\n");
  std::string body(1500, ' ');
  EXPECT_THAT(Request(port_, Post(body)), StartsWith("HTTP/1.1 413"));  // the handler: with CORS headers
  std::string huge(10000, ' ');
  EXPECT_THAT(Request(port_, Post(huge)), StartsWith("HTTP/1.1 413"));  // the server's own limit
  Collect();
  EXPECT_EQ(Self("cistern_webvitals_rejected_total", "body_too_large"), 2);
}

TEST_F(WebVitalsPluginTest, PendingIdsAreFlushedAtShutdown) {
  Start("finalize_after = \"1h\"\nid_ttl = \"2h\"\n");
  EXPECT_THAT(Request(port_, Post(R"({"name":"INP","value":300,"id":"v6-2-2"})")),
              StartsWith("HTTP/1.1 204"));
  Collect();
  EXPECT_EQ(Count("webvitals_inp_seconds_count", "/checkout/:id"), -1);  // still settling
  StopAll();
  EXPECT_EQ(Count("webvitals_inp_seconds_count", "/checkout/:id"), 1);
}

TEST_F(WebVitalsPluginTest, StaticLabelsAreAddedToEverySample) {
  Start("finalize_after = \"0s\"\nlabels = { site = \"shop\" }\n");
  Request(port_, Post(R"({"name":"CLS","value":0.05,"id":"v6-3-3"})"));
  Collect();
  auto samples = sink_.Find("webvitals_cls_count");
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples.back().labels.Get("site"), "shop");
}

}  // namespace
}  // namespace cistern::plugins::webvitals
