// The netclass collector. netclass_basic holds the attribute files of three
// of this machine's interfaces (the ones the kernel refuses to read, like
// speed of a down device, are absent) and node_exporter 1.5.0's output for
// that tree (--path.sysfs=<fixture>/sys), which the collector must reproduce.
#include "plugins/host/netclass.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

// node_exporter's text format, `name{a="x",b=""} v` -> our `name{a="x"}` keys
// (empty labels dropped; both sides sort label names). Enough for the fixture.
std::map<std::string, double> ReadExposition(const std::string& path) {
  std::map<std::string, double> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    std::string key = line.substr(0, space);
    for (size_t e; (e = key.find("=\"\"")) != std::string::npos;) {
      size_t start = key.find_last_of(",{", e);
      size_t end = e + 3;
      if (key[start] == '{') {  // first label: drop it and the comma after it
        key.erase(start + 1, end - start - 1 + (key[end] == ',' ? 1 : 0));
      } else {
        key.erase(start, end - start);
      }
    }
    for (size_t c = 0; (c = key.find("\",", c)) != std::string::npos; c += 3) key.replace(c, 2, "\", ");
    out[key] = std::stod(line.substr(space + 1));
  }
  return out;
}

testing::Result Emit(const NetClassDevice& d) {
  cistern::testing::RecordingAppendable store;
  auto app = store.NewAppender();
  Emitter out(app.get(), 1000);
  EmitNetClassDevice(d, out);
  EXPECT_TRUE(app->Commit().ok());
  testing::Result r;
  for (const auto& s : store.samples()) r.samples[s.labels.ToString()] = s.value;
  return r;
}

size_t NumberIndex(std::string_view file) {
  const auto& files = NetClassNumberFiles();
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i] == file) return i;
  }
  ADD_FAILURE() << "no attribute " << file;
  return 0;
}

