// The meminfo collector. Expected names and values on the system_basic
// fixture are node_exporter 1.5.0's output for the same tree.
#include "plugins/host/meminfo.h"

#include <gtest/gtest.h>

#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::InDir;
using ::testing::Pair;
namespace ht = ::cistern::plugins::host::testing;

TEST(ParseMeminfoTest, KilobytesBecomeBytesAndParenthesesBecomeAnUnderscore) {
  auto f =
      ParseMeminfo("MemTotal:       15666184 kB\nActive(anon):    3976068 kB\nHugePages_Total:       4\n");
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(
      *f, ::testing::ElementsAre(Pair("MemTotal_bytes", 15666184.0 * 1024),
                                 Pair("Active_anon_bytes", 3976068.0 * 1024), Pair("HugePages_Total", 4)));
}

TEST(ParseMeminfoTest, EmptyLinesAreSkippedAndUnknownFieldsKept) {
  auto f = ParseMeminfo("\nZswapped:  12 kB\n\nFoo(bar)baz:  3\n");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_THAT(*f, ::testing::ElementsAre(Pair("Zswapped_bytes", 12 * 1024), Pair("Foo_barbaz", 3)));
}

TEST(ParseMeminfoTest, ALineThatIsNotKeyValueUnitNamesTheLine) {
  EXPECT_THAT(ParseMeminfo("MemTotal: 1 kB\nMemFree: lots kB\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: cannot parse \"lots\"")));
  EXPECT_THAT(ParseMeminfo("MemTotal: 1 kB extra\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1")));
  EXPECT_THAT(ParseMeminfo("MemTotal:\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1")));
}

TEST(MeminfoCollectorTest, EveryFieldAsNodeExporterNamesIt) {
  auto r = ht::Run(SystemCollectors(), "meminfo", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples.size(), 43u);  // one per line of the fixture
  EXPECT_EQ(r.At("node_memory_MemTotal_bytes{}"), 1.6042172416e+10);
  EXPECT_EQ(r.At("node_memory_MemAvailable_bytes{}"), 9.752301568e+09);
  EXPECT_EQ(r.At("node_memory_Active_anon_bytes{}"), 4.071493632e+09);
  EXPECT_EQ(r.At("node_memory_Inactive_file_bytes{}"), 6.30249472e+09);
  EXPECT_EQ(r.At("node_memory_NFS_Unstable_bytes{}"), 0);
  EXPECT_EQ(r.At("node_memory_Committed_AS_bytes{}"), 1.2508258304e+10);
  EXPECT_EQ(r.At("node_memory_VmallocTotal_bytes{}"), 3.5184372087808e+13);
  EXPECT_EQ(r.At("node_memory_DirectMap4k_bytes{}"), 1.9011584e+08);
  EXPECT_EQ(r.At("node_memory_HugePages_Total{}"), 4);
  EXPECT_EQ(r.At("node_memory_HugePages_Free{}"), 2);
  EXPECT_EQ(r.At("node_memory_HugePages_Rsvd{}"), 1);
  EXPECT_EQ(r.At("node_memory_HugePages_Surp{}"), 0);
  EXPECT_EQ(r.At("node_memory_Hugepagesize_bytes{}"), 2.097152e+06);
}

TEST(MeminfoCollectorTest, MissingIsNotFoundAndMalformedNamesTheFile) {
  cistern::testing::TempDir dir;
  EXPECT_EQ(ht::Run(SystemCollectors(), "meminfo", InDir(dir)).status.code(), StatusCode::kNotFound);
  std::string path = dir.WriteFile("proc/meminfo", "MemTotal: 1 kB\nbroken\n");
  auto r = ht::Run(SystemCollectors(), "meminfo", InDir(dir));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInvalidArgument, HasSubstr(path + ": line 2")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(MeminfoCollectorTest, OnThisHostTheDashboardFieldsAreThere) {
  auto r = ht::Run(SystemCollectors(), "meminfo", HostConfig{});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GT(r.At("node_memory_MemTotal_bytes{}"), 0);
  EXPECT_GT(r.At("node_memory_MemAvailable_bytes{}"), 0);
  EXPECT_LE(r.At("node_memory_MemAvailable_bytes{}"), r.At("node_memory_MemTotal_bytes{}"));
  EXPECT_TRUE(r.Has("node_memory_HugePages_Total{}"));
}

}  // namespace
}  // namespace cistern::plugins::host
