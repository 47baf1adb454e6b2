#include "plugins/container/container_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "plugins/container/container_fs.h"
#include "tests/plugins/container/container_testing.h"
#include "tests/plugins/container/fake_docker_engine.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::plugins::container {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace testing;  // NOLINT: the fixture ids

const std::string kDockerScope = std::string("/system.slice/docker-") + kDockerId + ".scope";
const std::string kDockerV1 = std::string("/docker/") + kDockerId;

void Overwrite(const std::string& path, const std::string& content) {
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  std::ofstream(path, std::ios::trunc) << content;
}

// ---------------------------------------------------------------- v2

TEST(ContainerCollectorV2Test, ReportsTheRootAndEveryCgroupBelowIt) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  CISTERN_EXPECT_OK(r.status);
  EXPECT_THAT(r.Ids(), ElementsAre("/", "/init.scope", "/machine.slice",
                                   std::string("/machine.slice/libpod-") + kPodmanId + ".scope",
                                   std::string("/machine.slice/libpod-conmon-") + kPodmanId + ".scope",
                                   "/system.slice", kDockerScope, "/system.slice/docker.service",
                                   "/system.slice/nginx.service", "/user.slice"));
}

TEST(ContainerCollectorV2Test, DockerContainerGetsCadvisorsCpuSeries) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  EXPECT_DOUBLE_EQ(r.At(kDockerScope, "container_cpu_usage_seconds_total{cpu=\"total\"}"), 123.456789);
  EXPECT_DOUBLE_EQ(r.At(kDockerScope, "container_cpu_user_seconds_total"), 100.0);
  EXPECT_DOUBLE_EQ(r.At(kDockerScope, "container_cpu_system_seconds_total"), 23.456789);
  EXPECT_EQ(r.At(kDockerScope, "container_cpu_cfs_periods_total"), 5000);
  EXPECT_EQ(r.At(kDockerScope, "container_cpu_cfs_throttled_periods_total"), 120);
  EXPECT_DOUBLE_EQ(r.At(kDockerScope, "container_cpu_cfs_throttled_seconds_total"), 4.5);
  EXPECT_EQ(r.At(kDockerScope, "container_spec_cpu_quota"), 50000);
  EXPECT_EQ(r.At(kDockerScope, "container_spec_cpu_period"), 100000);
}

TEST(ContainerCollectorV2Test, CpuWeightIsConvertedToSharesAsCadvisorDoes) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  EXPECT_EQ(r.At(kDockerScope, "container_spec_cpu_shares"), 2597);  // weight 100
  Result k = Collect(Fixture("v2_kubepods_containerd"));
  std::string pod = std::string("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod") +
                    "0d3b6b4e_1c2a_4f5e_9a8b_7c6d5e4f3a2b.slice";
  EXPECT_EQ(k.At(pod + "/cri-containerd-" + kContainerdId + ".scope", "container_spec_cpu_shares"),
            80);  // weight 4
  EXPECT_EQ(k.At(pod + "/cri-containerd-" + kContainerdId2 + ".scope", "container_spec_cpu_shares"),
            2);                                                             // weight 1
  EXPECT_EQ(k.At("/kubepods.slice", "container_spec_cpu_shares"), 262144);  // weight 10000
}

TEST(ContainerCollectorV2Test, NoQuotaMeansNoQuotaSeriesAndNoCfsCounters) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  auto s = r.Of("/system.slice/docker.service");  // cpu.max "max 100000"
  EXPECT_EQ(s.count("container_spec_cpu_quota"), 0u);
  EXPECT_EQ(s.count("container_cpu_cfs_periods_total"), 0u);
  EXPECT_EQ(s.at("container_spec_cpu_period"), 100000);
}

TEST(ContainerCollectorV2Test, MemoryIsReadAsCadvisorReadsIt) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  EXPECT_EQ(r.At(kDockerScope, "container_memory_usage_bytes"), 104857600);
  EXPECT_EQ(r.At(kDockerScope, "container_memory_max_usage_bytes"), 125829120);  // memory.peak
  EXPECT_EQ(r.At(kDockerScope, "container_memory_working_set_bytes"),
            104857600 - 20971520);                                    // - inactive_file
  EXPECT_EQ(r.At(kDockerScope, "container_memory_rss"), 73400320);    // anon
  EXPECT_EQ(r.At(kDockerScope, "container_memory_cache"), 31457280);  // file
  EXPECT_EQ(r.At(kDockerScope, "container_memory_swap"), 1048576);    // memory.swap.current
  EXPECT_EQ(r.At(kDockerScope, "container_memory_mapped_file"), 4194304);
  EXPECT_EQ(r.At(kDockerScope, "container_memory_failcnt"), 3);  // memory.events max
  EXPECT_EQ(r.At(kDockerScope, "container_memory_total_inactive_file_bytes"), 20971520);
  EXPECT_EQ(
      r.At(kDockerScope, "container_memory_failures_total{failure_type=\"pgfault\", scope=\"container\"}"),
      123456);
  EXPECT_EQ(
      r.At(kDockerScope, "container_memory_failures_total{failure_type=\"pgmajfault\", scope=\"hierarchy\"}"),
      12);
  EXPECT_EQ(r.At(kDockerScope, "container_spec_memory_limit_bytes"), 536870912);
  EXPECT_EQ(r.At(kDockerScope, "container_spec_memory_swap_limit_bytes"), 1073741824);
  EXPECT_EQ(r.At(kDockerScope, "container_spec_memory_reservation_limit_bytes"), 67108864);  // memory.min
}