TEST(ParseNetClassNumberTest, DecimalHexadecimalAndGosOctal) {
  int64_t v = 0;
  EXPECT_TRUE(ParseNetClassNumber("1400", &v));
  EXPECT_EQ(v, 1400);
  EXPECT_TRUE(ParseNetClassNumber("0x1003", &v));  // flags
  EXPECT_EQ(v, 4099);
  EXPECT_TRUE(ParseNetClassNumber("0x0", &v));  // dev_id
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(ParseNetClassNumber("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(ParseNetClassNumber("-1", &v));  // speed unknown
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(ParseNetClassNumber("+5", &v));
  EXPECT_EQ(v, 5);
  EXPECT_TRUE(ParseNetClassNumber("010", &v));  // strconv.ParseInt(s, 0, 64)
  EXPECT_EQ(v, 8);
  EXPECT_TRUE(ParseNetClassNumber("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(ParseNetClassNumber("0x7fffffffffffffff", &v));
  EXPECT_EQ(v, INT64_MAX);
  for (std::string_view bad : {"", "-", "0x", "abc", "0xZZ", "12 ", "1.5", "--1", "+-1", "08",
                               "9223372036854775808", "-9223372036854775809"}) {
    EXPECT_FALSE(ParseNetClassNumber(bad, &v)) << bad;
  }
}

TEST(EmitNetClassDeviceTest, UpAndInfoAlwaysNumbersWhenPresent) {
  NetClassDevice d;
  d.name = "eth1";
  d.texts[static_cast<size_t>(NetClassText::kOperState)] = "down";
  d.texts[static_cast<size_t>(NetClassText::kAddress)] = "52:54:00:12:34:56";
  d.numbers[NumberIndex("mtu")] = 9000;
  d.numbers[NumberIndex("carrier_changes")] = 3;
  testing::Result r = Emit(d);
  EXPECT_EQ(r.samples.size(), 4u);
  EXPECT_EQ(r.At("node_network_up{device=\"eth1\"}"), 0);
  EXPECT_EQ(r.At("node_network_info{address=\"52:54:00:12:34:56\", device=\"eth1\", operstate=\"down\"}"), 1);
  EXPECT_EQ(r.At("node_network_mtu_bytes{device=\"eth1\"}"), 9000);
  EXPECT_EQ(r.At("node_network_carrier_changes_total{device=\"eth1\"}"), 3);
}

TEST(EmitNetClassDeviceTest, UpOnlyForOperstateUp) {
  NetClassDevice d;
  d.name = "x";
  for (const char* state : {"unknown", "dormant", "lowerlayerdown", "UP", ""}) {
    d.texts[static_cast<size_t>(NetClassText::kOperState)] = state;
    EXPECT_EQ(Emit(d).At("node_network_up{device=\"x\"}"), 0) << state;
  }
  d.texts[static_cast<size_t>(NetClassText::kOperState)] = "up";
  EXPECT_EQ(Emit(d).At("node_network_up{device=\"x\"}"), 1);
}

TEST(EmitNetClassDeviceTest, SpeedIsMegabitsTimes125000UnknownIncluded) {
  NetClassDevice d;
  d.name = "x";
  d.numbers[NumberIndex("speed")] = 10000;
  EXPECT_EQ(Emit(d).At("node_network_speed_bytes{device=\"x\"}"), 1.25e9);
  d.numbers[NumberIndex("speed")] =
      -1;  // unknown: node_exporter without --collector.netclass.ignore-invalid-speed
  EXPECT_EQ(Emit(d).At("node_network_speed_bytes{device=\"x\"}"), -125000);
  d.numbers[NumberIndex("speed")] = INT64_MAX;  // wraps like Go's int64, no UB
  EXPECT_TRUE(Emit(d).Has("node_network_speed_bytes{device=\"x\"}"));
}

TEST(NetClassCollectorTest, ThisMachinesInterfacesAsNodeExporterReportsThem) {
  testing::Result r = testing::Run(DeviceCollectors(), "netclass", testing::Fixture("netclass_basic"));
  CISTERN_ASSERT_OK(r.status);
  std::map<std::string, double> want =
      ReadExposition(std::string(HOST_TESTDATA) + "/netclass_basic/node_exporter_1.5.0.prom");
  ASSERT_EQ(want.size(), 52u);
  EXPECT_EQ(r.samples, want);
}

TEST(NetClassCollectorTest, RefusedAttributesAreLeftOut) {
  testing::Result r = testing::Run(DeviceCollectors(), "netclass", testing::Fixture("netclass_basic"));
  // ifb0 is down: carrier, dormant, duplex, speed, name_assign_type refuse (EINVAL) and are absent.
  EXPECT_FALSE(r.Has("node_network_carrier{device=\"ifb0\"}"));
  EXPECT_FALSE(r.Has("node_network_speed_bytes{device=\"ifb0\"}"));
  EXPECT_FALSE(r.Has("node_network_name_assign_type{device=\"ifb0\"}"));
  EXPECT_FALSE(r.Has("node_network_speed_bytes{device=\"lo\"}"));
  EXPECT_EQ(r.At("node_network_info{address=\"5e:2b:a2:5e:57:7b\", broadcast=\"ff:ff:ff:ff:ff:ff\", "
                 "device=\"ifb0\", operstate=\"down\"}"),
            1);
  EXPECT_EQ(r.At("node_network_speed_bytes{device=\"eth0\"}"), -125000);
  EXPECT_EQ(r.At("node_network_flags{device=\"eth0\"}"), 0x1003);
  EXPECT_FALSE(r.Has("node_network_up{device=\"bonding_masters\"}"));  // a regular file, not a device
}

TEST(NetClassCollectorTest, MalformedNumbersFailNamingTheFileTheRestIsKept) {
  testing::Result r = testing::Run(DeviceCollectors(), "netclass", testing::Fixture("netclass_malformed"));
  // node_exporter reports 0 for both and succeeds; a made-up 0 is worse than none.
  EXPECT_THAT(r.status,
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("netclass_malformed/sys/class/net/eth0/flags: not a number: \"0xZZ\"")));
  EXPECT_FALSE(r.Has("node_network_flags{device=\"eth0\"}"));
  EXPECT_FALSE(r.Has("node_network_mtu_bytes{device=\"eth0\"}"));
  EXPECT_EQ(r.At("node_network_iface_id{device=\"eth0\"}"), 4);
  EXPECT_EQ(r.At("node_network_up{device=\"eth0\"}"), 1);
  EXPECT_EQ(r.At("node_network_mtu_bytes{device=\"lo\"}"), 65536);
  EXPECT_EQ(r.CountPrefix("node_network_"), 17u + 18u);  // eth0 without two; lo has no speed
}

TEST(NetClassCollectorTest, NoClassNetIsNotFound) {
  testing::Result r = testing::Run(DeviceCollectors(), "netclass", testing::Fixture("device_none"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound, HasSubstr("device_none/sys/class/net")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(NetClassCollectorTest, SymlinkedDevicesAreFollowedAndVanishedOnesSkipped) {
  cistern::testing::TempDir dir;
  dir.WriteFile("sys/devices/virtual/net/veth9/operstate", "up\n");
  dir.WriteFile("sys/devices/virtual/net/veth9/mtu", "1500\n");
  dir.WriteFile("sys/devices/virtual/net/veth9/ifalias", std::string(200, 'a') + "\n");
  dir.WriteFile("sys/class/net/gone/statistics/rx_bytes", "0\n");  // no attributes: removed meanwhile
  ASSERT_EQ(::symlink("../../devices/virtual/net/veth9", dir.Join("sys/class/net/veth9").c_str()), 0);
  testing::Result r = testing::Run(DeviceCollectors(), "netclass", testing::InDir(dir));
  CISTERN_ASSERT_OK(r.status);
  EXPECT_EQ(r.samples.size(), 3u);
  EXPECT_EQ(r.At("node_network_up{device=\"veth9\"}"), 1);
  EXPECT_EQ(r.At("node_network_mtu_bytes{device=\"veth9\"}"), 1500);
  // One read of 128 bytes, as node_exporter: a longer ifalias is cut.
  EXPECT_EQ(r.At("node_network_info{device=\"veth9\", ifalias=\"" + std::string(128, 'a') +
                 "\", operstate=\"up\"}"),
            1);
}

TEST(NetClassLiveTest, OnThisHostLoopbackIsThere) {
  testing::Result r = testing::Run(DeviceCollectors(), "netclass", HostConfig{});
  CISTERN_ASSERT_OK(r.status);
  EXPECT_EQ(r.At("node_network_iface_id{device=\"lo\"}"), 1);
  EXPECT_EQ(r.At("node_network_protocol_type{device=\"lo\"}"), 772);  // ARPHRD_LOOPBACK
  EXPECT_GT(r.At("node_network_mtu_bytes{device=\"lo\"}"), 0);
  EXPECT_TRUE(r.Has("node_network_up{device=\"lo\"}"));
  EXPECT_EQ(r.CountPrefix("node_network_up{"), r.CountPrefix("node_network_info{"));
}

}  // namespace
}  // namespace cistern::plugins::host
