// The table of system collectors: cpu, stat, loadavg, meminfo, vmstat,
// filefd, entropy, time, uname, os, timex.
#include "plugins/host/collector.h"
#include "plugins/host/cpu.h"
#include "plugins/host/entropy.h"
#include "plugins/host/filefd.h"
#include "plugins/host/loadavg.h"
#include "plugins/host/meminfo.h"
#include "plugins/host/os_release.h"
#include "plugins/host/stat.h"
#include "plugins/host/time_collector.h"
#include "plugins/host/timex.h"
#include "plugins/host/uname.h"
#include "plugins/host/vmstat.h"

namespace cistern::plugins::host {
namespace {

constexpr CollectorInfo kSystemCollectors[] = {
    {"cpu", true, NewCpuCollector},         {"stat", true, NewStatCollector},
    {"loadavg", true, NewLoadavgCollector}, {"meminfo", true, NewMeminfoCollector},
    {"vmstat", true, NewVmstatCollector},   {"filefd", true, NewFilefdCollector},
    {"entropy", true, NewEntropyCollector}, {"time", true, NewTimeCollector},
    {"uname", true, NewUnameCollector},     {"os", true, NewOsCollector},
    {"timex", true, NewTimexCollector},
};

}  // namespace

std::span<const CollectorInfo> SystemCollectors() { return kSystemCollectors; }

}  // namespace cistern::plugins::host
