#include "plugins/container/docker_inspect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugins/container/docker_client.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::container {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

// Trimmed from a real `curl --unix-socket /var/run/docker.sock .../containers/<id>/json` (Docker 24).
constexpr char kInspect[] = R"({
  "Id": "3f4e9c1b2a7d8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f",
  "Created": "2024-03-01T10:00:00.123456789Z",
  "Path": "docker-entrypoint.sh",
  "Args": ["redis-server"],
  "State": {"Status": "running", "Running": true, "Paused": false, "Pid": 4242, "ExitCode": 0,
            "StartedAt": "2024-03-01T10:00:01Z", "Health": null},
  "Image": "sha256:7c1e4f0d9b2a",
  "Name": "/shop-redis-1",
  "RestartCount": 0,
  "HostConfig": {"NetworkMode": "shop_default", "Memory": 536870912, "NanoCpus": 0, "Ulimits": [],
                 "CpuQuota": 50000, "Devices": [], "ReadonlyPaths": ["/proc/bus"]},
  "Mounts": [],
  "Config": {
    "Hostname": "3f4e9c1b2a7d", "Env": ["PATH=/usr/local/sbin:/usr/bin", "REDIS_VERSION=7.2.4"],
    "Cmd": ["redis-server"], "Image": "redis:7", "Volumes": {"/data": {}}, "WorkingDir": "/data",
    "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "redis",
               "com.docker.compose.version": "2.24.6", "com.example.note": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/"},
    "StopTimeout": 10.5e0
  },
  "NetworkSettings": {"Networks": {"shop_default": {"IPAddress": "172.18.0.2", "Aliases": null}}}
})";

TEST(ParseDockerInspectTest, ReadsNameImageLabelsAndPid) {
  auto c = ParseDockerInspect(kInspect);
  CISTERN_ASSERT_OK(c);
  EXPECT_EQ(c->name, "shop-redis-1");  // without the leading "/", as cAdvisor's alias
  EXPECT_EQ(c->image, "redis:7");      // Config.Image, not the top-level image digest
  EXPECT_EQ(c->pid, 4242);
  EXPECT_EQ(c->labels.size(), 4u);
  EXPECT_EQ(c->labels.at("com.docker.compose.service"), "redis");
  EXPECT_EQ(c->labels.at("com.docker.compose.project"), "shop");
}

TEST(ParseDockerInspectTest, DecodesStringEscapesToUtf8) {
  auto c = ParseDockerInspect(kInspect);
  CISTERN_ASSERT_OK(c);
  EXPECT_EQ(c->labels.at("com.example.note"), "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ /");
}

TEST(ParseDockerInspectTest, StoppedContainerWithoutLabels) {
  auto c =
      ParseDockerInspect(R"({"Name":"/old","State":{"Pid":0},"Config":{"Image":"busybox","Labels":null}})");
  CISTERN_ASSERT_OK(c);
  EXPECT_EQ(c->name, "old");
  EXPECT_EQ(c->pid, 0);
  EXPECT_TRUE(c->labels.empty());
}

TEST(ParseDockerInspectTest, InvalidJsonIsAnErrorWithTheOffset) {
  EXPECT_THAT(ParseDockerInspect(R"({"Name": "/x",})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("offset 14: expected a member name")));
  EXPECT_THAT(ParseDockerInspect(R"({"Name" "/x"})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("':'")));
  EXPECT_THAT(ParseDockerInspect(R"({"Name": "/x)"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unterminated")));
  EXPECT_THAT(ParseDockerInspect(R"({"a": "\ud83d"})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("surrogate")));
  EXPECT_THAT(ParseDockerInspect(R"({"a": 1} x)"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("trailing")));
  EXPECT_THAT(ParseDockerInspect(R"(["not an object"])"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("object")));
  EXPECT_THAT(ParseDockerInspect(""), StatusIs(StatusCode::kInvalidArgument, HasSubstr("end of input")));
}

TEST(ParseDockerInspectTest, DeepNestingIsRejectedNotRecursedForever) {
  std::string deep(100000, '[');
  EXPECT_THAT(ParseDockerInspect(deep),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nesting too deep")));
}

TEST(ParseHttpResponseTest, ContentLengthFramesTheBody) {
  auto r = ParseHttpResponse(
      "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{}\r\nxx");
  CISTERN_ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{}\r\n");
}

TEST(ParseHttpResponseTest, ChunkedBodyIsDecoded) {
  auto r = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n5;x=y\r\n\":1}\n\r\n0\r\n\r\n");
  CISTERN_ASSERT_OK(r);
  EXPECT_EQ(r->body, "{\"a\":1}\n");
}

TEST(ParseHttpResponseTest, NoLengthMeansUntilTheConnectionCloses) {
  auto r = ParseHttpResponse("HTTP/1.0 404 Not Found\r\n\r\n{\"message\":\"No such container: x\"}\n");
  CISTERN_ASSERT_OK(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "{\"message\":\"No such container: x\"}\n");
}

TEST(ParseHttpResponseTest, MalformedResponsesAreErrors) {
  EXPECT_THAT(ParseHttpResponse("HTTP/1.0 200 OK\r\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("end of headers")));
  EXPECT_THAT(ParseHttpResponse("SSH-2.0-OpenSSH\r\n\r\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("status line")));
  EXPECT_THAT(ParseHttpResponse("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n{}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("shorter")));
  EXPECT_THAT(ParseHttpResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("chunk size")));
}

}  // namespace
}  // namespace cistern::plugins::container
