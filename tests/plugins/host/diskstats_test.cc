#include "plugins/host/diskstats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "plugins/host/device_filter.h"
#include "plugins/host/udev_data.h"
#include "tests/plugins/host/host_testing.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

std::set<std::string> InfoDevices(const testing::Result& r) {
  std::set<std::string> out;
  for (const auto& [k, v] : r.samples) {
    if (k.rfind("node_disk_info{device=\"", 0) != 0) continue;
    size_t start = k.find('"') + 1;
    out.insert(k.substr(start, k.find('"', start) - start));
  }
  return out;
}

TEST(ParseDiskstatsTest, KeepsEveryCounterTheKernelPrints) {
  DiskstatsFile f = ParseDiskstats(
      "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n"
      " 259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
      " 259       1 nvme0n1p1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n");
  CISTERN_ASSERT_OK(f.error);
  ASSERT_EQ(f.disks.size(), 3u);
  EXPECT_EQ(f.disks[0].major, 8u);
  EXPECT_EQ(f.disks[0].name, "sda");
  EXPECT_EQ(f.disks[0].counters.size(), 11u);
  EXPECT_EQ(f.disks[1].major, 259u);
  EXPECT_EQ(f.disks[1].counters.size(), 17u);
  EXPECT_EQ(f.disks[1].counters[16], 17u);
  EXPECT_EQ(f.disks[2].minor, 1u);
  EXPECT_EQ(f.disks[2].counters.size(), 19u);
}

TEST(ParseDiskstatsTest, MalformedLinesAreReportedAndSkipped) {
  DiskstatsFile f = ParseDiskstats(
      "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n"
      "   8      16 sdb 1 2 3\n"
      "   8      32 sdc 1 2 3 4 5 6 -7 8 9 10 11\n"
      "   x      48 sdd 1 2 3 4 5 6 7 8 9 10 11\n"
      "   8      64 sde 1 2 3 4 5 6 7 8 9 10 11");
  EXPECT_THAT(f.error,
              StatusIs(StatusCode::kDataLoss, HasSubstr("line 2: expected at least 14 fields, got 6")));
  ASSERT_EQ(f.disks.size(), 2u);
  EXPECT_EQ(f.disks[0].name, "sda");
  EXPECT_EQ(f.disks[1].name, "sde");
}

TEST(ParseUdevDataTest, OnlyDevicePropertiesAreKept) {
  UdevProperties p =
      ParseUdevData("S:disk/by-id/x\nE:ID_MODEL=Samsung SSD\nE:DM_LV_LAYER=\nE:A=b=c\nI:123\nE:junk\n");
  EXPECT_EQ(p, (UdevProperties{{"ID_MODEL", "Samsung SSD"}, {"DM_LV_LAYER", ""}, {"A", "b=c"}}));
}

TEST(DeviceFilterTest, MatchesAnywhereLikeGoMatchStringAndEmptyIgnoresNothing) {
  DeviceFilter partitions("x", HostConfig{}.disk_device_exclude);
  CISTERN_ASSERT_OK(partitions.status());
  EXPECT_TRUE(partitions.Ignored("sda1"));
  EXPECT_TRUE(partitions.Ignored("nvme0n1p2"));
  EXPECT_TRUE(partitions.Ignored("loop7"));
  EXPECT_FALSE(partitions.Ignored("sda"));
  EXPECT_FALSE(partitions.Ignored("nvme0n1"));
  EXPECT_FALSE(partitions.Ignored("zram0"));  // ^ram: node_exporter 1.5.0 keeps zram
  DeviceFilter unanchored("x", "eth");
  EXPECT_TRUE(unanchored.Ignored("veth12"));
  DeviceFilter none("x", "");
  EXPECT_FALSE(none.Ignored("anything"));
  DeviceFilter bad("diskstats: disk_device_exclude", "(");
  EXPECT_THAT(bad.status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("diskstats: disk_device_exclude")));
}

