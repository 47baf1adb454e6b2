#include "agent/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::StatusIs;

StatusOr<Config> Parse(const std::string& text) { return ParseConfig(text, "t.toml"); }

TEST(ConfigTest, EmptyFileGivesContractDefaults) {
  auto c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->global.data_dir, "./data");
  EXPECT_EQ(c->global.interval, Duration(15000));
  EXPECT_EQ(c->http.listen, "127.0.0.1:9090");
  EXPECT_EQ(c->wal.max_size, 1ULL << 30);
  EXPECT_EQ(c->wal.segment_size, 32ULL << 20);
  EXPECT_EQ(c->wal.fsync, FsyncMode::kInterval);
  EXPECT_EQ(c->wal.fsync_interval, Duration(1000));
  EXPECT_EQ(c->storage.retention, Duration(30LL * 86400000));
  EXPECT_EQ(c->storage.out_of_order_window, Duration(6LL * 3600000));
  EXPECT_TRUE(c->remote_write.empty());
  EXPECT_TRUE(c->inputs.empty());
}

TEST(ConfigTest, FullExampleLoadsWithEveryKey) {
  setenv("CISTERN_EXAMPLE_PASSWORD", "s3cret", 1);
  auto c = LoadConfigFile(std::string(CISTERN_SOURCE_DIR) + "/conf/examples/full.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->remote_write.size(), 2u);
  const RemoteWriteConfig& rw = c->remote_write[0];
  EXPECT_EQ(rw.name, "central");
  EXPECT_EQ(rw.basic_auth->password, "s3cret");
  EXPECT_EQ(rw.queue.max_shards, 4);
  EXPECT_EQ(rw.headers.at("X-Scope-OrgID"), "team-a");
  ASSERT_EQ(rw.write_relabel_configs.size(), 2u);
  EXPECT_EQ(rw.write_relabel_configs[1].rule.target_label, "host");
  EXPECT_EQ(c->remote_write[1].name, "127.0.0.1:8428");
  EXPECT_EQ(c->remote_write[1].catch_up, CatchUp::kLiveFirst);
  EXPECT_EQ(c->storage.retention_size, 10000000000ULL);
  EXPECT_EQ(c->alerting.alertmanagers.size(), 1u);
  EXPECT_EQ(c->global.external_labels.at("cluster"), "prod");
  ASSERT_EQ(c->inputs.size(), 1u);
  EXPECT_EQ(c->inputs[0].labels.at("role"), "edge");
}

TEST(ConfigTest, UnknownKeysNameFileLineAndPathAndListKnownKeys) {
  auto c = Parse("[wal]\nmax_size = \"2GiB\"\nsegmnet_size = \"1MiB\"\n\n[[remote_write]]\nurl = \"http://a:1/w\"\nqueue = { max_shard = 3 }\n");
  EXPECT_THAT(c, StatusIs(StatusCode::kInvalidArgument,
                          AllOf(HasSubstr("t.toml:3: wal.segmnet_size: unknown key (known: "),
                                HasSubstr("segment_size"), HasSubstr("t.toml:7: remote_write[0].queue.max_shard: unknown key"))));
  EXPECT_THAT(Parse("bogus = 1\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:1: bogus: unknown key")));
}

TEST(ConfigTest, WrongTypesSayWhatWasExpected) {
  EXPECT_THAT(Parse("[global]\ninterval = 15\n"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("t.toml:2: global.interval: expected a duration string like \"15s\", got integer")));
  EXPECT_THAT(Parse("[http]\nenable_admin_api = \"yes\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: http.enable_admin_api: expected a boolean")));
}

