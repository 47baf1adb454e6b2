#include "agent/plugin/input_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "agent/config/config.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugin {
namespace {

using ::testing::HasSubstr;
using testing::RecordingAppendable;
using testing::StatusIs;

// A test input whose behaviour each test scripts.
struct Script {
  int collects = 0;
  bool hold = false;              // keep the collection in flight (don't call done)
  CollectDone held_done;
  Status result;
  bool stopped = false;
};

class ScriptedInput : public Input {
 public:
  explicit ScriptedInput(Script* s) : s_(s) {}
  void Collect(const CollectRequest& req, CollectDone done) override {
    ++s_->collects;
    auto ref = req.appender->Append(0, model::Labels{{"__name__", "scripted"}, {"n", std::to_string(s_->collects)}},
                                    req.timestamp_ms, s_->collects);
    EXPECT_TRUE(ref.ok());
    if (s_->hold) {
      s_->held_done = std::move(done);
      return;
    }
    done(s_->result);
  }
  void Stop() override { s_->stopped = true; }

 private:
  Script* s_;
};

class InputRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    Descriptor d;
    d.name = "scripted";
    d.multi_instance = true;
    d.schema = {config::Field{"target", config::FieldType::kString, "\"x\"", "a target"}};
    d.create = [this](Context&) -> StatusOr<std::unique_ptr<Input>> {
      return std::unique_ptr<Input>(std::make_unique<ScriptedInput>(&script_));
    };
    registry_.Register(std::move(d));
  }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle leaked";
  }

  std::unique_ptr<InputRunner> MakeRunner(const std::string& toml) {
    auto c = config::ParseConfig(toml, "test.toml");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    auto specs = ResolveInputs(*c, registry_);
    EXPECT_TRUE(specs.ok()) << specs.status().ToString();
    return std::make_unique<InputRunner>(&loop_, std::move((*specs)[0]), &sink_, &metrics_);
  }

  void StopAndDrain(std::unique_ptr<InputRunner>& r) {
    bool stopped = false;
    r->Stop([&] { stopped = true; });
    uv_run(&loop_, UV_RUN_NOWAIT);
    EXPECT_TRUE(stopped);
    r.reset();
  }

  uv_loop_t loop_;
  Registry registry_;
  Script script_;
  RecordingAppendable sink_;
  obs::Registry metrics_;
};

TEST_F(InputRunnerTest, CollectionIsCommittedWithStaticLabels) {
  auto r = MakeRunner("[[inputs.scripted]]\nlabels = { env = \"prod\" }\n");
  CISTERN_ASSERT_OK(r->Start());
  Status got = InternalError("not called");
  r->CollectNow([&](Status s) { got = s; });
  CISTERN_EXPECT_OK(got);
  auto samples = sink_.Find("scripted");
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].labels.Get("env"), "prod");
  EXPECT_TRUE(r->health().up);
  EXPECT_THAT(metrics_.RenderText(), HasSubstr("cistern_input_samples_appended_total{input=\"scripted[0]\"} 1\n"));
  StopAndDrain(r);
}

TEST_F(InputRunnerTest, DefaultJobAddsJobAndInstanceUnlessLabelsSetThem) {
  Descriptor d;
  d.name = "exporterlike";
  d.default_job = "node";
  d.create = [this](Context&) -> StatusOr<std::unique_ptr<Input>> {
    return std::unique_ptr<Input>(std::make_unique<ScriptedInput>(&script_));
  };
  registry_.Register(std::move(d));
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  auto r = MakeRunner("[inputs.exporterlike]\n");
  CISTERN_ASSERT_OK(r->Start());
  r->CollectNow([](Status) {});
  auto samples = sink_.Find("scripted");
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].labels.Get("job"), "node");
  EXPECT_EQ(samples[0].labels.Get("instance"), host);
  StopAndDrain(r);
  r = MakeRunner("[inputs.exporterlike]\nlabels = { instance = \"web-1\", job = \"hosts\" }\n");
  CISTERN_ASSERT_OK(r->Start());
  r->CollectNow([](Status) {});
  samples = sink_.Find("scripted");
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[1].labels.Get("job"), "hosts");
  EXPECT_EQ(samples[1].labels.Get("instance"), "web-1");
  StopAndDrain(r);
}

TEST_F(InputRunnerTest, InputsWithAJobWriteUpAndScrapeSeriesLikeAScrape) {
  Descriptor d;
  d.name = "exporterlike";
  d.default_job = "node";
  d.create = [this](Context&) -> StatusOr<std::unique_ptr<Input>> {
    return std::unique_ptr<Input>(std::make_unique<ScriptedInput>(&script_));
  };
  registry_.Register(std::move(d));
  auto r = MakeRunner("[inputs.exporterlike]\n");
  std::vector<InputHealth> seen;
  r->set_health_listener([&](const InputHealth& h) { seen.push_back(h); });
  CISTERN_ASSERT_OK(r->Start());
  r->CollectNow([](Status) {});
  auto up = sink_.Find("up");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].value, 1);
  EXPECT_EQ(up[0].labels.Get("job"), "node");
  EXPECT_EQ(up[0].timestamp_ms, sink_.Find("scripted")[0].timestamp_ms);
  ASSERT_EQ(sink_.Find("scrape_samples_scraped").size(), 1u);
  EXPECT_EQ(sink_.Find("scrape_samples_scraped")[0].value, 1);
  ASSERT_EQ(sink_.Find("scrape_duration_seconds").size(), 1u);
  EXPECT_GE(sink_.Find("scrape_duration_seconds")[0].value, 0);
  script_.result = UnavailableError("target down");
  r->CollectNow([](Status) {});
  up = sink_.Find("up");
  ASSERT_EQ(up.size(), 2u);
  EXPECT_EQ(up[1].value, 0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].up);
  EXPECT_FALSE(seen[1].up);
  EXPECT_EQ(seen[1].last_error, "target down");
  StopAndDrain(r);
  // Without a job there is no target to report.
  auto plain = MakeRunner("[[inputs.scripted]]\n");
  CISTERN_ASSERT_OK(plain->Start());
  plain->CollectNow([](Status) {});
  EXPECT_EQ(sink_.Find("up").size(), 2u);
  StopAndDrain(plain);
}

