#include "plugins/host/netdev.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "tests/plugins/host/host_testing.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

std::set<std::string> Devices(const testing::Result& r) {
  std::set<std::string> out;
  for (const auto& [k, v] : r.samples) {
    if (k.rfind("node_network_receive_bytes_total{device=\"", 0) != 0) continue;
    size_t start = k.find('"') + 1;
    out.insert(k.substr(start, k.find('"', start) - start));
  }
  return out;
}

TEST(ParseNetDevTest, SkipsTheHeaderAndReadsSixteenCounters) {
  NetDevFile f = ParseNetDev(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
      "colls "
      "carrier compressed\n"
      "    lo: 2056957141  192454    0    0    0     0          0         0 2056957141  192454    0    0    "
      "0     0  "
      "     0          0\n"
      "eth0:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 18446744073709551615\n");
  CISTERN_ASSERT_OK(f.error);
  ASSERT_EQ(f.devices.size(), 2u);
  EXPECT_EQ(f.devices[0].name, "lo");
  EXPECT_EQ(f.devices[0].counters[0], 2056957141u);
  EXPECT_EQ(f.devices[0].counters[9], 192454u);
  EXPECT_EQ(f.devices[1].name, "eth0");  // no space after the colon once the counter is wide
  EXPECT_EQ(f.devices[1].counters[0], 1u);
  EXPECT_EQ(f.devices[1].counters[15], UINT64_MAX);
}

TEST(NetDevTest, ColumnsGetNodeExporterNames) {
  testing::Result r = testing::Run(DeviceCollectors(), "netdev", testing::Fixture("device_netdev"));
  CISTERN_EXPECT_OK(r.status);
  // ens3: 101 102 ... 116 (one value per column)
  const char* names[] = {"receive_bytes",  "receive_packets",  "receive_errs",       "receive_drop",
                         "receive_fifo",   "receive_frame",    "receive_compressed", "receive_multicast",
                         "transmit_bytes", "transmit_packets", "transmit_errs",      "transmit_drop",
                         "transmit_fifo",  "transmit_colls",   "transmit_carrier",   "transmit_compressed"};
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(r.At(std::string("node_network_") + names[i] + "_total{device=\"ens3\"}"), 101 + i) << names[i];
  }
  EXPECT_EQ(r.At("node_network_receive_bytes_total{device=\"lo\"}"), 2056957141);
  EXPECT_EQ(r.At("node_network_transmit_packets_total{device=\"eth0\"}"), 843);
}

TEST(NetDevTest, NoHandlerComesFromSysfsAndIsOmittedWithoutIt) {
  testing::Result r = testing::Run(DeviceCollectors(), "netdev", testing::Fixture("device_netdev"));
  EXPECT_EQ(r.At("node_network_receive_nohandler_total{device=\"eth0\"}"), 7);
  EXPECT_EQ(r.At("node_network_receive_nohandler_total{device=\"lo\"}"), 0);
  EXPECT_FALSE(r.Has("node_network_receive_nohandler_total{device=\"ifb1\"}"));
  EXPECT_FALSE(r.Has("node_network_receive_nohandler_total{device=\"ens3\"}"));
  EXPECT_EQ(r.CountPrefix("node_network_"), 5 * 16u + 3u);
}

TEST(NetDevTest, NoDeviceIsExcludedByDefault) {
  testing::Result r = testing::Run(DeviceCollectors(), "netdev", testing::Fixture("device_netdev"));
  EXPECT_EQ(Devices(r), (std::set<std::string>{"eth0", "ens3", "ifb0", "ifb1", "lo"}));
}

TEST(NetDevTest, ExcludedDevicesAreSkipped) {
  HostConfig config = testing::Fixture("device_netdev");
  config.netdev_device_exclude = "^(lo|ifb\\d+)$";
  testing::Result r = testing::Run(DeviceCollectors(), "netdev", config);
  EXPECT_EQ(Devices(r), (std::set<std::string>{"eth0", "ens3"}));
  EXPECT_FALSE(r.Has("node_network_receive_nohandler_total{device=\"lo\"}"));
}

TEST(NetDevTest, MalformedLinesAreAnErrorNamingTheFileAndTheOtherDevicesAreKept) {
  testing::Result r = testing::Run(DeviceCollectors(), "netdev", testing::Fixture("device_netdev_malformed"));
  EXPECT_THAT(r.status,
              StatusIs(StatusCode::kDataLoss, HasSubstr("device_netdev_malformed/proc/net/dev: line 5")));
  EXPECT_EQ(Devices(r), (std::set<std::string>{"eth2", "ifb0", "lo"}));
}

TEST(NetDevTest, MissingFileIsNotFound) {
  testing::Result r = testing::Run(DeviceCollectors(), "netdev", testing::Fixture("device_none"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound, HasSubstr("device_none/proc/net/dev")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(NetDevLiveTest, LoopbackCountersArePresentAndConsistent) {
  testing::Result r = testing::Run(DeviceCollectors(), "netdev", HostConfig{});
  CISTERN_EXPECT_OK(r.status);
  const std::string lo = "{device=\"lo\"}";
  ASSERT_TRUE(r.Has("node_network_receive_bytes_total" + lo));
  EXPECT_GE(r.At("node_network_receive_bytes_total" + lo), r.At("node_network_receive_packets_total" + lo));
  EXPECT_GE(r.At("node_network_transmit_bytes_total" + lo), r.At("node_network_transmit_packets_total" + lo));
  EXPECT_EQ(r.CountPrefix("node_network_transmit_carrier_total"), Devices(r).size());
}

}  // namespace
}  // namespace cistern::plugins::host
