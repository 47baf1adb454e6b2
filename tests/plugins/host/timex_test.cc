// The timex collector: node_exporter 1.5.0's conversion of adjtimex(2)'s
// answer, checked on hand-built readings, and the live call.
#include "plugins/host/timex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/plugins/host/host_testing.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

std::map<std::string, double> AsMap(const TimexReading& r) {
  std::map<std::string, double> out;
  for (const auto& [name, value] : TimexSamples(r)) out.emplace(name, value);
  return out;
}

TEST(TimexSamplesTest, NodeExportersSeventeenNames) {
  std::map<std::string, double> m = AsMap(TimexReading{});
  std::vector<std::string> names;
  for (const auto& [name, v] : m) names.push_back(name);
  EXPECT_EQ(
      names,
      (std::vector<std::string>{
          "node_timex_estimated_error_seconds", "node_timex_frequency_adjustment_ratio",
          "node_timex_loop_time_constant", "node_timex_maxerror_seconds", "node_timex_offset_seconds",
          "node_timex_pps_calibration_total", "node_timex_pps_error_total", "node_timex_pps_frequency_hertz",
          "node_timex_pps_jitter_seconds", "node_timex_pps_jitter_total", "node_timex_pps_shift_seconds",
          "node_timex_pps_stability_exceeded_total", "node_timex_pps_stability_hertz", "node_timex_status",
          "node_timex_sync_status", "node_timex_tai_offset_seconds", "node_timex_tick_seconds"}));
}

// This machine's reading (no NTP daemon: STA_UNSYNC, TIME_ERROR) and what
// node_exporter 1.5.0 printed for it.
TEST(TimexSamplesTest, AnUnsynchronisedClockAsNodeExporterReportsIt) {
  TimexReading r;
  r.state = kTimeError;
  r.status = 0x40;  // STA_UNSYNC
  r.maxerror = 16000000;
  r.esterror = 16000000;
  r.constant = 2;
  r.tick = 10000;
  std::map<std::string, double> m = AsMap(r);
  EXPECT_EQ(m["node_timex_sync_status"], 0);
  EXPECT_EQ(m["node_timex_status"], 64);
  EXPECT_EQ(m["node_timex_maxerror_seconds"], 16);
  EXPECT_EQ(m["node_timex_estimated_error_seconds"], 16);
  EXPECT_EQ(m["node_timex_loop_time_constant"], 2);
  EXPECT_EQ(m["node_timex_tick_seconds"], 0.01);
  EXPECT_EQ(m["node_timex_frequency_adjustment_ratio"], 1);
  EXPECT_EQ(m["node_timex_offset_seconds"], 0);
  EXPECT_EQ(m["node_timex_tai_offset_seconds"], 0);
}

TEST(TimexSamplesTest, EveryStateButTimeErrorIsSynchronised) {
  for (int state = 0; state <= 4; ++state) {  // TIME_OK, TIME_INS, TIME_DEL, TIME_OOP, TIME_WAIT
    TimexReading r;
    r.state = state;
    r.status = 0x40;  // the status bits do not matter, only the return value (as node_exporter)
    EXPECT_EQ(AsMap(r)["node_timex_sync_status"], 1) << state;
  }
}

TEST(TimexSamplesTest, OffsetAndJitterAreMicrosecondsWithoutStaNano) {
  TimexReading r;
  r.status = 0x2001;  // STA_NANO | STA_PLL
  r.offset = -1500000;
  r.jitter = 250000;
  r.maxerror = 1500;  // always µs
  r.esterror = 20;
  std::map<std::string, double> nano = AsMap(r);
  EXPECT_DOUBLE_EQ(nano["node_timex_offset_seconds"], -0.0015);
  EXPECT_DOUBLE_EQ(nano["node_timex_pps_jitter_seconds"], 0.00025);
  EXPECT_DOUBLE_EQ(nano["node_timex_maxerror_seconds"], 0.0015);
  EXPECT_DOUBLE_EQ(nano["node_timex_estimated_error_seconds"], 0.00002);
  EXPECT_EQ(nano["node_timex_status"], 0x2001);
  r.status = 0x0001;
  r.offset = -1500;
  r.jitter = 250;
  std::map<std::string, double> micro = AsMap(r);
  EXPECT_DOUBLE_EQ(micro["node_timex_offset_seconds"], -0.0015);
  EXPECT_DOUBLE_EQ(micro["node_timex_pps_jitter_seconds"], 0.00025);
  EXPECT_DOUBLE_EQ(micro["node_timex_maxerror_seconds"], 0.0015);
}

TEST(TimexSamplesTest, FrequenciesArePpmWithASixteenBitFraction) {
  TimexReading r;
  r.freq = -12 * 65536 - 32768;  // -12.5 ppm
  r.ppsfreq = 3 * 65536;         // 3 ppm
  r.stabil = 65536 / 4;          // 0.25 ppm
  std::map<std::string, double> m = AsMap(r);
  EXPECT_DOUBLE_EQ(m["node_timex_frequency_adjustment_ratio"], 1 - 12.5e-6);
  EXPECT_DOUBLE_EQ(m["node_timex_pps_frequency_hertz"], 3e-6);
  EXPECT_DOUBLE_EQ(m["node_timex_pps_stability_hertz"], 0.25e-6);
}

TEST(TimexSamplesTest, CountersShiftAndTaiAreCopied) {
  TimexReading r;
  r.shift = 4;
  r.jitcnt = 1;
  r.calcnt = 2;
  r.errcnt = 3;
  r.stbcnt = 5;
  r.tai = 37;
  std::map<std::string, double> m = AsMap(r);
  EXPECT_EQ(m["node_timex_pps_shift_seconds"], 4);  // not scaled: node_exporter reports the exponent as is
  EXPECT_EQ(m["node_timex_pps_jitter_total"], 1);
  EXPECT_EQ(m["node_timex_pps_calibration_total"], 2);
  EXPECT_EQ(m["node_timex_pps_error_total"], 3);
  EXPECT_EQ(m["node_timex_pps_stability_exceeded_total"], 5);
  EXPECT_EQ(m["node_timex_tai_offset_seconds"], 37);
}

TEST(TimexCollectorTest, IsInTheSystemTableOnByDefault) {
  bool found = false;
  for (const CollectorInfo& c : SystemCollectors()) {
    if (c.name == "timex") found = c.enabled_by_default;
  }
  EXPECT_TRUE(found);
}

TEST(TimexLiveTest, OnThisHostTheKernelAnswersWithoutPrivilege) {
  auto reading = ReadTimex();
  CISTERN_ASSERT_OK(reading.status());
  EXPECT_GE(reading->state, 0);
  EXPECT_LE(reading->state, kTimeError);
  EXPECT_GT(reading->tick, 0);
  testing::Result r = testing::Run(SystemCollectors(), "timex", HostConfig{});
  CISTERN_ASSERT_OK(r.status);
  EXPECT_EQ(r.samples.size(), kTimexMetrics);
  double sync = r.At("node_timex_sync_status{}");
  EXPECT_TRUE(sync == 0 || sync == 1) << sync;
  EXPECT_GT(r.At("node_timex_tick_seconds{}"), 0);
  EXPECT_GE(r.At("node_timex_maxerror_seconds{}"), 0);
  EXPECT_GT(r.At("node_timex_frequency_adjustment_ratio{}"), 0.99);  // the kernel caps freq at 500 ppm
  EXPECT_LT(r.At("node_timex_frequency_adjustment_ratio{}"), 1.01);
}

}  // namespace
}  // namespace cistern::plugins::host
