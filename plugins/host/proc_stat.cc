#include "plugins/host/proc_stat.h"

#include <string>
#include <vector>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

Status LineError(size_t line, std::string_view what, std::string_view value) {
  return InvalidArgumentError("line " + std::to_string(line) + ": " + std::string(what) +
                              ": cannot parse \"" + std::string(value) + "\"");
}

// "cpu" / "cpuN" followed by up to ten tick counts.
Status ParseCpuLine(const std::vector<std::string_view>& f, size_t line, ProcStat* out) {
  double ticks[10] = {};
  for (size_t i = 1; i < f.size() && i <= 10; ++i) {
    if (!ParseFloat(f[i], &ticks[i - 1])) return LineError(line, f[0], f[i]);
  }
  CpuTimes t;
  double* fields[] = {&t.user, &t.nice,    &t.system, &t.idle,  &t.iowait,
                      &t.irq,  &t.softirq, &t.steal,  &t.guest, &t.guest_nice};
  for (size_t i = 0; i < 10; ++i) *fields[i] = ticks[i] / kUserHz;
  if (f[0] == "cpu") {
    out->total = t;
    return OkStatus();
  }
  uint64_t n = 0;
  if (!ParseUint(f[0].substr(3), &n) || n > INT64_MAX) return LineError(line, "cpu id", f[0]);
  out->cpus[static_cast<int64_t>(n)] = t;
  return OkStatus();
}

}  // namespace

StatusOr<ProcStat> ParseProcStat(std::string_view text) {
  ProcStat out;
  struct Counter {
    std::string_view key;
    uint64_t* value;
  };
  const Counter counters[] = {
      {"btime", &out.boot_time},
      {"intr", &out.interrupts},
      {"ctxt", &out.context_switches},
      {"processes", &out.processes_created},
      {"procs_running", &out.procs_running},
      {"procs_blocked", &out.procs_blocked},
  };
  size_t line_no = 0;
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::vector<std::string_view> f = Fields(line);
    if (f.size() < 2) continue;
    if (f[0].substr(0, 3) == "cpu") {
      CISTERN_RETURN_IF_ERROR(ParseCpuLine(f, line_no, &out));
      continue;
    }
    for (const Counter& c : counters) {
      if (f[0] != c.key) continue;
      if (!ParseUint(f[1], c.value)) return LineError(line_no, c.key, f[1]);
      break;
    }
  }
  return out;
}

}  // namespace cistern::plugins::host