TEST(ContainerCollectorV2Test, UnlimitedMemoryIsReportedAsZero) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  EXPECT_EQ(r.At("/system.slice/nginx.service", "container_spec_memory_limit_bytes"), 0);  // "max"
  EXPECT_EQ(r.At("/system.slice/nginx.service", "container_spec_memory_swap_limit_bytes"), 0);
}

TEST(ContainerCollectorV2Test, BlockIoPerDeviceWithCadvisorsLabels) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  EXPECT_EQ(r.At(kDockerScope,
                 "container_blkio_device_usage_total{device=\"/dev/sda\", major=\"8\", minor=\"0\", "
                 "operation=\"Read\"}"),
            1048576);
  EXPECT_EQ(r.At(kDockerScope,
                 "container_blkio_device_usage_total{device=\"/dev/dm-0\", major=\"253\", minor=\"0\", "
                 "operation=\"Write\"}"),
            4096);
  EXPECT_EQ(r.At(kDockerScope, "container_fs_reads_bytes_total{device=\"/dev/sda\"}"), 1048576);
  EXPECT_EQ(r.At(kDockerScope, "container_fs_writes_bytes_total{device=\"/dev/sda\"}"), 4096);
  EXPECT_EQ(r.At(kDockerScope, "container_fs_reads_total{device=\"/dev/sda\"}"), 32);
  EXPECT_EQ(r.At(kDockerScope, "container_fs_writes_total{device=\"/dev/dm-0\"}"), 1);
}

TEST(ContainerCollectorV2Test, ProcessesThreadsAndLastSeen) {
  Result r = Collect(Fixture("v2_systemd_docker"), 1700000000999);
  EXPECT_EQ(r.At(kDockerScope, "container_processes"), 2);
  EXPECT_EQ(r.At(kDockerScope, "container_threads"), 7);
  EXPECT_EQ(r.At(kDockerScope, "container_threads_max"), 4096);
  EXPECT_EQ(r.At("/system.slice/nginx.service", "container_threads_max"), 0);  // "max": 0 = no limit
  EXPECT_EQ(r.At(kDockerScope, "container_last_seen"), 1700000000);            // whole seconds
  EXPECT_GT(r.At(kDockerScope, "container_start_time_seconds"), 0);
}

TEST(ContainerCollectorV2Test, NetworkComesFromAMemberTaskWithItsOwnNamespace) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  EXPECT_EQ(r.At(kDockerScope, "container_network_receive_bytes_total{interface=\"eth0\"}"), 4096000 + 4242);
  EXPECT_EQ(r.At(kDockerScope, "container_network_receive_packets_total{interface=\"eth0\"}"), 3000);
  EXPECT_EQ(r.At(kDockerScope, "container_network_receive_errors_total{interface=\"eth0\"}"), 1);
  EXPECT_EQ(r.At(kDockerScope, "container_network_receive_packets_dropped_total{interface=\"eth0\"}"), 2);
  EXPECT_EQ(r.At(kDockerScope, "container_network_transmit_bytes_total{interface=\"eth0\"}"), 2048000);
  EXPECT_EQ(r.At(kDockerScope, "container_network_transmit_packets_total{interface=\"eth0\"}"), 1500);
  EXPECT_EQ(r.At(kDockerScope, "container_network_transmit_errors_total{interface=\"eth0\"}"), 3);
  EXPECT_EQ(r.At(kDockerScope, "container_network_transmit_packets_dropped_total{interface=\"eth0\"}"), 4);
  EXPECT_FALSE(r.Has(kDockerScope, "container_network_receive_bytes_total{interface=\"lo\"}"));
}

TEST(ContainerCollectorV2Test, CgroupSharingTheHostsNetworkNamespaceHasNoNetworkSeries) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  for (const auto& [series, v] : r.Of("/system.slice/nginx.service")) {
    EXPECT_EQ(series.find("container_network_"), std::string::npos) << series;
  }
  for (const auto& [series, v] : r.Of("/system.slice")) {  // no member task at all
    EXPECT_EQ(series.find("container_network_"), std::string::npos) << series;
  }
}

