#include "plugins/container/docker_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugins/container/docker_client.h"
#include "tests/plugins/container/fake_docker_engine.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::plugins::container {
namespace {

using ::cistern::testing::StatusIs;
using testing::FakeDockerEngine;
using ::testing::HasSubstr;

constexpr char kId[] = "3f4e9c1b2a7d8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
constexpr char kOther[] = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b";
constexpr char kJson[] =
    R"({"Name":"/web-1","State":{"Pid":4242},"Config":{"Image":"nginx:1.25","Labels":{"com.docker.compose.service":"web"}}})";
constexpr int64_t kNow = 1700000000000;

TEST(DockerGetTest, MissingSocketIsNotFound) {
  cistern::testing::TempDir dir;
  EXPECT_THAT(
      DockerGet(dir.Join("docker.sock"), "/containers/x/json", Duration(500)),
      StatusIs(StatusCode::kNotFound, HasSubstr("docker api " + dir.Join("docker.sock") + ": connect")));
}

TEST(DockerGetTest, SocketNobodyListensOnIsNotFound) {
  cistern::testing::TempDir dir;
  { FakeDockerEngine gone(dir.Join("docker.sock")); }  // leaves no listener behind
  dir.WriteFile("docker.sock", "");                    // a stale file where the socket was
  EXPECT_THAT(DockerGet(dir.Join("docker.sock"), "/containers/x/json", Duration(500)),
              StatusIs(StatusCode::kNotFound, HasSubstr("connect")));
}

TEST(DockerGetTest, ReturnsStatusAndBody) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.AddContainer(kId, kJson);
  auto ok = DockerGet(engine.socket_path(), std::string("/containers/") + kId + "/json", Duration(2000));
  CISTERN_ASSERT_OK(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, kJson);
  auto missing = DockerGet(engine.socket_path(), "/containers/nope/json", Duration(2000));
  CISTERN_ASSERT_OK(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(DockerGetTest, HungEngineIsDeadlineExceeded) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.SetHang(true);
  EXPECT_THAT(DockerGet(engine.socket_path(), "/containers/x/json", Duration(200)),
              StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("timed out")));
}

TEST(DockerCacheTest, EmptySocketPathDisablesLookups) {
  DockerCache cache("", Duration(1000), "test");
  EXPECT_EQ(cache.Lookup(kId, kNow), nullptr);
  EXPECT_EQ(cache.requests(), 0);
}

TEST(DockerCacheTest, KnownContainerIsLookedUpOnce) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.AddContainer(kId, kJson);
  DockerCache cache(engine.socket_path(), Duration(2000), "test");
  for (int i = 0; i < 3; ++i) {
    const DockerContainer* c = cache.Lookup(kId, kNow + i * 15000);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->name, "web-1");
    EXPECT_EQ(c->image, "nginx:1.25");
  }
  EXPECT_EQ(cache.requests(), 1);
  EXPECT_EQ(engine.requests(), 1);
}

TEST(DockerCacheTest, IdTheEngineDoesNotKnowIsAskedAgainOnlyAfterFiveMinutes) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  DockerCache cache(engine.socket_path(), Duration(2000), "test");
  EXPECT_EQ(cache.Lookup(kId, kNow), nullptr);
  EXPECT_EQ(cache.Lookup(kId, kNow + 60000), nullptr);
  EXPECT_EQ(engine.requests(), 1);
  engine.AddContainer(kId, kJson);  // e.g. a containerd id that docker later learns of
  EXPECT_NE(cache.Lookup(kId, kNow + 300001), nullptr);
  EXPECT_EQ(engine.requests(), 2);
}

TEST(DockerCacheTest, NoEngineIsNormalAndTriedAgainAfterAMinute) {
  cistern::testing::TempDir dir;
  DockerCache cache(dir.Join("docker.sock"), Duration(500), "test");
  EXPECT_EQ(cache.Lookup(kId, kNow), nullptr);
  EXPECT_EQ(cache.Lookup(kOther, kNow + 1000), nullptr);  // not tried: the engine was just found absent
  EXPECT_EQ(cache.requests(), 1);
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.AddContainer(kId, kJson);
  EXPECT_NE(cache.Lookup(kId, kNow + 60001), nullptr);
  EXPECT_EQ(cache.requests(), 2);
}

TEST(DockerCacheTest, HungEngineCostsOneTimeoutPerMinute) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.SetHang(true);
  DockerCache cache(engine.socket_path(), Duration(200), "test");
  EXPECT_EQ(cache.Lookup(kId, kNow), nullptr);
  EXPECT_EQ(cache.Lookup(kOther, kNow + 10), nullptr);  // not asked: the engine just timed out
  EXPECT_EQ(cache.requests(), 1);
}

TEST(DockerCacheTest, StoppedContainersAreForgotten) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.AddContainer(kId, kJson);
  DockerCache cache(engine.socket_path(), Duration(2000), "test");
  ASSERT_NE(cache.Lookup(kId, kNow), nullptr);
  cache.Retain({kId});
  ASSERT_NE(cache.Lookup(kId, kNow), nullptr);
  EXPECT_EQ(engine.requests(), 1);
  cache.Retain({});  // it stopped; a container of the same id later is asked about anew
  ASSERT_NE(cache.Lookup(kId, kNow), nullptr);
  EXPECT_EQ(engine.requests(), 2);
}

TEST(DockerCacheTest, MalformedAnswerIsNotCachedAsKnown) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.AddContainer(kId, "{not json");
  DockerCache cache(engine.socket_path(), Duration(2000), "test");
  EXPECT_EQ(cache.Lookup(kId, kNow), nullptr);
  EXPECT_EQ(cache.Lookup(kId, kNow + 1000), nullptr);
  EXPECT_EQ(engine.requests(), 1);
}

}  // namespace
}  // namespace cistern::plugins::container
