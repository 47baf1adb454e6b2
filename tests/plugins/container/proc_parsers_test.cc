#include "plugins/container/proc_parsers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace cistern::plugins::container {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kNetDev[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
    "carrier compressed\n"
    "    lo: 2005375092  188757    0    0    0     0          0         0 2005375092  188757    0    0    0  "
    "   0"
    "       0          0\n"
    "  eth0: 70517806    1443    5    6    0     0          0         0    64205     843    7    8    0     0"
    "       0          0\n";

TEST(ParseNetDevTest, ReadsReceiveAndTransmitCounters) {
  auto v = ParseNetDev(kNetDev);
  CISTERN_ASSERT_OK(v);
  ASSERT_EQ(v->size(), 2u);
  const NetInterface& eth0 = (*v)[1];
  EXPECT_EQ(eth0.name, "eth0");
  EXPECT_EQ(eth0.rx_bytes, 70517806u);
  EXPECT_EQ(eth0.rx_packets, 1443u);
  EXPECT_EQ(eth0.rx_errors, 5u);
  EXPECT_EQ(eth0.rx_dropped, 6u);
  EXPECT_EQ(eth0.tx_bytes, 64205u);
  EXPECT_EQ(eth0.tx_packets, 843u);
  EXPECT_EQ(eth0.tx_errors, 7u);
  EXPECT_EQ(eth0.tx_dropped, 8u);
}

TEST(ParseNetDevTest, NameGluedToCountersIsRead) {
  // Long names and big counters leave no space after the colon.
  std::string text =
      std::string(kNetDev).substr(0, std::string(kNetDev).find("    lo:")) +
      "enp0s31f6:12345678901    2    0    0    0     0          0         0        3       4    0    0"
      "    0     0       0          0\n";
  auto v = ParseNetDev(text);
  CISTERN_ASSERT_OK(v);
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].name, "enp0s31f6");
  EXPECT_EQ((*v)[0].rx_bytes, 12345678901u);
}

TEST(ParseNetDevTest, ShortLineMakesTheFileUntrusted) {
  std::string text = std::string(kNetDev) + "  eth1: 1 2 3\n";
  EXPECT_THAT(ParseNetDev(text), StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 5: expected")));
  EXPECT_THAT(ParseNetDev("garbage\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("header")));
}

TEST(IsIgnoredInterfaceTest, LeavesOutWhatCadvisorLeavesOut) {
  EXPECT_TRUE(IsIgnoredInterface("lo"));
  EXPECT_TRUE(IsIgnoredInterface("veth1a2b3c"));
  EXPECT_TRUE(IsIgnoredInterface("docker0"));
  EXPECT_TRUE(IsIgnoredInterface("Docker_gwbridge"));
  EXPECT_TRUE(IsIgnoredInterface("nerdctl0"));
  EXPECT_FALSE(IsIgnoredInterface("eth0"));
  EXPECT_FALSE(IsIgnoredInterface("ens5"));
  EXPECT_FALSE(IsIgnoredInterface("cni0"));
}

TEST(ParsePartitionsTest, NamesDevicesByMajorMinor) {
  auto v = ParsePartitions(
      "major minor  #blocks  name\n\n   8        0  488386584 sda\n   8        1     524288 sda1\n"
      " 253        0  487860224 dm-0\n");
  CISTERN_ASSERT_OK(v);
  EXPECT_EQ(v->size(), 3u);
  EXPECT_EQ(v->at({8, 0}), "/dev/sda");
  EXPECT_EQ(v->at({253, 0}), "/dev/dm-0");
  EXPECT_THAT(ParsePartitions("major minor  #blocks  name\n\n 8 0 sda\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 3")));
}

TEST(ParseMeminfoSwapUsedTest, IsTotalMinusFreeInBytes) {
  auto v = ParseMeminfoSwapUsed(
      "MemTotal: 16303428 kB\nSwapTotal:       2097148 kB\nSwapFree:        2031612 kB\n");
  CISTERN_ASSERT_OK(v);
  EXPECT_EQ(*v, (2097148u - 2031612u) * 1024);
  EXPECT_THAT(ParseMeminfoSwapUsed("MemTotal: 1 kB\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("SwapTotal")));
  EXPECT_THAT(ParseMeminfoSwapUsed("SwapTotal: x kB\nSwapFree: 1 kB\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1")));
}

}  // namespace
}  // namespace cistern::plugins::container
