#include "plugins/host/filesystem.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/vfs.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "plugins/host/mounts.h"
#include "plugins/host/statfs_runner.h"
#include "tests/plugins/host/host_testing.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

std::string Series(std::string_view metric, std::string_view device, std::string_view fstype,
                   std::string_view mountpoint) {
  return std::string(metric) + "{device=\"" + std::string(device) + "\", fstype=\"" + std::string(fstype) +
         "\", mountpoint=\"" + std::string(mountpoint) + "\"}";
}

std::set<std::string> MountPoints(const testing::Result& r) {
  std::set<std::string> out;
  for (const auto& [k, v] : r.samples) {
    if (k.rfind("node_filesystem_device_error{", 0) != 0) continue;
    size_t at = k.find("mountpoint=\"");
    out.insert(k.substr(at + 12, k.size() - at - 12 - 2));
  }
  return out;
}

// --- ParseMounts ---

TEST(ParseMountsTest, FieldsAndOctalEscapesOfTheMountPoint) {
  MountTable t = ParseMounts(
      "/dev/vda / ext4 rw,relatime 0 0\n"
      "tmpfs /a\\040b\\011c\\134d tmpfs ro,nosuid 0 0\n"
      "//srv/share\\040x /mnt cifs rw 0 0\n");
  CISTERN_ASSERT_OK(t.error);
  ASSERT_EQ(t.mounts.size(), 3u);
  EXPECT_EQ(t.mounts[0].device, "/dev/vda");
  EXPECT_EQ(t.mounts[0].mount_point, "/");
  EXPECT_EQ(t.mounts[0].fs_type, "ext4");
  EXPECT_EQ(t.mounts[0].options, "rw,relatime");
  EXPECT_EQ(t.mounts[1].mount_point, "/a b\tc\\d");
  EXPECT_EQ(t.mounts[2].device, "//srv/share\\040x");  // node_exporter leaves the device as printed
}

TEST(ParseMountsTest, ReadOnlyIsTheRoOptionNotASubstring) {
  EXPECT_TRUE((MountEntry{"d", "/", "ext4", "ro,relatime"}.ReadOnly()));
  EXPECT_TRUE((MountEntry{"d", "/", "ext4", "nosuid,ro"}.ReadOnly()));
  EXPECT_FALSE((MountEntry{"d", "/", "ext4", "rw,errors=remount-ro"}.ReadOnly()));
  EXPECT_FALSE((MountEntry{"d", "/", "ext4", "rw,rootcontext=x"}.ReadOnly()));
}

TEST(ParseMountsTest, ShortLineIsReportedAndTheOthersKept) {
  MountTable t = ParseMounts("/dev/vda / ext4 rw 0 0\n/dev/vdb /data\n/dev/vdc /srv xfs rw 0 0");
  EXPECT_THAT(t.error, StatusIs(StatusCode::kDataLoss, HasSubstr("line 2")));
  ASSERT_EQ(t.mounts.size(), 2u);
  EXPECT_EQ(t.mounts[1].mount_point, "/srv");
}

TEST(StripRootfsTest, MountPointsAreReportedWithoutTheRootfsPrefix) {
  EXPECT_EQ(StripRootfs("/", "/home"), "/home");
  EXPECT_EQ(StripRootfs("/host", "/host/home"), "/home");
  EXPECT_EQ(StripRootfs("/host/", "/host/home"), "/home");
  EXPECT_EQ(StripRootfs("/host", "/host"), "/");
  EXPECT_EQ(StripRootfs("/host", "/hostname"), "/hostname");  // not under /host
  EXPECT_EQ(StripRootfs("/host", "/proc"), "/proc");
}

// --- the collector over fixtures ---

// Runs `c` once, recording every sample (duplicates included).
struct Collected {
  Status status;
  std::vector<cistern::testing::RecordedSample> samples;
  std::map<std::string, double> series;  // Labels::ToString -> value
  size_t Count(const std::string& series_key) const {
    size_t n = 0;
    for (const auto& s : samples) n += s.labels.ToString() == series_key;
    return n;
  }
};

Collected CollectOnce(Collector& c) {
  cistern::testing::RecordingAppendable store;
  auto app = store.NewAppender();
  Emitter out(app.get(), 1000);
  Collected r;
  r.status = c.Collect(out);
  EXPECT_TRUE(app->Commit().ok());
  r.samples = store.samples();
  for (const auto& s : r.samples) r.series[s.labels.ToString()] = s.value;
  return r;
}

