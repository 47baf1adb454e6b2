// The time collector. Clocksource series on the system_basic fixture are
// node_exporter 1.5.0's output for the same tree.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "plugins/host/time_collector.h"
#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::ElementsAre;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::InDir;
namespace ht = ::cistern::plugins::host::testing;

// Sets TZ for one test and puts the old value back.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTz() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

TEST(ReadClockSourcesTest, EachClocksourceDirectoryInNameOrder) {
  auto cs = ReadClockSources(Fixture("system_basic").Sys("devices/system/clocksource"));
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  ASSERT_EQ(cs->size(), 2u);
  EXPECT_THAT((*cs)[0].available, ElementsAre("tsc", "hpet", "acpi_pm"));
  EXPECT_EQ((*cs)[0].current, "tsc");
  EXPECT_THAT((*cs)[1].available, ElementsAre("kvm-clock"));
  EXPECT_EQ((*cs)[1].current, "kvm-clock");
}

TEST(ReadClockSourcesTest, NoDirectoryIsNoneAndAnUnreadableOneIsAnError) {
  cistern::testing::TempDir dir;
  auto none = ReadClockSources(dir.Join("nope"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  dir.WriteFile("clocksource0/current_clocksource", "tsc\n");
  dir.WriteFile("power/control", "auto\n");  // not a clocksource
  EXPECT_THAT(ReadClockSources(dir.path()),
              StatusIs(StatusCode::kNotFound, HasSubstr("available_clocksource")));
}

TEST(TimeCollectorTest, ClocksourcesByDeviceIndex) {
  ScopedTz tz("UTC");
  auto r = ht::Run(SystemCollectors(), "time", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.CountPrefix("node_time_clocksource_available_info"), 4u);
  EXPECT_EQ(r.At("node_time_clocksource_available_info{clocksource=\"acpi_pm\", device=\"0\"}"), 1);
  EXPECT_EQ(r.At("node_time_clocksource_available_info{clocksource=\"hpet\", device=\"0\"}"), 1);
  EXPECT_EQ(r.At("node_time_clocksource_available_info{clocksource=\"tsc\", device=\"0\"}"), 1);
  EXPECT_EQ(r.At("node_time_clocksource_available_info{clocksource=\"kvm-clock\", device=\"1\"}"), 1);
  EXPECT_EQ(r.CountPrefix("node_time_clocksource_current_info"), 2u);
  EXPECT_EQ(r.At("node_time_clocksource_current_info{clocksource=\"tsc\", device=\"0\"}"), 1);
  EXPECT_EQ(r.At("node_time_clocksource_current_info{clocksource=\"kvm-clock\", device=\"1\"}"), 1);
  EXPECT_EQ(r.At("node_time_zone_offset_seconds{time_zone=\"UTC\"}"), 0);
  EXPECT_EQ(r.samples.size(), 8u);
}

TEST(TimeCollectorTest, NowInFloatSeconds) {
  double before = static_cast<double>(time(nullptr));
  auto r = ht::Run(SystemCollectors(), "time", Fixture("system_basic"));
  double after = static_cast<double>(time(nullptr)) + 1;
  double now = r.At("node_time_seconds{}");
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
}

TEST(TimeCollectorTest, TheZoneOffsetIsThisProcesssLocalZone) {
  ScopedTz tz("XYZ-3");  // POSIX: zone "XYZ", three hours east of UTC
  auto r = ht::Run(SystemCollectors(), "time", Fixture("system_basic"));
  EXPECT_EQ(r.At("node_time_zone_offset_seconds{time_zone=\"XYZ\"}"), 10800);
  EXPECT_EQ(r.CountPrefix("node_time_zone_offset_seconds"), 1u);
}

TEST(TimeCollectorTest, WithoutClocksourcesTheClockAlone) {
  cistern::testing::TempDir dir;
  auto r = ht::Run(SystemCollectors(), "time", InDir(dir));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples.size(), 2u);
  dir.WriteFile("sys/devices/system/clocksource/clocksource0/available_clocksource", "tsc\n");
  auto broken = ht::Run(SystemCollectors(), "time", InDir(dir));
  EXPECT_THAT(broken.status, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("current_clocksource")));
  EXPECT_TRUE(broken.Has("node_time_seconds{}"));
}

TEST(TimeCollectorTest, OnThisHostTheCurrentClocksourceIsAmongTheAvailable) {
  auto r = ht::Run(SystemCollectors(), "time", HostConfig{});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  auto cs = ReadClockSources("/sys/devices/system/clocksource");
  ASSERT_TRUE(cs.ok());
  if (cs->empty()) GTEST_SKIP() << "no clocksources in /sys";
  EXPECT_TRUE(
      r.Has("node_time_clocksource_available_info{clocksource=\"" + (*cs)[0].current + "\", device=\"0\"}"));
  EXPECT_TRUE(
      r.Has("node_time_clocksource_current_info{clocksource=\"" + (*cs)[0].current + "\", device=\"0\"}"));
}

}  // namespace
}  // namespace cistern::plugins::host