TEST(ContainerCollectorV2Test, RootCgroupIsReportedLikeCadvisorsRoot) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  EXPECT_DOUBLE_EQ(r.At("/", "container_cpu_usage_seconds_total{cpu=\"total\"}"), 987.654321);
  EXPECT_EQ(r.At("/", "container_memory_usage_bytes"), 734003200.0 + 1610612736.0);  // anon + file
  EXPECT_EQ(r.At("/", "container_memory_working_set_bytes"), 734003200.0 + 1610612736.0 - 805306368.0);
  EXPECT_EQ(r.At("/", "container_memory_swap"), (2097148.0 - 2031612.0) * 1024);  // /proc/meminfo
  EXPECT_FALSE(r.Has("/", "container_spec_memory_limit_bytes"));
  EXPECT_EQ(r.At("/", "container_network_receive_bytes_total{interface=\"eth0\"}"), 987654321);  // pid 1's
  EXPECT_FALSE(r.Has("/", "container_network_receive_bytes_total{interface=\"docker0\"}"));
  EXPECT_FALSE(r.Has("/", "container_network_receive_bytes_total{interface=\"veth1a2b3c\"}"));
  EXPECT_FALSE(r.Has("/", "container_threads"));
  EXPECT_EQ(r.At("/", "container_fs_reads_bytes_total{device=\"/dev/sda\"}"), 9000000000.0);
  EXPECT_EQ(r.LabelOf("/", "name"), "");
}

TEST(ContainerCollectorV2Test, ContainersAreNamedAndOtherCgroupsAreNot) {
  Result r = Collect(Fixture("v2_systemd_docker"));
  EXPECT_EQ(r.LabelOf(kDockerScope, "name"), kDockerId);  // no engine: the id, as cAdvisor's containerd alias
  EXPECT_EQ(r.LabelOf(std::string("/machine.slice/libpod-") + kPodmanId + ".scope", "name"), kPodmanId);
  EXPECT_EQ(r.LabelOf(std::string("/machine.slice/libpod-conmon-") + kPodmanId + ".scope", "name"), "");
  EXPECT_EQ(r.LabelOf("/system.slice/nginx.service", "name"), "");
  EXPECT_EQ(r.LabelOf(kDockerScope, "image"), "");
}

TEST(ContainerCollectorV2Test, KubepodsContainersForEveryQosClassAndRuntime) {
  Result r = Collect(Fixture("v2_kubepods_containerd"));
  CISTERN_EXPECT_OK(r.status);
  std::string burstable = std::string("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod") +
                          "0d3b6b4e_1c2a_4f5e_9a8b_7c6d5e4f3a2b.slice/cri-containerd-" + kContainerdId +
                          ".scope";
  std::string besteffort = std::string("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod") +
                           "5f1a2b3c_4d5e_4f6a_8b9c_0d1e2f3a4b5c.slice/cri-containerd-" + kContainerdId3 +
                           ".scope";
  std::string guaranteed =
      std::string("/kubepods.slice/kubepods-pod9e8d7c6b_5a4f_4e3d_2c1b_0a9f8e7d6c5b.slice/crio-") + kCrioId +
      ".scope";
  EXPECT_EQ(r.LabelOf(burstable, "name"), kContainerdId);
  EXPECT_EQ(r.LabelOf(besteffort, "name"), kContainerdId3);
  EXPECT_EQ(r.LabelOf(guaranteed, "name"), kCrioId);
  EXPECT_EQ(r.At(burstable, "container_spec_cpu_quota"), 20000);
  EXPECT_EQ(r.At(burstable, "container_spec_memory_limit_bytes"), 268435456);
  EXPECT_EQ(r.At(guaranteed, "container_spec_cpu_shares"), 998);  // weight 39
  EXPECT_GT(r.At(besteffort, "container_network_receive_bytes_total{interface=\"eth0\"}"), 0);
  // The pod's slice is a raw cgroup, reported without a name.
  EXPECT_EQ(r.LabelOf("/kubepods.slice/kubepods-pod9e8d7c6b_5a4f_4e3d_2c1b_0a9f8e7d6c5b.slice", "name"), "");
  EXPECT_EQ(r.LabelOf(std::string("/kubepods.slice/kubepods-pod9e8d7c6b_5a4f_4e3d_2c1b_0a9f8e7d6c5b.slice/") +
                          "crio-conmon-" + kCrioId + ".scope",
                      "name"),
            "");
}

// ---------------------------------------------------------------- v1

