#include "plugins/host/pressure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/plugins/host/host_testing.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParsePressureTest, TotalsOfSomeAndFull) {
  PressureFile f = ParsePressure(
      "some avg10=2.68 avg60=4.73 avg300=4.55 total=74451401\n"
      "full avg10=0.00 avg60=0.00 avg300=0.00 total=12\n");
  CISTERN_ASSERT_OK(f.error);
  EXPECT_EQ(f.some_total_us, 74451401);
  EXPECT_EQ(f.full_total_us, 12);
}

TEST(ParsePressureTest, UnknownLinesAreIgnoredAndABadTotalIsReported) {
  PressureFile f = ParsePressure("later avg10=1 total=5\nsome avg10=0.00 total=\nfull total=3\n");
  EXPECT_THAT(f.error, StatusIs(StatusCode::kDataLoss, HasSubstr("line 2: some: no total=<n>")));
  EXPECT_EQ(f.some_total_us, std::nullopt);
  EXPECT_EQ(f.full_total_us, 3);
}

TEST(PressureTest, TotalsInSecondsWithNodeExporterNames) {
  testing::Result r = testing::Run(DeviceCollectors(), "pressure", testing::Fixture("device_pressure"));
  CISTERN_EXPECT_OK(r.status);
  EXPECT_DOUBLE_EQ(r.At("node_pressure_cpu_waiting_seconds_total{}"), 104.684987);
  EXPECT_DOUBLE_EQ(r.At("node_pressure_io_waiting_seconds_total{}"), 8.348999);
  EXPECT_DOUBLE_EQ(r.At("node_pressure_io_stalled_seconds_total{}"), 6.931395);
  EXPECT_EQ(r.At("node_pressure_memory_waiting_seconds_total{}"), 0);
  EXPECT_EQ(r.At("node_pressure_memory_stalled_seconds_total{}"), 0);
  EXPECT_EQ(r.samples.size(), 5u);  // cpu "full" is not exported
}

TEST(PressureTest, MalformedOrMissingLinesAreAnErrorNamingTheFileAndTheRestIsKept) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "pressure", testing::Fixture("device_pressure_malformed"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kDataLoss,
                                 HasSubstr("device_pressure_malformed/proc/pressure/io: no \"full\" line")));
  EXPECT_DOUBLE_EQ(r.At("node_pressure_cpu_waiting_seconds_total{}"), 104.684987);
  EXPECT_DOUBLE_EQ(r.At("node_pressure_io_waiting_seconds_total{}"), 8.128651);
  EXPECT_FALSE(r.Has("node_pressure_io_stalled_seconds_total{}"));
  EXPECT_FALSE(r.Has("node_pressure_memory_waiting_seconds_total{}"));  // "total="
  EXPECT_DOUBLE_EQ(r.At("node_pressure_memory_stalled_seconds_total{}"), 0.000042);
}

TEST(PressureTest, KernelWithoutPsiIsNotFound) {
  testing::Result r = testing::Run(DeviceCollectors(), "pressure", testing::Fixture("device_none"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound, HasSubstr("device_none/proc/pressure")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(PressureTest, PartlyMissingSourceIsAFailureNotAbsence) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "pressure", testing::Fixture("device_pressure_cpuonly"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kFailedPrecondition,
                                 HasSubstr("device_pressure_cpuonly/proc/pressure/io")));
  EXPECT_DOUBLE_EQ(r.At("node_pressure_cpu_waiting_seconds_total{}"), 104.684987);
  EXPECT_EQ(r.samples.size(), 1u);
}

TEST(PressureLiveTest, AllFiveFamiliesWhenTheKernelHasPsi) {
  struct stat st;
  testing::Result r = testing::Run(DeviceCollectors(), "pressure", HostConfig{});
  if (::stat("/proc/pressure/cpu", &st) != 0) {
    EXPECT_EQ(r.status.code(), StatusCode::kNotFound) << r.status.ToString();
    GTEST_SKIP() << "no /proc/pressure on this kernel";
  }
  CISTERN_EXPECT_OK(r.status);
  for (const char* name : {"cpu_waiting", "io_waiting", "io_stalled", "memory_waiting", "memory_stalled"}) {
    EXPECT_GE(r.At(std::string("node_pressure_") + name + "_seconds_total{}"), 0) << name;
  }
  EXPECT_GE(r.At("node_pressure_io_waiting_seconds_total{}"),
            r.At("node_pressure_io_stalled_seconds_total{}"));
}

}  // namespace
}  // namespace cistern::plugins::host