struct statfs StatfsOf(const std::string& path) {
  struct statfs st {};
  EXPECT_EQ(::statfs(path.c_str(), &st), 0) << path;
  return st;
}

TEST(FilesystemTest, NodeExporterDefaultExclusionsKeepOnlyRealFilesystems) {
  testing::Result r = testing::Run(DeviceCollectors(), "filesystem", testing::Fixture("device_filesystem"));
  CISTERN_EXPECT_OK(r.status);
  // Excluded: /proc /sys /dev /dev/shm (mount point and type), /run/credentials/...,
  // /var/lib/docker/... and /var/lib/containers/storage/... (mount point),
  // cgroup2, iso9660, squashfs (type). /run itself is kept by the upstream default.
  EXPECT_EQ(MountPoints(r), (std::set<std::string>{"/", "/data", "/gone", "/run", "/srv/ro", "/with space"}));
}

TEST(FilesystemTest, StatfsValuesUnderRootfsWithBlockSizeUnits) {
  HostConfig config = testing::Fixture("device_filesystem");
  testing::Result r = testing::Run(DeviceCollectors(), "filesystem", config);
  struct statfs st = StatfsOf(config.root + "/data");
  const double bsize = static_cast<double>(st.f_bsize);
  EXPECT_EQ(r.At(Series("node_filesystem_size_bytes", "/dev/vdb1", "ext4", "/data")),
            static_cast<double>(st.f_blocks) * bsize);
  EXPECT_EQ(r.At(Series("node_filesystem_files", "/dev/vdb1", "ext4", "/data")),
            static_cast<double>(st.f_files));
  EXPECT_GE(r.At(Series("node_filesystem_size_bytes", "/dev/vdb1", "ext4", "/data")),
            r.At(Series("node_filesystem_free_bytes", "/dev/vdb1", "ext4", "/data")));
  EXPECT_GE(r.At(Series("node_filesystem_free_bytes", "/dev/vdb1", "ext4", "/data")),
            r.At(Series("node_filesystem_avail_bytes", "/dev/vdb1", "ext4", "/data")));
  EXPECT_GE(r.At(Series("node_filesystem_files", "/dev/vdb1", "ext4", "/data")),
            r.At(Series("node_filesystem_files_free", "/dev/vdb1", "ext4", "/data")));
  EXPECT_EQ(r.At(Series("node_filesystem_device_error", "/dev/vdb1", "ext4", "/data")), 0);
  EXPECT_EQ(r.At(Series("node_filesystem_readonly", "/dev/vdb1", "ext4", "/data")), 0);
  EXPECT_EQ(r.At(Series("node_filesystem_readonly", "/dev/vdc1", "xfs", "/srv/ro")), 1);
  EXPECT_TRUE(r.Has(Series("node_filesystem_avail_bytes", "tmpfs", "tmpfs", "/with space")));
}

TEST(FilesystemTest, FailedStatfsGivesDeviceErrorOnlyAndIsNotACollectorError) {
  testing::Result r = testing::Run(DeviceCollectors(), "filesystem", testing::Fixture("device_filesystem"));
  CISTERN_EXPECT_OK(r.status);
  EXPECT_EQ(r.At(Series("node_filesystem_device_error", "/dev/vdd1", "ext4", "/gone")), 1);
  EXPECT_FALSE(r.Has(Series("node_filesystem_size_bytes", "/dev/vdd1", "ext4", "/gone")));
  EXPECT_FALSE(r.Has(Series("node_filesystem_readonly", "/dev/vdd1", "ext4", "/gone")));
}

TEST(FilesystemTest, RepeatedMountIsReportedAndStatfsedOnce) {
  HostConfig config = testing::Fixture("device_filesystem");
  std::map<std::string, int> calls;
  std::mutex mu;
  auto collector =
      NewFilesystemCollector(config, std::chrono::seconds(5), [&](const std::string& p, struct statfs* st) {
        std::lock_guard lock(mu);
        ++calls[p];
        return StatfsRunner::SystemStatfs(p, st);
      });
  Collected c = CollectOnce(*collector);
  CISTERN_EXPECT_OK(c.status);
  EXPECT_EQ(c.Count(Series("node_filesystem_size_bytes", "/dev/vdb1", "ext4", "/data")), 1u);
  EXPECT_EQ(calls[config.root + "/data"], 1);
}