TEST(ContainerCollectorV1Test, JoinsThePerControllerHierarchiesByPath) {
  Result r = Collect(Fixture("v1_cgroupfs_docker"));
  CISTERN_EXPECT_OK(r.status);
  EXPECT_THAT(r.Ids(), ElementsAre("/", "/docker", kDockerV1, std::string("/docker/") + kDockerId2,
                                   "/libpod_parent", std::string("/libpod_parent/libpod-") + kPodmanId,
                                   "/system.slice", "/system.slice/sshd.service"));
  // One cgroup, read from cpu,cpuacct + memory + blkio + pids.
  auto s = r.Of(kDockerV1);
  EXPECT_EQ(s.count("container_cpu_usage_seconds_total{cpu=\"total\"}"), 1u);
  EXPECT_EQ(s.count("container_memory_usage_bytes"), 1u);
  EXPECT_EQ(s.count("container_fs_reads_bytes_total{device=\"/dev/sda\"}"), 1u);
  EXPECT_EQ(s.count("container_threads"), 1u);
}

TEST(ContainerCollectorV1Test, CpuFromCpuacctAndCfsFromCpu) {
  Result r = Collect(Fixture("v1_cgroupfs_docker"));
  EXPECT_DOUBLE_EQ(r.At(kDockerV1, "container_cpu_usage_seconds_total{cpu=\"total\"}"), 7.5);
  EXPECT_DOUBLE_EQ(r.At(kDockerV1, "container_cpu_user_seconds_total"), 5.0);    // 500 ticks of USER_HZ 100
  EXPECT_DOUBLE_EQ(r.At(kDockerV1, "container_cpu_system_seconds_total"), 2.0);  // 200 ticks
  EXPECT_EQ(r.At(kDockerV1, "container_cpu_cfs_periods_total"), 7000);
  EXPECT_EQ(r.At(kDockerV1, "container_cpu_cfs_throttled_periods_total"), 300);
  EXPECT_DOUBLE_EQ(r.At(kDockerV1, "container_cpu_cfs_throttled_seconds_total"), 9.0);  // throttled_time ns
  EXPECT_EQ(r.At(kDockerV1, "container_spec_cpu_quota"), 150000);
  EXPECT_EQ(r.At(kDockerV1, "container_spec_cpu_period"), 100000);
  EXPECT_EQ(r.At(kDockerV1, "container_spec_cpu_shares"), 512);
}

TEST(ContainerCollectorV1Test, QuotaOfMinusOneMeansNoQuota) {
  Result r = Collect(Fixture("v1_cgroupfs_docker"));
  EXPECT_FALSE(r.Has("/", "container_spec_cpu_quota"));
  EXPECT_FALSE(r.Has("/", "container_cpu_cfs_periods_total"));
  EXPECT_EQ(r.At("/", "container_spec_cpu_shares"), 1024);
}

TEST(ContainerCollectorV1Test, MemoryUsesTheHierarchicalTotals) {
  Result r = Collect(Fixture("v1_cgroupfs_docker"));
  EXPECT_EQ(r.At(kDockerV1, "container_memory_usage_bytes"), 209715200);
  EXPECT_EQ(r.At(kDockerV1, "container_memory_max_usage_bytes"), 314572800);
  EXPECT_EQ(r.At(kDockerV1, "container_memory_failcnt"), 2);
  // usage - total_inactive_file
  EXPECT_EQ(r.At(kDockerV1, "container_memory_working_set_bytes"), 209715200 - (41943040 + 4096));
  EXPECT_EQ(r.At(kDockerV1, "container_memory_rss"), 150994944 + 4096);
  EXPECT_EQ(r.At(kDockerV1, "container_memory_cache"), 52428800 + 4096);
  EXPECT_EQ(r.At(kDockerV1, "container_memory_swap"), 1048576 + 4096);
  EXPECT_EQ(r.At(kDockerV1, "container_memory_failures_total{failure_type=\"pgfault\", scope=\"container\"}"),
            222222);
  EXPECT_EQ(r.At(kDockerV1, "container_spec_memory_limit_bytes"), 536870912);
  EXPECT_EQ(r.At(kDockerV1, "container_spec_memory_swap_limit_bytes"), 1073741824);
  EXPECT_EQ(r.At(kDockerV1, "container_spec_memory_reservation_limit_bytes"), 268435456);
  // 9223372036854771712, the v1 "unlimited": 0.
  EXPECT_EQ(r.At("/", "container_spec_memory_limit_bytes"), 0);
  EXPECT_EQ(r.At("/", "container_spec_memory_reservation_limit_bytes"), 0);
}

