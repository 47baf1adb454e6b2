#include "plugins/host/netstat.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "tests/plugins/host/host_testing.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;
using Values = std::vector<std::pair<std::string, double>>;

std::set<std::string> Names(const testing::Result& r) {
  std::set<std::string> out;
  for (const auto& [k, v] : r.samples) out.insert(k.substr(0, k.find('{')));
  return out;
}

TEST(ParseNetstatTest, HeaderLineNamesTheValuesOfTheNextLine) {
  NetstatFile f = ParseNetstat(
      "Tcp: RtoAlgorithm MaxConn CurrEstab\n"
      "Tcp: 1 -1 4\n"
      "IcmpMsg: InType3\n"
      "IcmpMsg: 1\n");
  CISTERN_ASSERT_OK(f.error);
  EXPECT_EQ(
      f.values,
      (Values{{"Tcp_RtoAlgorithm", 1}, {"Tcp_MaxConn", -1}, {"Tcp_CurrEstab", 4}, {"IcmpMsg_InType3", 1}}));
}

TEST(ParseNetstatTest, MismatchedLinesAreReportedAndTheRestKept) {
  NetstatFile f = ParseNetstat(
      "Ip: Forwarding DefaultTTL\n"
      "Ip: 2\n"
      "Tcp: ActiveOpens InErrs\n"
      "Udp: 1 2\n"
      "Udp: InDatagrams NoPorts\n"
      "Udp: 3 4\n");
  EXPECT_THAT(f.error, StatusIs(StatusCode::kDataLoss, HasSubstr("line 2: Ip: 2 fields but 1 values")));
  EXPECT_EQ(f.values, (Values{{"Udp_InDatagrams", 3}, {"Udp_NoPorts", 4}}));
}

TEST(ParseSnmp6Test, ProtocolEndsAtTheFirstSix) {
  NetstatFile f =
      ParseSnmp6("Ip6InOctets                     \t128\nIcmp6OutType143 \t9\nUdpLite6InErrors 0\nNoSix 1\n");
  CISTERN_ASSERT_OK(f.error);
  EXPECT_EQ(f.values, (Values{{"Ip6_InOctets", 128}, {"Icmp6_OutType143", 9}, {"UdpLite6_InErrors", 0}}));
}

TEST(NetstatTest, NodeExporterDefaultFieldsFromAllThreeFiles) {
  testing::Result r = testing::Run(DeviceCollectors(), "netstat", testing::Fixture("device_netstat"));
  CISTERN_EXPECT_OK(r.status);
  // What node_exporter 1.5.0 printed on the machine these files come from.
  EXPECT_EQ(Names(r), (std::set<std::string>{
                          "node_netstat_Icmp6_InErrors",
                          "node_netstat_Icmp6_InMsgs",
                          "node_netstat_Icmp6_OutMsgs",
                          "node_netstat_Icmp_InErrors",
                          "node_netstat_Icmp_InMsgs",
                          "node_netstat_Icmp_OutMsgs",
                          "node_netstat_Ip6_InOctets",
                          "node_netstat_Ip6_OutOctets",
                          "node_netstat_IpExt_InOctets",
                          "node_netstat_IpExt_OutOctets",
                          "node_netstat_Ip_Forwarding",
                          "node_netstat_TcpExt_ListenDrops",
                          "node_netstat_TcpExt_ListenOverflows",
                          "node_netstat_TcpExt_SyncookiesFailed",
                          "node_netstat_TcpExt_SyncookiesRecv",
                          "node_netstat_TcpExt_SyncookiesSent",
                          "node_netstat_TcpExt_TCPSynRetrans",
                          "node_netstat_TcpExt_TCPTimeouts",
                          "node_netstat_Tcp_ActiveOpens",
                          "node_netstat_Tcp_CurrEstab",
                          "node_netstat_Tcp_InErrs",
                          "node_netstat_Tcp_InSegs",
                          "node_netstat_Tcp_OutRsts",
                          "node_netstat_Tcp_OutSegs",
                          "node_netstat_Tcp_PassiveOpens",
                          "node_netstat_Tcp_RetransSegs",
                          "node_netstat_Udp6_InDatagrams",
                          "node_netstat_Udp6_InErrors",
                          "node_netstat_Udp6_NoPorts",
                          "node_netstat_Udp6_OutDatagrams",
                          "node_netstat_Udp6_RcvbufErrors",
                          "node_netstat_Udp6_SndbufErrors",
                          "node_netstat_UdpLite6_InErrors",
                          "node_netstat_UdpLite_InErrors",
                          "node_netstat_Udp_InDatagrams",
                          "node_netstat_Udp_InErrors",
                          "node_netstat_Udp_NoPorts",
                          "node_netstat_Udp_OutDatagrams",
                          "node_netstat_Udp_RcvbufErrors",
                          "node_netstat_Udp_SndbufErrors",
                      }));
  EXPECT_EQ(r.At("node_netstat_Ip_Forwarding{}"), 2);
  EXPECT_EQ(r.At("node_netstat_Tcp_ActiveOpens{}"), 5919);
  EXPECT_EQ(r.At("node_netstat_IpExt_InOctets{}"), 2127454477);
  EXPECT_EQ(r.At("node_netstat_Ip6_InOctets{}"), 128);
}

