// Pure parsers for the cgroup files the container input reads, v2 (cpu.stat,
// cpu.max, memory.stat, memory.max, io.stat, ...) and v1 (cpuacct.usage,
// cpuacct.stat, cpu.stat, memory.*, blkio.throttle.*). Each takes the file's
// text and returns its values or InvalidArgument with a message that says
// where in the text ("line 3: ..."); the caller prefixes the file's path.
// Thread-safe (no state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace cistern::plugins::container {

// "key value" per line (cpu.stat, memory.stat, cpuacct.stat, memory.events).
using FlatKeyed = std::map<std::string, uint64_t, std::less<>>;
StatusOr<FlatKeyed> ParseFlatKeyed(std::string_view text);

// One unsigned integer (cpuacct.usage, memory.current, pids.current, ...).
StatusOr<uint64_t> ParseCounter(std::string_view text);

// A v2 limit (memory.max, memory.swap.max, pids.max): a number, or "max"
// (std::nullopt: unlimited).
StatusOr<std::optional<uint64_t>> ParseLimit(std::string_view text);

// v1 cpu.cfs_quota_us: microseconds, or -1 (std::nullopt: no quota).
StatusOr<std::optional<uint64_t>> ParseCfsQuotaV1(std::string_view text);

// v2 cpu.max: "$QUOTA $PERIOD", quota "max" when there is none.
struct CpuMax {
  std::optional<uint64_t> quota_us;
  uint64_t period_us = 0;
};
StatusOr<CpuMax> ParseCpuMax(std::string_view text);

// Whitespace-separated unsigned integers (cpuacct.usage_percpu).
StatusOr<std::vector<uint64_t>> ParseUintList(std::string_view text);

// One line per member process (cgroup.procs): the pids, in file order.
StatusOr<std::vector<int>> ParseProcs(std::string_view text);

// One block-I/O counter of one device. `op` uses v1's names ("Read",
// "Write", "Sync", "Async", "Discard", "Total").
struct BlkioEntry {
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string op;
  uint64_t value = 0;
  friend bool operator==(const BlkioEntry&, const BlkioEntry&) = default;
};

// v1 blkio.throttle.io_service_bytes[_recursive] / io_serviced[_recursive]:
// "8:0 Read 4096" lines and a closing "Total N" line (skipped).
StatusOr<std::vector<BlkioEntry>> ParseBlkioV1(std::string_view text);

// v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per
// device, mapped as libcontainer maps it to v1: rbytes/wbytes to bytes
// Read/Write, rios/wios to ios Read/Write; other keys are ignored.
struct IoStat {
  std::vector<BlkioEntry> bytes;
  std::vector<BlkioEntry> ios;
};
StatusOr<IoStat> ParseIoStatV2(std::string_view text);

// The space-separated controller names of cgroup.controllers.
std::vector<std::string> ParseControllers(std::string_view text);

}  // namespace cistern::plugins::container