TEST(ContainerCollectorV1Test, BlkioThrottleCountersPerDeviceAndOperation) {
  Result r = Collect(Fixture("v1_cgroupfs_docker"));
  for (const char* op : {"Read", "Write", "Sync", "Async", "Discard", "Total"}) {
    EXPECT_TRUE(
        r.Has(kDockerV1, std::string("container_blkio_device_usage_total{device=\"/dev/sda\", major=\"8\", "
                                     "minor=\"0\", operation=\"") +
                             op + "\"}"))
        << op;
  }
  EXPECT_EQ(r.At(kDockerV1, "container_fs_reads_bytes_total{device=\"/dev/sda\"}"), 2097152);
  EXPECT_EQ(r.At(kDockerV1, "container_fs_writes_bytes_total{device=\"/dev/sda\"}"), 8192);
  EXPECT_EQ(r.At(kDockerV1, "container_fs_reads_total{device=\"/dev/sda\"}"), 64);
  EXPECT_EQ(r.At(kDockerV1, "container_fs_writes_total{device=\"/dev/sda\"}"), 2);
  EXPECT_EQ(r.At("/", "container_fs_writes_bytes_total{device=\"/dev/sda\"}"), 4000000000.0);
}

TEST(ContainerCollectorV1Test, CgroupInSomeHierarchiesOnlyReportsWhatThoseHave) {
  Result r = Collect(Fixture("v1_cgroupfs_docker"));
  std::string other = std::string("/docker/") + kDockerId2;  // cpu,cpuacct and memory only
  auto s = r.Of(other);
  EXPECT_EQ(s.count("container_memory_usage_bytes"), 1u);
  EXPECT_EQ(s.count("container_threads"), 0u);
  for (const auto& [series, v] : s) EXPECT_EQ(series.find("container_fs_"), std::string::npos) << series;
  CISTERN_EXPECT_OK(r.status);
}

TEST(ContainerCollectorV1Test, RootHasNoPidsSeriesAndHostNetwork) {
  Result r = Collect(Fixture("v1_cgroupfs_docker"));
  EXPECT_FALSE(r.Has("/", "container_threads"));
  EXPECT_EQ(r.At("/", "container_processes"), 2);
  EXPECT_EQ(r.At("/", "container_network_transmit_bytes_total{interface=\"eth0\"}"), 123456789);
  EXPECT_DOUBLE_EQ(r.At("/", "container_cpu_usage_seconds_total{cpu=\"total\"}"), 98.7654321);
}

TEST(ContainerCollectorV1Test, PerCpuUsageOnRequestLeavesOutIdleCpus) {
  ContainerConfig c = Fixture("v1_cgroupfs_docker");
  c.per_cpu = true;
  Result r = Collect(c);
  EXPECT_DOUBLE_EQ(r.At(kDockerV1, "container_cpu_usage_seconds_total{cpu=\"cpu00\"}"), 4.0);
  EXPECT_DOUBLE_EQ(r.At(kDockerV1, "container_cpu_usage_seconds_total{cpu=\"cpu01\"}"), 3.5);
  EXPECT_FALSE(r.Has(kDockerV1, "container_cpu_usage_seconds_total{cpu=\"cpu02\"}"));
  EXPECT_FALSE(r.Has(kDockerV1, "container_cpu_usage_seconds_total{cpu=\"total\"}"));
}

TEST(ContainerCollectorV1Test, PodmanCgroupfsAndKubepodsNaming) {
  Result r = Collect(Fixture("v1_cgroupfs_docker"));
  EXPECT_EQ(r.LabelOf(std::string("/libpod_parent/libpod-") + kPodmanId, "name"), kPodmanId);
  EXPECT_EQ(r.LabelOf("/system.slice/sshd.service", "name"), "");
  Result k = Collect(Fixture("v1_kubepods_cgroupfs"));
  CISTERN_EXPECT_OK(k.status);
  EXPECT_EQ(k.LabelOf(std::string("/kubepods/burstable/pod") + kPodBurstable + "/" + kDockerId, "name"),
            kDockerId);
  EXPECT_EQ(k.LabelOf(std::string("/kubepods/besteffort/pod") + kPodBesteffort + "/crio-" + kCrioId, "name"),
            kCrioId);
  EXPECT_EQ(k.LabelOf(std::string("/kubepods/pod") + kPodGuaranteed + "/" + kContainerdId, "name"),
            kContainerdId);
  EXPECT_EQ(k.LabelOf(std::string("/kubepods/pod") + kPodGuaranteed, "name"), "");
  EXPECT_EQ(k.At(std::string("/kubepods/burstable/pod") + kPodBurstable + "/" + kDockerId,
                 "container_spec_cpu_quota"),
            20000);
}

// ---------------------------------------------------------------- selection

