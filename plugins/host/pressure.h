// node_exporter's "pressure" collector: the "total" stall time (µs) of the
// kernel's pressure stall information, <procfs>/pressure/{cpu,io,memory}:
//   node_pressure_cpu_waiting_seconds_total      (cpu "some")
//   node_pressure_io_waiting_seconds_total       (io "some")
//   node_pressure_io_stalled_seconds_total       (io "full")
//   node_pressure_memory_waiting_seconds_total   (memory "some")
//   node_pressure_memory_stalled_seconds_total   (memory "full")
// (cpu "full", printed since Linux 5.13, is not exported, as in node_exporter.)
// No /proc/pressure (kernel < 4.20 or built without CONFIG_PSI) is NotFound.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

struct PressureFile {
  std::optional<double> some_total_us;  // "some avg10=.. avg60=.. avg300=.. total=N"
  std::optional<double> full_total_us;  // "full ..."
  Status error;                         // first malformed line ("line 2: ..."); the others are kept
};

PressureFile ParsePressure(std::string_view text);

std::unique_ptr<Collector> NewPressureCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