TEST(FilesystemTest, CustomExclusionsReplaceTheDefaults) {
  HostConfig config = testing::Fixture("device_filesystem");
  config.mount_points_exclude = "^/(data|run|gone)$";
  config.fs_types_exclude = "^tmpfs$";
  testing::Result r = testing::Run(DeviceCollectors(), "filesystem", config);
  EXPECT_EQ(MountPoints(r),
            (std::set<std::string>{"/", "/data/cdrom", "/data/cgroup", "/data/snap", "/dev", "/proc",
                                   "/srv/ro", "/sys", "/var/lib/docker/overlay2/3f2a/merged"}));
}

TEST(FilesystemTest, InvalidExclusionPatternIsAnErrorNamingTheOption) {
  HostConfig config = testing::Fixture("device_filesystem");
  config.fs_types_exclude = "^(tmpfs";
  testing::Result r = testing::Run(DeviceCollectors(), "filesystem", config);
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInvalidArgument, HasSubstr("fs_types_exclude")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(FilesystemTest, FallsBackToProcMountsWhenPidOneIsHidden) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "filesystem", testing::Fixture("device_filesystem_hidepid"));
  CISTERN_EXPECT_OK(r.status);
  EXPECT_EQ(r.At(Series("node_filesystem_device_error", "/dev/vda", "ext4", "/")), 0);
}

TEST(FilesystemTest, MissingMountTableIsNotFound) {
  testing::Result r = testing::Run(DeviceCollectors(), "filesystem", testing::Fixture("device_none"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound, HasSubstr("device_none/proc/mounts")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(FilesystemTest, MalformedLineIsAnErrorNamingTheFileAndTheOtherMountsAreKept) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "filesystem", testing::Fixture("device_filesystem_malformed"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kDataLoss, HasSubstr("proc/1/mounts: line 2")));
  EXPECT_EQ(MountPoints(r), (std::set<std::string>{"/", "/data"}));
}

TEST(FilesystemTest, MountPointsUnderRootfsAreReportedWithoutItsPrefix) {
  cistern::testing::TempDir tmp;
  const std::string root = tmp.Join("host");
  tmp.WriteFile("host/home/.keep", "");
  tmp.WriteFile("proc/1/mounts", "/dev/vda " + root + " ext4 rw 0 0\n/dev/vdb " + root +
                                     "/home ext4 rw 0 0\nproc " + root + "/proc proc rw 0 0\n");
  HostConfig config;
  config.proc = tmp.Join("proc");
  config.root = root;
  testing::Result r = testing::Run(DeviceCollectors(), "filesystem", config);
  CISTERN_EXPECT_OK(r.status);
  EXPECT_EQ(MountPoints(r), (std::set<std::string>{"/", "/home"}));
  EXPECT_EQ(
      r.At(Series("node_filesystem_size_bytes", "/dev/vdb", "ext4", "/home")),
      static_cast<double>(StatfsOf(root + "/home").f_blocks) * static_cast<double>(StatfsOf(root).f_bsize));
}

// --- a statfs that hangs ---

// A statfs that blocks on `path` until Release().
class HangingStatfs {
 public:
  explicit HangingStatfs(std::string path) : path_(std::move(path)) {}
  StatfsRunner::StatFunction Function() {
    return [this](const std::string& p, struct statfs* st) {
      ++calls_[p == path_];
      if (p == path_) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return released_; });
      }
      return StatfsRunner::SystemStatfs(p == path_ ? "/" : p, st);
    };
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int hanging_calls() const { return calls_[1].load(); }

 private:
  const std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::atomic<int> calls_[2] = {0, 0};
};

// Polls `done` for up to 30 s (the helper thread answers when it is scheduled).
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 3000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(StatfsRunnerTest, HungStatfsTimesOutAndIsSkippedUntilItAnswers) {
  HangingStatfs fs("/nfs");
  StatfsRunner runner(std::chrono::milliseconds(50), fs.Function());
  EXPECT_EQ(runner.Stat("/nfs").outcome, StatfsRunner::Outcome::kTimedOut);
  EXPECT_TRUE(runner.IsStuck("/nfs"));
  // Stuck: answered at once, without another call into the hung mount.
  EXPECT_EQ(runner.Stat("/nfs").outcome, StatfsRunner::Outcome::kStuck);
  EXPECT_EQ(fs.hanging_calls(), 1);
  // Other mount points keep working (on a fresh helper thread).
  EXPECT_EQ(runner.Stat("/").outcome, StatfsRunner::Outcome::kOk);
  fs.Release();
  EXPECT_TRUE(Eventually([&] { return !runner.IsStuck("/nfs"); }));
  EXPECT_EQ(runner.Stat("/nfs").outcome, StatfsRunner::Outcome::kOk);
  EXPECT_EQ(fs.hanging_calls(), 2);
}