TEST(ContainerCollectorSelectionTest, ContainersOnlyKeepsTheRootAndContainers) {
  ContainerConfig c = Fixture("v2_systemd_docker");
  c.containers_only = true;
  Result r = Collect(c);
  EXPECT_THAT(r.Ids(),
              ElementsAre("/", std::string("/machine.slice/libpod-") + kPodmanId + ".scope", kDockerScope));
}

TEST(ContainerCollectorSelectionTest, ExcludeDropsMatchingCgroups) {
  ContainerConfig c = Fixture("v2_systemd_docker");
  c.exclude = "^/(user|machine)\\.slice|\\.service$";
  Result r = Collect(c);
  EXPECT_THAT(r.Ids(), ElementsAre("/", "/init.scope", "/system.slice", kDockerScope));
}

TEST(ContainerCollectorSelectionTest, BadExcludePatternIsRejected) {
  ContainerConfig c = Fixture("v2_systemd_docker");
  c.exclude = "(";
  EXPECT_THAT(ContainerCollector::Create(c), StatusIs(StatusCode::kInvalidArgument, HasSubstr("exclude")));
}

TEST(ContainerCollectorSelectionTest, MaxDepthStopsTheWalk) {
  ContainerConfig c = Fixture("v2_systemd_docker");
  c.max_depth = 1;
  Result r = Collect(c);
  EXPECT_THAT(r.Ids(), ElementsAre("/", "/init.scope", "/machine.slice", "/system.slice", "/user.slice"));
}

TEST(ContainerCollectorSelectionTest, NoCgroupHierarchyIsAnError) {
  cistern::testing::TempDir dir;
  ContainerConfig c = Fixture("v2_systemd_docker");
  c.cgroupfs = dir.path();
  Result r = Collect(c);
  EXPECT_THAT(r.status, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("cgroupfs " + dir.path())));
  EXPECT_TRUE(r.samples.empty());
}

// ---------------------------------------------------------------- Docker enrichment

constexpr char kComposeJson[] = R"({"Name":"/shop-web-1","State":{"Pid":4242},
  "Config":{"Image":"nginx:1.25","Labels":{"com.docker.compose.project":"shop","com.docker.compose.service":"web",
  "com.docker.compose.version":"2.24.6"}}})";

TEST(ContainerCollectorDockerTest, EngineNamesContainersAndAddsImageAndComposeLabels) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.AddContainer(kDockerId, kComposeJson);
  ContainerConfig c = Fixture("v2_systemd_docker");
  c.docker_socket = engine.socket_path();
  auto collector = ContainerCollector::Create(c);
  CISTERN_ASSERT_OK(collector);
  Result r = Collect(**collector);
  CISTERN_EXPECT_OK(r.status);
  EXPECT_EQ(r.LabelOf(kDockerScope, "name"), "shop-web-1");
  EXPECT_EQ(r.LabelOf(kDockerScope, "image"), "nginx:1.25");
  EXPECT_EQ(r.LabelOf(kDockerScope, "container_label_com_docker_compose_service"), "web");
  EXPECT_EQ(r.LabelOf(kDockerScope, "container_label_com_docker_compose_project"), "shop");
  EXPECT_EQ(r.LabelOf(kDockerScope, "container_label_com_docker_compose_version"), "");  // not asked for
  // Podman's container was asked about too (404 here): named by its id.
  EXPECT_EQ(r.LabelOf(std::string("/machine.slice/libpod-") + kPodmanId + ".scope", "name"), kPodmanId);
  EXPECT_EQ(engine.requests(), 2);
}

TEST(ContainerCollectorDockerTest, EachContainerIsLookedUpOnce) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.AddContainer(kDockerId, kComposeJson);
  ContainerConfig c = Fixture("v2_systemd_docker");
  c.docker_socket = engine.socket_path();
  auto collector = ContainerCollector::Create(c);
  CISTERN_ASSERT_OK(collector);
  for (int i = 0; i < 3; ++i) {
    Result r = Collect(**collector, 1700000000000 + i * 15000);
    EXPECT_EQ(r.LabelOf(kDockerScope, "name"), "shop-web-1");
  }
  EXPECT_EQ(engine.requests(), 2);  // the docker container and the podman one, once each
}

TEST(ContainerCollectorDockerTest, MissingSocketIsNormal) {
  cistern::testing::TempDir dir;
  ContainerConfig c = Fixture("v2_systemd_docker");
  c.docker_socket = dir.Join("docker.sock");
  Result r = Collect(c);
  CISTERN_EXPECT_OK(r.status);
  EXPECT_EQ(r.LabelOf(kDockerScope, "name"), kDockerId);
}