TEST_F(InputRunnerTest, FailedCollectionKeepsPartialSamplesAndCountsError) {
  script_.result = UnavailableError("target down");
  auto r = MakeRunner("[[inputs.scripted]]\n");
  CISTERN_ASSERT_OK(r->Start());
  Status got;
  r->CollectNow([&](Status s) { got = s; });
  EXPECT_THAT(got, StatusIs(StatusCode::kUnavailable, HasSubstr("target down")));
  EXPECT_EQ(sink_.Find("scripted").size(), 1u);
  EXPECT_FALSE(r->health().up);
  EXPECT_EQ(r->health().last_error, "target down");
  std::string text = metrics_.RenderText();
  EXPECT_THAT(text, HasSubstr("cistern_input_errors_total{input=\"scripted[0]\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cistern_input_up{input=\"scripted[0]\"} 0\n"));
  StopAndDrain(r);
}

TEST_F(InputRunnerTest, OverlappingCollectionIsNotStarted) {
  script_.hold = true;
  auto r = MakeRunner("[[inputs.scripted]]\n");
  CISTERN_ASSERT_OK(r->Start());
  r->CollectNow([](Status) {});
  Status second;
  r->CollectNow([&](Status s) { second = s; });
  EXPECT_THAT(second, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already running")));
  EXPECT_EQ(script_.collects, 1);
  // Stop waits for the in-flight collection.
  bool stopped = false;
  r->Stop([&] { stopped = true; });
  EXPECT_TRUE(script_.stopped);
  EXPECT_FALSE(stopped);
  script_.held_done(OkStatus());
  EXPECT_TRUE(stopped);
  r.reset();
}

TEST_F(InputRunnerTest, ScheduledTicksRunAndSkipWhileInFlight) {
  script_.hold = true;
  auto r = MakeRunner("[[inputs.scripted]]\ninterval = \"10ms\"\n");
  CISTERN_ASSERT_OK(r->Start());
  // Run the loop until the first collection starts and at least one later tick was skipped.
  loop::Timer guard(&loop_);
  guard.Start(5, 5, [&] {
    if (script_.collects >= 1 && metrics_.RenderText().find("cistern_input_skipped_total{input=\"scripted[0]\"} 0") ==
                                     std::string::npos) {
      guard.Stop();
      uv_stop(&loop_);
    }
  });
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(script_.collects, 1);
  EXPECT_THAT(metrics_.RenderText(), HasSubstr("cistern_input_skipped_total{input=\"scripted[0]\"}"));
  bool stopped = false;
  r->Stop([&] { stopped = true; });
  script_.held_done(OkStatus());
  EXPECT_TRUE(stopped);
  r.reset();
}

TEST_F(InputRunnerTest, ResolveRejectsUnknownPluginsAndSchemaViolationsWithPositions) {
  auto c = config::ParseConfig("[inputs.nosuch]\n\n[[inputs.scripted]]\ntarget = 5\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto specs = ResolveInputs(*c, registry_);
  EXPECT_THAT(specs, StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:1: inputs.nosuch: unknown input plugin")));
  EXPECT_THAT(specs, StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:4: inputs.scripted[0].target")));
}

TEST_F(InputRunnerTest, ResolveAddsDefaultEnabledPluginsAndDropsDisabledOnes) {
  Descriptor d;
  d.name = "always";
  d.enabled_by_default = true;
  d.create = [](Context&) -> StatusOr<std::unique_ptr<Input>> { return InternalError("unused"); };
  registry_.Register(std::move(d));
  auto c = config::ParseConfig("[[inputs.scripted]]\nenabled = false\n", "t.toml");
  ASSERT_TRUE(c.ok());
  auto specs = ResolveInputs(*c, registry_);
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  ASSERT_EQ(specs->size(), 1u);
  EXPECT_EQ((*specs)[0].id, "always");
  c = config::ParseConfig("[inputs.always]\nenabled = false\n", "t.toml");
  ASSERT_TRUE(c.ok());
  specs = ResolveInputs(*c, registry_);
  ASSERT_TRUE(specs.ok());
  EXPECT_TRUE(specs->empty());
}

TEST_F(InputRunnerTest, SingleInstancePluginRejectsTableList) {
  Descriptor d;
  d.name = "single";
  d.create = [](Context&) -> StatusOr<std::unique_ptr<Input>> { return InternalError("unused"); };
  registry_.Register(std::move(d));
  auto c = config::ParseConfig("[[inputs.single]]\n", "t.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(ResolveInputs(*c, registry_),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("takes one table [inputs.single]")));
}

}  // namespace
}  // namespace cistern::plugin