TEST(DiskstatsTest, CountersInNodeExporterUnits) {
  testing::Result r = testing::Run(DeviceCollectors(), "diskstats", testing::Fixture("device_diskstats"));
  CISTERN_EXPECT_OK(r.status);
  // 254 0 vda 102920 9501 5055586 62632 84821 17709 5125144 17106 0 15288 82245 13753 11 2169504 1424 24258
  // 1081
  const std::string vda = "{device=\"vda\"}";
  EXPECT_EQ(r.At("node_disk_reads_completed_total" + vda), 102920);
  EXPECT_EQ(r.At("node_disk_reads_merged_total" + vda), 9501);
  EXPECT_EQ(r.At("node_disk_read_bytes_total" + vda), 5055586.0 * 512);
  EXPECT_DOUBLE_EQ(r.At("node_disk_read_time_seconds_total" + vda), 62.632);
  EXPECT_EQ(r.At("node_disk_writes_completed_total" + vda), 84821);
  EXPECT_EQ(r.At("node_disk_writes_merged_total" + vda), 17709);
  EXPECT_EQ(r.At("node_disk_written_bytes_total" + vda), 5125144.0 * 512);
  EXPECT_DOUBLE_EQ(r.At("node_disk_write_time_seconds_total" + vda), 17.106);
  EXPECT_EQ(r.At("node_disk_io_now" + vda), 0);
  EXPECT_DOUBLE_EQ(r.At("node_disk_io_time_seconds_total" + vda), 15.288);
  EXPECT_DOUBLE_EQ(r.At("node_disk_io_time_weighted_seconds_total" + vda), 82.245);
  EXPECT_EQ(r.At("node_disk_discards_completed_total" + vda), 13753);
  EXPECT_EQ(r.At("node_disk_discards_merged_total" + vda), 11);
  EXPECT_EQ(r.At("node_disk_discarded_sectors_total" + vda), 2169504);  // sectors, as node_exporter
  EXPECT_DOUBLE_EQ(r.At("node_disk_discard_time_seconds_total" + vda), 1.424);
  EXPECT_EQ(r.At("node_disk_flush_requests_total" + vda), 24258);
  EXPECT_DOUBLE_EQ(r.At("node_disk_flush_requests_time_seconds_total" + vda), 1.081);
  EXPECT_EQ(r.CountPrefix("node_disk_") - r.CountPrefix("node_disk_info") - r.CountPrefix("node_disk_ata_") -
                r.CountPrefix("node_disk_filesystem_info") - r.CountPrefix("node_disk_device_mapper_info"),
            // vda, zram0, nvme0n1: 17; dm-0: 15; sda: 11
            3 * 17u + 15u + 11u);
}

TEST(DiskstatsTest, ColumnsTheKernelDoesNotPrintAreNotExported) {
  testing::Result r = testing::Run(DeviceCollectors(), "diskstats", testing::Fixture("device_diskstats"));
  EXPECT_TRUE(r.Has("node_disk_io_time_weighted_seconds_total{device=\"sda\"}"));
  EXPECT_FALSE(r.Has("node_disk_discards_completed_total{device=\"sda\"}"));  // 14-field format
  EXPECT_DOUBLE_EQ(r.At("node_disk_discard_time_seconds_total{device=\"dm-0\"}"), 0.007);
  EXPECT_FALSE(r.Has("node_disk_flush_requests_total{device=\"dm-0\"}"));  // 18-field format
}

TEST(DiskstatsTest, DefaultExclusionSkipsPartitionsAndLoopDevices) {
  testing::Result r = testing::Run(DeviceCollectors(), "diskstats", testing::Fixture("device_diskstats"));
  EXPECT_EQ(InfoDevices(r), (std::set<std::string>{"dm-0", "nvme0n1", "sda", "vda", "zram0"}));
  EXPECT_EQ(r.CountPrefix("node_disk_reads_completed_total"), 5u);
}

TEST(DiskstatsTest, EmptyExclusionKeepsEveryDevice) {
  HostConfig config = testing::Fixture("device_diskstats");
  config.disk_device_exclude = "";
  testing::Result r = testing::Run(DeviceCollectors(), "diskstats", config);
  EXPECT_EQ(InfoDevices(r).size(), 15u);
  EXPECT_TRUE(r.Has("node_disk_reads_completed_total{device=\"loop3\"}"));
  EXPECT_TRUE(r.Has("node_disk_reads_completed_total{device=\"sda1\"}"));
}