TEST(NetstatTest, MissingSnmp6IsFineWithoutIpv6) {
  testing::Result r = testing::Run(DeviceCollectors(), "netstat", testing::Fixture("device_netstat_nosnmp6"));
  CISTERN_EXPECT_OK(r.status);
  EXPECT_EQ(r.CountPrefix("node_netstat_Ip6_"), 0u);
  EXPECT_EQ(r.CountPrefix("node_netstat_Udp6_"), 0u);
  EXPECT_EQ(r.At("node_netstat_Tcp_CurrEstab{}"), 2);
}

TEST(NetstatTest, MalformedFieldsAreAnErrorNamingTheFileAndTheOtherFieldsAreKept) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "netstat", testing::Fixture("device_netstat_malformed"));
  EXPECT_THAT(r.status,
              StatusIs(StatusCode::kDataLoss, HasSubstr("device_netstat_malformed/proc/net/snmp: line 4")));
  EXPECT_EQ(r.CountPrefix("node_netstat_Icmp_"), 0u);       // field count mismatch
  EXPECT_FALSE(r.Has("node_netstat_Tcp_InErrs{}"));         // "zero"
  EXPECT_EQ(r.At("node_netstat_Tcp_ActiveOpens{}"), 5919);  // same line, good value
  EXPECT_EQ(r.At("node_netstat_Udp_InDatagrams{}"), 32);
  EXPECT_FALSE(r.Has("node_netstat_UdpLite_InErrors{}"));  // header without values
  EXPECT_FALSE(r.Has("node_netstat_Ip6_InOctets{}"));      // "lots"
  EXPECT_EQ(r.At("node_netstat_Ip6_OutOctets{}"), 880);
  EXPECT_EQ(r.At("node_netstat_TcpExt_TCPTimeouts{}"), 2);  // /proc/net/netstat is intact
}

TEST(NetstatTest, MissingSourcesAreNotFound) {
  testing::Result r = testing::Run(DeviceCollectors(), "netstat", testing::Fixture("device_none"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound, HasSubstr("device_none/proc/net/netstat")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(NetstatTest, MissingNetstatWithSnmpPresentIsAFailureNotAbsence) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "netstat", testing::Fixture("device_netstat_snmponly"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kFailedPrecondition,
                                 HasSubstr("device_netstat_snmponly/proc/net/netstat")));
  EXPECT_EQ(r.At("node_netstat_Tcp_CurrEstab{}"), 2);
  EXPECT_EQ(r.CountPrefix("node_netstat_TcpExt_"), 0u);
}

TEST(NetstatLiveTest, TcpAndIpCountersArePresent) {
  testing::Result r = testing::Run(DeviceCollectors(), "netstat", HostConfig{});
  CISTERN_EXPECT_OK(r.status);
  double forwarding = r.At("node_netstat_Ip_Forwarding{}");
  EXPECT_TRUE(forwarding == 1 || forwarding == 2) << forwarding;
  EXPECT_GE(r.At("node_netstat_Tcp_CurrEstab{}"), 0);
  EXPECT_GE(r.At("node_netstat_Tcp_InSegs{}"), 0);
  EXPECT_GE(r.At("node_netstat_TcpExt_ListenDrops{}"), 0);
  EXPECT_GE(r.At("node_netstat_IpExt_InOctets{}"), 0);
  EXPECT_GE(r.At("node_netstat_Udp_InDatagrams{}"), 0);
  EXPECT_EQ(r.CountPrefix("node_netstat_MPTcpExt_"), 0u);  // not in the default fields
}

}  // namespace
}  // namespace cistern::plugins::host