TEST(ConfigTest, BadDurationsSizesAndRangesAreRejected) {
  EXPECT_THAT(Parse("[global]\ninterval = \"15x\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: global.interval: invalid duration \"15x\"")));
  EXPECT_THAT(Parse("[wal]\nsegment_size = \"12XB\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: wal.segment_size: invalid size")));
  EXPECT_THAT(Parse("[wal]\nsegment_size = \"2GiB\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("wal.segment_size: size 2GiB out of range [1MiB, 1GiB]")));
  EXPECT_THAT(Parse("[wal]\nmax_size = \"16MiB\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("smaller than segment_size")));
  EXPECT_THAT(Parse("[[remote_write]]\nurl = \"http://a:1/\"\nqueue = { max_samples_per_send = 0 }\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("queue.max_samples_per_send: value 0 out of range")));
  EXPECT_THAT(Parse("[wal]\nfsync = \"sometimes\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: wal.fsync: expected \"always\", \"never\"")));
  auto always = Parse("[wal]\nfsync = \"always\"\n");
  ASSERT_TRUE(always.ok());
  EXPECT_EQ(always->wal.fsync, FsyncMode::kAlways);
}

TEST(ConfigTest, MissingRequiredKeysAndBadUrlsAreNamed) {
  EXPECT_THAT(Parse("[[remote_write]]\ntimeout = \"5s\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:1: remote_write[0].url: required key is missing")));
  EXPECT_THAT(Parse("[[remote_write]]\nurl = \"ftp://x/\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unsupported URL scheme \"ftp\"")));
  EXPECT_THAT(Parse("[[alerting.webhooks]]\nurl = \"http:///x\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("alerting.webhooks[0].url: URL \"http:///x\" has no host")));
  EXPECT_THAT(Parse("[http]\nlisten = \"9090\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: http.listen: expected \"host:port\"")));
  CISTERN_EXPECT_OK(Parse("[http]\nlisten = \"[::1]:9090\"\n"));
  CISTERN_EXPECT_OK(Parse("[http]\nlisten = \":9090\"\n"));
}