TEST(StatfsRunnerTest, ErrnoOfAFailedStatfsIsReturned) {
  StatfsRunner runner(std::chrono::seconds(5));
  StatfsRunner::Result r = runner.Stat("/nonexistent/cistern/mount");
  EXPECT_EQ(r.outcome, StatfsRunner::Outcome::kFailed);
  EXPECT_EQ(r.error, ENOENT);
}

TEST(FilesystemTest, HungMountIsReportedAsDeviceErrorAndTheOthersStillCollected) {
  HostConfig config = testing::Fixture("device_filesystem");
  HangingStatfs fs(config.root + "/data");
  auto collector = NewFilesystemCollector(config, std::chrono::milliseconds(50), fs.Function());
  for (int round = 0; round < 2; ++round) {
    Collected c = CollectOnce(*collector);
    CISTERN_EXPECT_OK(c.status);
    EXPECT_EQ(c.series[Series("node_filesystem_device_error", "/dev/vdb1", "ext4", "/data")], 1) << round;
    EXPECT_EQ(c.series.count(Series("node_filesystem_size_bytes", "/dev/vdb1", "ext4", "/data")), 0u)
        << round;
    EXPECT_EQ(c.series[Series("node_filesystem_device_error", "/dev/vda", "ext4", "/")], 0) << round;
    EXPECT_EQ(c.series.count(Series("node_filesystem_size_bytes", "/dev/vda", "ext4", "/")), 1u) << round;
  }
  EXPECT_EQ(fs.hanging_calls(), 1);  // the second collection did not touch it
  fs.Release();
  EXPECT_TRUE(Eventually([&] {
    return CollectOnce(*collector)
               .series[Series("node_filesystem_device_error", "/dev/vdb1", "ext4", "/data")] == 0;
  }));
}

// --- the live host ---

TEST(FilesystemLiveTest, RootFilesystemIsReportedWithPlausibleSizes) {
  testing::Result r = testing::Run(DeviceCollectors(), "filesystem", HostConfig{});
  CISTERN_EXPECT_OK(r.status);
  std::string size_key;
  for (const auto& [k, v] : r.samples) {
    if (k.rfind("node_filesystem_size_bytes{", 0) == 0 && k.ends_with("mountpoint=\"/\"}")) size_key = k;
  }
  if (size_key.empty()) {
    MountTable t = ParseMounts(*ReadProcFile("/proc/1/mounts"));
    for (const MountEntry& m : t.mounts) {
      if (m.mount_point == "/" && (m.fs_type == "overlay" || m.fs_type == "squashfs")) {
        GTEST_SKIP() << "/ is " << m.fs_type << ", which node_exporter excludes";
      }
    }
    FAIL() << "no node_filesystem_size_bytes for mountpoint=\"/\"";
  }
  std::string labels = size_key.substr(std::string("node_filesystem_size_bytes").size());
  EXPECT_GT(r.At(size_key), 0);
  EXPECT_GE(r.At(size_key), r.At("node_filesystem_free_bytes" + labels));
  EXPECT_GE(r.At("node_filesystem_free_bytes" + labels), r.At("node_filesystem_avail_bytes" + labels));
  EXPECT_EQ(r.At("node_filesystem_device_error" + labels), 0);
  EXPECT_TRUE(r.Has("node_filesystem_files" + labels));
  EXPECT_TRUE(r.Has("node_filesystem_files_free" + labels));
  EXPECT_TRUE(r.Has("node_filesystem_readonly" + labels));
  // The defaults keep pseudo filesystems out.
  for (const std::string& mp : MountPoints(r)) {
    EXPECT_FALSE(mp == "/proc" || mp.rfind("/sys", 0) == 0 || mp.rfind("/dev", 0) == 0) << mp;
  }
}

}  // namespace
}  // namespace cistern::plugins::host