TEST(ContainerCollectorDockerTest, KubeletLabelsOfADockershimContainerBecomePodNamespaceContainer) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  engine.AddContainer(kDockerId, R"({"Name":"/k8s_app_web-0_shop_0d3b6b4e-1c2a-4f5e-9a8b-7c6d5e4f3a2b_0",
    "Config":{"Image":"example.com/web:1.2","Labels":{"io.kubernetes.pod.name":"web-0",
    "io.kubernetes.pod.namespace":"shop","io.kubernetes.container.name":"app"}}})");
  ContainerConfig c = Fixture("v1_kubepods_cgroupfs");
  c.docker_socket = engine.socket_path();
  Result r = Collect(c);
  std::string id = std::string("/kubepods/burstable/pod") + kPodBurstable + "/" + kDockerId;
  EXPECT_EQ(r.LabelOf(id, "name"), "k8s_app_web-0_shop_0d3b6b4e-1c2a-4f5e-9a8b-7c6d5e4f3a2b_0");
  EXPECT_EQ(r.LabelOf(id, "pod"), "web-0");
  EXPECT_EQ(r.LabelOf(id, "namespace"), "shop");
  EXPECT_EQ(r.LabelOf(id, "container"), "app");
  EXPECT_EQ(r.LabelOf(id, "image"), "example.com/web:1.2");
  // The cri-o container is not the Docker API's: not asked. The cgroupfs
  // one under the guaranteed pod may be anyone's: asked (404).
  EXPECT_EQ(engine.requests(), 2);
}

TEST(ContainerCollectorDockerTest, ContainerdAndCrioContainersAreNotAskedAbout) {
  cistern::testing::TempDir dir;
  FakeDockerEngine engine(dir.Join("docker.sock"));
  ContainerConfig c = Fixture("v2_kubepods_containerd");
  c.docker_socket = engine.socket_path();
  Result r = Collect(c);
  CISTERN_EXPECT_OK(r.status);
  EXPECT_EQ(engine.requests(), 0);
}

// ---------------------------------------------------------------- broken files

TEST(ContainerCollectorErrorsTest, MalformedMemoryStatOmitsItsSeriesOnly) {
  cistern::testing::TempDir dir;
  ContainerConfig c = CopyFixture("v2_systemd_docker", dir.Join("t"));
  std::string file = c.cgroupfs + kDockerScope + "/memory.stat";
  Overwrite(file, "anon 73400320\nfile thirty\n");
  Result r = Collect(c);
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInvalidArgument,
                                 HasSubstr(file + ": line 2: expected \"key value\", got \"file thirty\"")));
  auto s = r.Of(kDockerScope);
  for (const char* gone :
       {"container_memory_rss", "container_memory_cache", "container_memory_working_set_bytes",
        "container_memory_mapped_file", "container_memory_total_inactive_file_bytes"}) {
    EXPECT_EQ(s.count(gone), 0u) << gone;
  }
  EXPECT_EQ(s.at("container_memory_usage_bytes"), 104857600);  // memory.current is fine
  EXPECT_EQ(s.at("container_spec_memory_limit_bytes"), 536870912);
  EXPECT_DOUBLE_EQ(s.at("container_cpu_usage_seconds_total{cpu=\"total\"}"), 123.456789);
  EXPECT_EQ(s.count("container_network_receive_bytes_total{interface=\"eth0\"}"), 1u);
  // Every other cgroup is complete.
  EXPECT_EQ(r.At("/system.slice/nginx.service", "container_memory_working_set_bytes"), 10485760 - 1048576);
}

TEST(ContainerCollectorErrorsTest, MissingCpuStatOmitsCpuAndNamesTheFile) {
  cistern::testing::TempDir dir;
  ContainerConfig c = CopyFixture("v2_systemd_docker", dir.Join("t"));
  std::string file = c.cgroupfs + kDockerScope + "/cpu.stat";
  std::filesystem::remove(file);
  Result r = Collect(c);
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound, HasSubstr("read " + file)));
  auto s = r.Of(kDockerScope);
  EXPECT_EQ(s.count("container_cpu_usage_seconds_total{cpu=\"total\"}"), 0u);
  EXPECT_EQ(s.count("container_cpu_cfs_periods_total"), 0u);
  EXPECT_EQ(s.at("container_spec_cpu_quota"), 50000);  // cpu.max is fine
  EXPECT_EQ(s.at("container_memory_usage_bytes"), 104857600);
}

TEST(ContainerCollectorErrorsTest, MalformedCpuMaxOmitsQuotaAndPeriod) {
  cistern::testing::TempDir dir;
  ContainerConfig c = CopyFixture("v2_systemd_docker", dir.Join("t"));
  Overwrite(c.cgroupfs + kDockerScope + "/cpu.max", "fifty thousand\n");
  Result r = Collect(c);
  EXPECT_THAT(r.status,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(kDockerScope + "/cpu.max: expected")));
  auto s = r.Of(kDockerScope);
  EXPECT_EQ(s.count("container_spec_cpu_quota"), 0u);
  EXPECT_EQ(s.count("container_spec_cpu_period"), 0u);
  EXPECT_EQ(s.at("container_spec_cpu_shares"), 2597);
}