TEST(ConfigTest, RelabelRulesAreCheckedAtLoad) {
  EXPECT_THAT(Parse("[[remote_write]]\nurl = \"http://a:1/\"\nwrite_relabel_configs = [\n  { regex = \"(\", action = \"drop\" },\n]\n"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("t.toml:4: remote_write[0].write_relabel_configs[0].regex: invalid regex \"(\"")));
  EXPECT_THAT(Parse("[[remote_write]]\nurl = \"http://a:1/\"\nwrite_relabel_configs = [ { action = \"explode\" } ]\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("action: unknown relabel action \"explode\"")));
  EXPECT_THAT(Parse("[[remote_write]]\nurl = \"http://a:1/\"\nwrite_relabel_configs = [ { action = \"hashmod\", target_label = \"s\" } ]\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("modulus: modulus must be > 0")));
}

TEST(ConfigTest, SyntaxErrorsCarryLineAndColumn) {
  EXPECT_THAT(Parse("[global]\ninterval = \"15s\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2:")));
  EXPECT_THAT(Parse("a = = 1"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:1:")));
}

TEST(ConfigTest, AllErrorsAreReportedTogether) {
  auto c = Parse("[global]\ninterval = 1\nlog_level = \"loud\"\n[http]\nlisten = \"x\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), AllOf(HasSubstr("t.toml:2:"), HasSubstr("t.toml:3:"), HasSubstr("t.toml:5:")));
}

TEST(ConfigTest, SecretsComeFromFilesRelativeToTheConfigAndFromEnvironment) {
  testing::TempDir dir;
  dir.WriteFile("secrets/pw", "hunter2\n");
  dir.WriteFile("secrets/token", "tok\n");
  setenv("CISTERN_TEST_USER", "bob", 1);
  std::string path = dir.WriteFile("c.toml",
                                   "[[remote_write]]\nurl = \"http://a:1/\"\n"
                                   "basic_auth = { username = \"${CISTERN_TEST_USER}\", password_file = \"secrets/pw\" }\n"
                                   "[[remote_write]]\nurl = \"http://b:1/\"\nbearer_token_file = \"secrets/token\"\n"
                                   "headers = { X = \"$${literal}\" }\n");
  auto c = LoadConfigFile(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->remote_write[0].basic_auth->username, "bob");
  EXPECT_EQ(c->remote_write[0].basic_auth->password, "hunter2");
  EXPECT_EQ(c->remote_write[1].bearer_token, "tok");
  EXPECT_EQ(c->remote_write[1].headers.at("X"), "${literal}");
}

TEST(ConfigTest, UndefinedEnvironmentVariableAndMissingSecretFileAreErrors) {
  unsetenv("CISTERN_TEST_NOPE");
  EXPECT_THAT(Parse("[global]\ndata_dir = \"${CISTERN_TEST_NOPE}\"\n"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("t.toml:2: global.data_dir: undefined environment variable \"CISTERN_TEST_NOPE\"")));
  EXPECT_THAT(Parse("[[remote_write]]\nurl = \"http://a:1/\"\nbearer_token_file = \"/nonexistent/token\"\n"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("t.toml:3: remote_write[0].bearer_token_file: read /nonexistent/token")));
}

TEST(ConfigTest, InputsTableAndTableListGetIdsAndCommonKeys) {
  auto c = Parse("[inputs.host]\ninterval = \"30s\"\nprocfs = \"/host/proc\"\n"
                 "[[inputs.redis]]\naddress = \"a:1\"\nlabels = { team = \"x\" }\n"
                 "[[inputs.redis]]\naddress = \"b:1\"\nenabled = false\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->inputs.size(), 3u);
  EXPECT_EQ(c->inputs[0].id, "host");
  EXPECT_EQ(c->inputs[0].interval, Duration(30000));
  EXPECT_NE(c->inputs[0].options.Find("procfs"), nullptr);
  EXPECT_EQ(c->inputs[0].options.Find("interval"), nullptr);
  EXPECT_EQ(c->inputs[1].id, "redis[0]");
  EXPECT_EQ(c->inputs[1].labels.at("team"), "x");
  EXPECT_EQ(c->inputs[2].id, "redis[1]");
  EXPECT_FALSE(c->inputs[2].enabled);
  EXPECT_EQ(c->inputs[2].position.line, 7);
  EXPECT_THAT(Parse("[inputs.host]\nlabels = { __bad = \"x\" }\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid label name \"__bad\"")));
}

TEST(ConfigTest, DuplicateRemoteWriteNamesAreRejectedAndDefaultsAreUnique) {
  auto c = Parse("[[remote_write]]\nurl = \"http://a:1/x\"\n[[remote_write]]\nurl = \"http://a:1/y\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->remote_write[0].name, "a:1");
  EXPECT_EQ(c->remote_write[1].name, "a:1-2");
  EXPECT_THAT(Parse("[[remote_write]]\nurl = \"http://a:1/\"\nname = \"x\"\n[[remote_write]]\nurl = \"http://b:1/\"\nname = \"x\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("duplicate name \"x\"")));
}

TEST(ConfigTest, DeepNestingIsRejectedNotCrashed) {
  std::string deep = "a = " + std::string(5000, '[') + std::string(5000, ']');
  EXPECT_THAT(Parse(deep), StatusIs(StatusCode::kInvalidArgument, HasSubstr("nested deeper")));
}

TEST(ConfigTest, QuerySectionDefaultsAreThoseOfPrometheusFlags) {
  auto c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->query.timeout, Duration(120000));
  EXPECT_EQ(c->query.max_samples, 50000000);
  EXPECT_EQ(c->query.max_concurrency, 20);
  EXPECT_EQ(c->query.lookback_delta, Duration(300000));
  auto set = Parse("[query]\ntimeout = \"30s\"\nmax_samples = 1000\nmax_concurrency = 4\nlookback_delta = \"1m\"\n");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->query.timeout, Duration(30000));
  EXPECT_EQ(set->query.max_samples, 1000);
  EXPECT_EQ(set->query.max_concurrency, 4);
  EXPECT_EQ(set->query.lookback_delta, Duration(60000));
}

TEST(ConfigTest, QuerySectionRejectsBadValuesWithFileAndLine) {
  EXPECT_THAT(Parse("[query]\ntimeout = \"0s\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: query.timeout: duration 0s must be at least")));
  EXPECT_THAT(Parse("[query]\nmax_samples = 0\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: query.max_samples: value 0 out of range")));
  EXPECT_THAT(Parse("[query]\n\nmax_concurrency = 5000\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:3: query.max_concurrency: value 5000 out of range")));
  EXPECT_THAT(Parse("[query]\nlookback_delta = \"5 minutes\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: query.lookback_delta: invalid duration")));
  EXPECT_THAT(Parse("[query]\nmax_sample = 1\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t.toml:2: query.max_sample: unknown key")));
}

TEST(ConfigTest, UnreadableFileIsAnError) {
  EXPECT_THAT(LoadConfigFile("/nonexistent/cistern.toml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("read /nonexistent/cistern.toml")));
}

}  // namespace
}  // namespace cistern::config
