// The system collector table, and every collector on this machine.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plugins/host/collector.h"
#include "tests/plugins/host/host_testing.h"

namespace cistern::plugins::host {
namespace {

TEST(SystemCollectorsTest, NodeExportersNamesInOrderAllOnByDefault) {
  std::vector<std::string> names;
  for (const CollectorInfo& c : SystemCollectors()) {
    names.emplace_back(c.name);
    EXPECT_TRUE(c.enabled_by_default) << c.name;
    EXPECT_NE(c.create, nullptr) << c.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cpu", "stat", "loadavg", "meminfo", "vmstat", "filefd",
                                             "entropy", "time", "uname", "os", "timex"}));
}

TEST(SystemCollectorsTest, EachSucceedsOnThisHostAndEmitsOnlyItsOwnFamily) {
  const std::pair<std::string_view, std::vector<std::string_view>> prefixes[] = {
      {"cpu", {"node_cpu_"}},
      {"stat",
       {"node_boot_time_seconds", "node_context_switches_total", "node_forks_total", "node_intr_total",
        "node_procs_"}},
      {"loadavg", {"node_load"}},
      {"meminfo", {"node_memory_"}},
      {"vmstat", {"node_vmstat_"}},
      {"filefd", {"node_filefd_"}},
      {"entropy", {"node_entropy_"}},
      {"time", {"node_time_"}},
      {"uname", {"node_uname_info"}},
      {"os", {"node_os_"}},
  };
  for (const auto& [name, want] : prefixes) {
    auto r = testing::Run(SystemCollectors(), name, HostConfig{});
    EXPECT_TRUE(r.status.ok()) << name << ": " << r.status.ToString();
    EXPECT_FALSE(r.samples.empty()) << name;
    for (const auto& [series, v] : r.samples) {
      bool ours = false;
      for (std::string_view p : want) ours |= series.compare(0, p.size(), p) == 0;
      EXPECT_TRUE(ours) << name << " emitted " << series;
    }
  }
}

}  // namespace
}  // namespace cistern::plugins::host