TEST(DiskstatsTest, InfoLabelsComeFromTheUdevDatabaseAndAreEmptyWithoutIt) {
  testing::Result r = testing::Run(DeviceCollectors(), "diskstats", testing::Fixture("device_diskstats"));
  // No udev record for vda: node_exporter prints model="" path="" ..., which is the same series.
  EXPECT_EQ(r.At("node_disk_info{device=\"vda\", major=\"254\", minor=\"0\"}"), 1);
  // Serial falls back to ID_SERIAL_SHORT without SCSI_IDENT_SERIAL.
  EXPECT_EQ(
      r.At("node_disk_info{device=\"sda\", major=\"8\", minor=\"0\", model=\"Samsung_SSD_860_EVO_500GB\", "
           "path=\"pci-0000:00:17.0-ata-1\", revision=\"RVT04B6Q\", serial=\"S3Z1NB0K123456A\", "
           "wwn=\"0x5002538e40a1b2c3\"}"),
      1);
  EXPECT_EQ(r.At("node_disk_ata_write_cache{device=\"sda\"}"), 1);
  EXPECT_EQ(r.At("node_disk_ata_write_cache_enabled{device=\"sda\"}"), 1);
  EXPECT_EQ(r.At("node_disk_ata_rotation_rate_rpm{device=\"sda\"}"), 0);
  EXPECT_EQ(r.At("node_disk_filesystem_info{device=\"dm-0\", type=\"ext4\", usage=\"filesystem\", "
                 "uuid=\"2f1e5c1a-9d7b-4c3e-8a6f-0b1c2d3e4f50\", version=\"1.0\"}"),
            1);
  EXPECT_EQ(r.At("node_disk_device_mapper_info{device=\"dm-0\", lv_name=\"root\", name=\"vg0-root\", "
                 "uuid=\"LVM-Zp3qYk4bV1cW2dX3eY4fZ5gA6hB7iC8j\", vg_name=\"vg0\"}"),
            1);
  EXPECT_EQ(r.CountPrefix("node_disk_ata_"), 3u);  // only the ID_ATA disk
  EXPECT_EQ(r.CountPrefix("node_disk_filesystem_info"), 1u);
  EXPECT_EQ(r.CountPrefix("node_disk_device_mapper_info"), 1u);
}

TEST(DiskstatsTest, MalformedLinesAreAnErrorNamingTheFileAndTheOtherDisksAreKept) {
  testing::Result r =
      testing::Run(DeviceCollectors(), "diskstats", testing::Fixture("device_diskstats_malformed"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kDataLoss,
                                 HasSubstr("device_diskstats_malformed/proc/diskstats: line 2")));
  EXPECT_EQ(InfoDevices(r), (std::set<std::string>{"vda"}));
  EXPECT_EQ(r.At("node_disk_reads_completed_total{device=\"vda\"}"), 98963);
}

TEST(DiskstatsTest, MissingFileIsNotFound) {
  testing::Result r = testing::Run(DeviceCollectors(), "diskstats", testing::Fixture("device_none"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound, HasSubstr("device_none/proc/diskstats")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(DiskstatsLiveTest, EveryIncludedDeviceHasCountersAndInfo) {
  auto text = ReadProcFile("/proc/diskstats");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  DiskstatsFile f = ParseDiskstats(*text);
  CISTERN_ASSERT_OK(f.error);
  DeviceFilter exclude("x", HostConfig{}.disk_device_exclude);
  std::set<std::string> want;
  for (const DiskStats& d : f.disks) {
    if (!exclude.Ignored(d.name)) want.insert(d.name);
  }
  if (want.empty()) GTEST_SKIP() << "no block devices here";
  testing::Result r = testing::Run(DeviceCollectors(), "diskstats", HostConfig{});
  CISTERN_EXPECT_OK(r.status);
  EXPECT_EQ(InfoDevices(r), want);
  for (const std::string& d : want) {
    const std::string l = "{device=\"" + d + "\"}";
    EXPECT_GE(r.At("node_disk_reads_completed_total" + l), 0);
    EXPECT_GE(r.At("node_disk_read_bytes_total" + l), 0);
    EXPECT_GE(r.At("node_disk_written_bytes_total" + l), 0);
    EXPECT_GE(r.At("node_disk_io_time_seconds_total" + l), 0);
  }
}

}  // namespace
}  // namespace cistern::plugins::host
