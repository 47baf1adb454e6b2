// Against this machine's own cgroup tree (whatever it has: v2, or v1 / hybrid
// as on the development container): the root cgroup's CPU time is reported,
// grows when this process burns CPU, and this process's own cgroup is there.
#include <gtest/gtest.h>
#include <time.h>

#include <fstream>
#include <sstream>

#include "plugins/container/container_fs.h"
#include "tests/plugins/container/container_testing.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::container {
namespace {

constexpr char kRootCpu[] = "container_cpu_usage_seconds_total{cpu=\"total\"}";

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void BurnCpu(double seconds) {
  double until = ProcessCpuSeconds() + seconds;
  volatile uint64_t x = 0;
  while (ProcessCpuSeconds() < until) {
    for (int i = 0; i < 100000; ++i) x = x + static_cast<uint64_t>(i);
  }
}

// This process's cgroup in the hierarchy the layout reads memory from.
std::string OwnMemoryCgroup(const CgroupLayout& layout) {
  std::ifstream f("/proc/self/cgroup");
  std::string line;
  while (std::getline(f, line)) {
    // "4:memory:/process_api/..." (v1) or "0::/user.slice/..." (v2)
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    if (layout.unified ? controllers.empty() : controllers == "memory") return line.substr(b + 1);
  }
  return "";
}

class LiveCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto layout = DetectLayout("/sys/fs/cgroup");
    if (!layout.ok()) GTEST_SKIP() << "no cgroup hierarchy here: " << layout.status().ToString();
    layout_ = *layout;
    config_.docker_socket = "";
  }
  CgroupLayout layout_;
  ContainerConfig config_;
};

TEST_F(LiveCgroupTest, RootCpuUsageIsPositiveAndGrowsWhenWeBurnCpu) {
  testing::Result before = testing::Collect(config_);
  CISTERN_EXPECT_OK(before.status);
  double t0 = before.At("/", kRootCpu);
  EXPECT_GT(t0, 0);
  BurnCpu(0.3);
  testing::Result after = testing::Collect(config_);
  double t1 = after.At("/", kRootCpu);
  EXPECT_GE(t1 - t0, 0.25) << "root cgroup CPU went from " << t0 << " to " << t1;
}

TEST_F(LiveCgroupTest, OwnCgroupIsReportedWithItsMemory) {
  std::string own = OwnMemoryCgroup(layout_);
  if (own.empty()) GTEST_SKIP() << "cannot tell this process's cgroup from /proc/self/cgroup";
  if (!layout_.unified && layout_.memory.empty()) GTEST_SKIP() << "no v1 memory hierarchy";
  testing::Result r = testing::Collect(config_);
  CISTERN_EXPECT_OK(r.status);
  auto s = r.Of(own);
  ASSERT_FALSE(s.empty()) << "no series for " << own;
  if (own == "/" && layout_.unified && !s.count("container_memory_usage_bytes")) {
    GTEST_SKIP() << "v2 root without the memory controller";
  }
  EXPECT_GT(s["container_memory_usage_bytes"], 0) << own;
  EXPECT_GT(s["container_last_seen"], 1.6e9);
  // (Not container_processes: on v1 it comes from the cpu hierarchy, where a
  // cgroup of the same path may hold other tasks than the memory one.)
}

TEST_F(LiveCgroupTest, EveryCgroupIsReadWithoutError) {
  std::vector<CgroupDir> dirs;
  CISTERN_EXPECT_OK(ListCgroups(layout_, 0, &dirs));
  ASSERT_FALSE(dirs.empty());
  EXPECT_EQ(dirs[0].path, "/");
  CgroupReader reader(layout_, "/proc", false);
  ErrorList errors;
  for (const CgroupDir& d : dirs) reader.Read(d, &errors);
  CISTERN_EXPECT_OK(errors.Summary());
}

}  // namespace
}  // namespace cistern::plugins::container
