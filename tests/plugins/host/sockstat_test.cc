#include "plugins/host/sockstat.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "tests/plugins/host/host_testing.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

std::set<std::string> Names(const std::map<std::string, double>& samples) {
  std::set<std::string> out;
  for (const auto& [k, v] : samples) out.insert(k.substr(0, k.find('{')));
  return out;
}

std::map<std::string, double> CollectWithPageSize(const HostConfig& config, int64_t page_size,
                                                  Status* status) {
  cistern::testing::RecordingAppendable store;
  auto app = store.NewAppender();
  Emitter out(app.get(), 1000);
  *status = NewSockstatCollector(config, page_size)->Collect(out);
  EXPECT_TRUE(app->Commit().ok());
  std::map<std::string, double> samples;
  for (const auto& s : store.samples()) samples[s.labels.ToString()] = s.value;
  return samples;
}

TEST(ParseSockstatTest, KnownKeysOfEachProtocol) {
  SockstatFile f = ParseSockstat(
      "sockets: used 24\nTCP: inuse 12 orphan 1 tw 97 alloc 13 mem 119\nFRAG: inuse 0 memory 0\nNEW: inuse 2 "
      "odd 5\n");
  CISTERN_ASSERT_OK(f.error);
  EXPECT_EQ(f.sockets_used, 24);
  ASSERT_EQ(f.protocols.size(), 3u);
  EXPECT_EQ(f.protocols[0].name, "TCP");
  EXPECT_EQ(f.protocols[0].inuse, 12);
  EXPECT_EQ(f.protocols[0].orphan, 1);
  EXPECT_EQ(f.protocols[0].tw, 97);
  EXPECT_EQ(f.protocols[0].alloc, 13);
  EXPECT_EQ(f.protocols[0].mem, 119);
  EXPECT_EQ(f.protocols[0].memory, std::nullopt);
  EXPECT_EQ(f.protocols[1].memory, 0);
  EXPECT_EQ(f.protocols[1].mem, std::nullopt);
  EXPECT_EQ(f.protocols[2].name, "NEW");  // unknown keys are not kept
  EXPECT_EQ(f.protocols[2].inuse, 2);
}

TEST(SockstatTest, NodeExporterNamesForBothFiles) {
  Status status;
  auto samples = CollectWithPageSize(testing::Fixture("device_sockstat"), 4096, &status);
  CISTERN_EXPECT_OK(status);
  // What node_exporter 1.5.0 printed on the machine these files come from.
  EXPECT_EQ(Names(samples),
            (std::set<std::string>{
                "node_sockstat_FRAG6_inuse",   "node_sockstat_FRAG6_memory",  "node_sockstat_FRAG_inuse",
                "node_sockstat_FRAG_memory",   "node_sockstat_RAW6_inuse",    "node_sockstat_RAW_inuse",
                "node_sockstat_TCP6_inuse",    "node_sockstat_TCP_alloc",     "node_sockstat_TCP_inuse",
                "node_sockstat_TCP_mem",       "node_sockstat_TCP_mem_bytes", "node_sockstat_TCP_orphan",
                "node_sockstat_TCP_tw",        "node_sockstat_UDP6_inuse",    "node_sockstat_UDPLITE6_inuse",
                "node_sockstat_UDPLITE_inuse", "node_sockstat_UDP_inuse",     "node_sockstat_UDP_mem",
                "node_sockstat_UDP_mem_bytes", "node_sockstat_sockets_used",
            }));
  EXPECT_EQ(samples["node_sockstat_sockets_used{}"], 21);
  EXPECT_EQ(samples["node_sockstat_TCP_inuse{}"], 7);
  EXPECT_EQ(samples["node_sockstat_TCP_tw{}"], 15);
}

TEST(SockstatTest, MemBytesIsMemPagesTimesPageSize) {
  Status status;
  auto small = CollectWithPageSize(testing::Fixture("device_sockstat"), 4096, &status);
  auto large = CollectWithPageSize(testing::Fixture("device_sockstat"), 65536, &status);
  EXPECT_EQ(small["node_sockstat_TCP_mem{}"], 119);
  EXPECT_EQ(small["node_sockstat_TCP_mem_bytes{}"], 119 * 4096);
  EXPECT_EQ(large["node_sockstat_TCP_mem_bytes{}"], 119 * 65536);
}

TEST(SockstatTest, MissingSockstat6IsFineWithoutIpv6) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "sockstat", testing::Fixture("device_sockstat_v4only"));
  CISTERN_EXPECT_OK(r.status);
  EXPECT_TRUE(r.Has("node_sockstat_TCP_inuse{}"));
  EXPECT_FALSE(r.Has("node_sockstat_TCP6_inuse{}"));
}

TEST(SockstatTest, MalformedLinesAreAnErrorNamingTheFileAndTheOtherLinesAreKept) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "sockstat", testing::Fixture("device_sockstat_malformed"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kDataLoss,
                                 HasSubstr("device_sockstat_malformed/proc/net/sockstat: line 2")));
  EXPECT_EQ(r.CountPrefix("node_sockstat_TCP_"), 0u);  // "mem" without a value
  EXPECT_EQ(r.CountPrefix("node_sockstat_RAW_"), 0u);  // "many"
  EXPECT_EQ(r.At("node_sockstat_UDP_mem{}"), 5);
  EXPECT_EQ(r.At("node_sockstat_sockets_used{}"), 24);
  EXPECT_TRUE(r.Has("node_sockstat_FRAG_memory{}"));
  EXPECT_TRUE(r.Has("node_sockstat_TCP6_inuse{}"));  // sockstat6 is intact
}

TEST(SockstatTest, MissingSourcesAreNotFound) {
  testing::Result r = testing::Run(DeviceCollectors(), "sockstat", testing::Fixture("device_none"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound, HasSubstr("device_none/proc/net/sockstat")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(SockstatLiveTest, TcpSocketsAndMemoryInBytes) {
  testing::Result r = testing::Run(DeviceCollectors(), "sockstat", HostConfig{});
  CISTERN_EXPECT_OK(r.status);
  EXPECT_GE(r.At("node_sockstat_sockets_used{}"), 0);
  EXPECT_GE(r.At("node_sockstat_TCP_inuse{}"), 0);
  EXPECT_TRUE(r.Has("node_sockstat_TCP_alloc{}"));
  EXPECT_EQ(r.At("node_sockstat_TCP_mem_bytes{}"), r.At("node_sockstat_TCP_mem{}") * ::sysconf(_SC_PAGESIZE));
  EXPECT_TRUE(r.Has("node_sockstat_UDP_inuse{}"));
}

}  // namespace
}  // namespace cistern::plugins::host
