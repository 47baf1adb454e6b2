#include "agent/obs/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/obs/process_metrics.h"

namespace cistern::obs {
namespace {

using ::testing::HasSubstr;

TEST(RegistryTest, RendersCountersGaugesAndHistogramsInTextFormat) {
  Registry r;
  r.NewCounter("cistern_test_total", "A test counter.")->Inc(3);
  auto* fam = r.NewCounterFamily("cistern_drops_total", "Drops.", {"reason"});
  fam->With({"full"})->Inc();
  fam->With({"a\"b"})->Inc(2);
  auto* h = r.NewHistogram("cistern_d_seconds", "D.", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(7);
  std::string text = r.RenderText();
  EXPECT_THAT(text, HasSubstr("# HELP cistern_test_total A test counter.\n# TYPE cistern_test_total counter\n"
                              "cistern_test_total 3\n"));
  EXPECT_THAT(text, HasSubstr("cistern_drops_total{reason=\"a\\\"b\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cistern_drops_total{reason=\"full\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cistern_d_seconds_bucket{le=\"0.1\"} 1\n"
                              "cistern_d_seconds_bucket{le=\"1\"} 2\n"
                              "cistern_d_seconds_bucket{le=\"+Inf\"} 3\n"
                              "cistern_d_seconds_sum 7.55\n"
                              "cistern_d_seconds_count 3\n"));
}

TEST(RegistryTest, RegisteringTwiceReturnsTheSameMetric) {
  Registry r;
  Counter* a = r.NewCounter("x_total", "x");
  Counter* b = r.NewCounter("x_total", "x");
  EXPECT_EQ(a, b);
}

TEST(RegistryTest, ProcessMetricsAreExported) {
  Registry r;
  RegisterProcessMetrics(&r);
  std::string text = r.RenderText();
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                           "process_max_fds", "process_start_time_seconds", "cistern_build_info{"}) {
    EXPECT_THAT(text, HasSubstr(name));
  }
}

}  // namespace
}  // namespace cistern::obs
