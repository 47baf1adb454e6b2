// The loadavg, filefd and entropy collectors. Expected values on the
// system_basic fixture are node_exporter 1.5.0's output for the same tree.
#include <gtest/gtest.h>

#include "plugins/host/filefd.h"
#include "plugins/host/loadavg.h"
#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::InDir;
namespace ht = ::cistern::plugins::host::testing;

TEST(ParseLoadavgTest, TheFirstThreeNumbers) {
  auto l = ParseLoadavg("0.21 0.37 0.39 1/719 19737\n");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ((*l)[0], 0.21);
  EXPECT_EQ((*l)[1], 0.37);
  EXPECT_EQ((*l)[2], 0.39);
  EXPECT_THAT(ParseLoadavg("0.1 0.2\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("three load averages")));
  EXPECT_THAT(ParseLoadavg("0.1 x 0.3\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"x\"")));
}

TEST(LoadavgCollectorTest, OneFiveAndFifteenMinutes) {
  auto r = ht::Run(SystemCollectors(), "loadavg", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples.size(), 3u);
  EXPECT_EQ(r.At("node_load1{}"), 0.21);
  EXPECT_EQ(r.At("node_load5{}"), 0.37);
  EXPECT_EQ(r.At("node_load15{}"), 0.39);
}

TEST(LoadavgCollectorTest, MalformedNamesTheFile) {
  cistern::testing::TempDir dir;
  EXPECT_EQ(ht::Run(SystemCollectors(), "loadavg", InDir(dir)).status.code(), StatusCode::kNotFound);
  std::string path = dir.WriteFile("proc/loadavg", "\n");
  EXPECT_THAT(ht::Run(SystemCollectors(), "loadavg", InDir(dir)).status,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(path)));
}

TEST(ParseFileNrTest, AllocatedAndMaximumTheMiddleNumberIgnored) {
  auto n = ParseFileNr("1024\t0\t1631329\n");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->allocated, 1024);
  EXPECT_EQ(n->maximum, 1631329);
  EXPECT_THAT(ParseFileNr("1024\t0\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("three numbers")));
  EXPECT_THAT(ParseFileNr("1024\t0\tmax\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"max\"")));
}

TEST(FilefdCollectorTest, AllocatedAndMaximum) {
  auto r = ht::Run(SystemCollectors(), "filefd", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.At("node_filefd_allocated{}"), 1024);
  EXPECT_EQ(r.At("node_filefd_maximum{}"), 1.631329e+06);
}

TEST(FilefdCollectorTest, OnThisHostSomeAreAllocated) {
  auto r = ht::Run(SystemCollectors(), "filefd", HostConfig{});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GT(r.At("node_filefd_allocated{}"), 0);
  EXPECT_GT(r.At("node_filefd_maximum{}"), r.At("node_filefd_allocated{}"));
}

TEST(EntropyCollectorTest, AvailableBitsAndPoolSize) {
  auto r = ht::Run(SystemCollectors(), "entropy", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.At("node_entropy_available_bits{}"), 1337);
  EXPECT_EQ(r.At("node_entropy_pool_size_bits{}"), 4096);
}

TEST(EntropyCollectorTest, NoPoolSizeFailsAfterReportingTheAvailableBits) {
  cistern::testing::TempDir dir;
  EXPECT_EQ(ht::Run(SystemCollectors(), "entropy", InDir(dir)).status.code(), StatusCode::kNotFound);
  dir.WriteFile("proc/sys/kernel/random/entropy_avail", "256\n");
  auto r = ht::Run(SystemCollectors(), "entropy", InDir(dir));  // node_exporter: the same, and a failure
  EXPECT_THAT(r.status, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("poolsize")));
  EXPECT_EQ(r.At("node_entropy_available_bits{}"), 256);
  EXPECT_EQ(r.samples.size(), 1u);
  std::string path = dir.WriteFile("proc/sys/kernel/random/poolsize", "big\n");
  EXPECT_THAT(ht::Run(SystemCollectors(), "entropy", InDir(dir)).status,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(path)));
}

TEST(EntropyCollectorTest, OnThisHostThePoolHasASize) {
  auto r = ht::Run(SystemCollectors(), "entropy", HostConfig{});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GT(r.At("node_entropy_pool_size_bits{}"), 0);
}

}  // namespace
}  // namespace cistern::plugins::host