TEST(ContainerCollectorErrorsTest, MalformedNetDevOmitsNetworkOnly) {
  cistern::testing::TempDir dir;
  ContainerConfig c = CopyFixture("v2_systemd_docker", dir.Join("t"));
  std::string file = c.procfs + "/4242/net/dev";
  Overwrite(file, "Inter-|\n face |\n  eth0: 1 2 3\n");
  Result r = Collect(c);
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInvalidArgument, HasSubstr(file + ": line 3")));
  auto s = r.Of(kDockerScope);
  for (const auto& [series, v] : s) EXPECT_EQ(series.find("container_network_"), std::string::npos) << series;
  EXPECT_EQ(s.at("container_memory_usage_bytes"), 104857600);
}

TEST(ContainerCollectorErrorsTest, SeveralBrokenFilesAreCountedInOneStatus) {
  cistern::testing::TempDir dir;
  ContainerConfig c = CopyFixture("v1_cgroupfs_docker", dir.Join("t"));
  Overwrite(c.cgroupfs + "/cpu,cpuacct" + kDockerV1 + "/cpuacct.usage", "lots\n");
  Overwrite(c.cgroupfs + "/memory" + kDockerV1 + "/memory.failcnt", "-3\n");
  Result r = Collect(c);
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInvalidArgument,
                                 HasSubstr("/cpuacct" + kDockerV1 +
                                           "/cpuacct.usage: expected an unsigned integer, "
                                           "got \"lots\" (and 1 more errors)")));
  auto s = r.Of(kDockerV1);
  EXPECT_EQ(s.count("container_cpu_usage_seconds_total{cpu=\"total\"}"), 0u);
  EXPECT_EQ(s.count("container_memory_failcnt"), 0u);
  EXPECT_DOUBLE_EQ(s.at("container_cpu_user_seconds_total"), 5.0);  // cpuacct.stat is fine
  EXPECT_EQ(s.at("container_memory_usage_bytes"), 209715200);
}

TEST(ContainerCollectorErrorsTest, OptionalKernelFilesMayBeAbsent) {
  cistern::testing::TempDir dir;
  ContainerConfig c = CopyFixture("v2_systemd_docker", dir.Join("t"));
  for (const char* f : {"memory.peak", "memory.swap.current", "memory.swap.max"}) {
    std::filesystem::remove(c.cgroupfs + kDockerScope + "/" + f);
  }
  Result r = Collect(c);
  CISTERN_EXPECT_OK(r.status);
  auto s = r.Of(kDockerScope);
  EXPECT_EQ(s.count("container_memory_max_usage_bytes"), 0u);
  EXPECT_EQ(s.count("container_memory_swap"), 0u);
  EXPECT_EQ(s.at("container_spec_memory_swap_limit_bytes"), 0);
}

TEST(ContainerCollectorErrorsTest, CgroupThatDisappearsWhileReadIsNotAnError) {
  cistern::testing::TempDir dir;
  ContainerConfig c = CopyFixture("v2_systemd_docker", dir.Join("t"));
  auto layout = DetectLayout(c.cgroupfs);
  CISTERN_ASSERT_OK(layout);
  std::vector<CgroupDir> dirs;
  CISTERN_ASSERT_OK(ListCgroups(*layout, 0, &dirs));
  std::filesystem::remove_all(c.cgroupfs + kDockerScope);  // the container stopped after the walk
  CgroupReader reader(*layout, c.procfs, false);
  ErrorList errors;
  for (const CgroupDir& d : dirs) {
    CgroupSample s = reader.Read(d, &errors);
    EXPECT_EQ(s.gone, d.path == kDockerScope) << d.path;
  }
  EXPECT_EQ(errors.count(), 0);
  CISTERN_EXPECT_OK(errors.Summary());
}

TEST(ContainerCollectorErrorsTest, ContainerStoppedBeforeTheWalkIsSimplyAbsent) {
  cistern::testing::TempDir dir;
  ContainerConfig c = CopyFixture("v1_cgroupfs_docker", dir.Join("t"));
  for (const char* h : {"cpu,cpuacct", "memory", "blkio", "pids"}) {
    std::filesystem::remove_all(c.cgroupfs + "/" + h + kDockerV1);
  }
  Result r = Collect(c);
  CISTERN_EXPECT_OK(r.status);
  EXPECT_THAT(r.Ids(), Not(Contains(kDockerV1)));
}

}  // namespace
}  // namespace cistern::plugins::container
