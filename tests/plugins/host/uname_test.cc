// The uname collector: uname(2), or the host's /proc/sys/kernel when procfs
// is mounted elsewhere.
#include "plugins/host/uname.h"

#include <gtest/gtest.h>

#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"

namespace cistern::plugins::host {
namespace {

using testing::Fixture;
using testing::InDir;
namespace ht = ::cistern::plugins::host::testing;

std::string Series(const UnameInfo& u) {
  return "node_uname_info{domainname=\"" + u.domainname + "\", machine=\"" + u.machine + "\", nodename=\"" +
         u.nodename + "\", release=\"" + u.release + "\", sysname=\"" + u.sysname + "\", version=\"" +
         u.version + "\"}";
}

TEST(UnameCollectorTest, WithProcAtProcItIsTheUnameSyscall) {
  auto u = UnameSyscall();
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->sysname, "Linux");
  for (const char* proc : {"/proc", "/proc/"}) {
    HostConfig c;
    c.proc = proc;
    auto r = ht::Run(SystemCollectors(), "uname", c);
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    ASSERT_EQ(r.samples.size(), 1u);
    EXPECT_EQ(r.At(Series(*u)), 1) << r.samples.begin()->first;
  }
}

TEST(UnameCollectorTest, WithTheHostsProcElsewhereItsKernelFiles) {
  auto u = UnameSyscall();
  ASSERT_TRUE(u.ok());
  auto r = ht::Run(SystemCollectors(), "uname", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  UnameInfo want{"Linux",  "5.15.0-91-generic", "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023", u->machine,
                 "host-a", "example.org"};
  EXPECT_EQ(r.At(Series(want)), 1) << r.samples.begin()->first;
}

TEST(UnameCollectorTest, AFieldWhoseFileIsMissingFallsBackToTheSyscall) {
  cistern::testing::TempDir dir;
  dir.WriteFile("proc/sys/kernel/hostname", "host-b\n");
  auto u = UnameSyscall();
  ASSERT_TRUE(u.ok());
  UnameInfo want = *u;
  want.nodename = "host-b";
  auto r = ht::Run(SystemCollectors(), "uname", InDir(dir));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.At(Series(want)), 1) << r.samples.begin()->first;
}

}  // namespace
}  // namespace cistern::plugins::host
