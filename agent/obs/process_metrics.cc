#include "agent/obs/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace cistern::obs {
namespace {

std::string Slurp(const char* path) {
  std::string out;
  FILE* f = std::fopen(path, "re");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

double BootTimeSeconds() {
  std::string stat = Slurp("/proc/stat");
  size_t p = stat.find("btime ");
  return p == std::string::npos ? 0 : std::strtod(stat.c_str() + p + 6, nullptr);
}

FamilySnapshot Single(const char* name, const char* help, MetricType type, double v) {
  return FamilySnapshot{name, help, type, {MetricPoint{name, {}, v}}};
}

void Collect(std::vector<FamilySnapshot>* out, double start_time) {
  static const double kTicks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double kPage = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::string stat = Slurp("/proc/self/stat");
  // Fields after the ")" of comm: state(3) ... utime(14) stime(15) ... vsize(23) rss(24)
  size_t rp = stat.rfind(')');
  if (rp != std::string::npos) {
    const char* p = stat.c_str() + rp + 2;
    double fields[24] = {0};
    for (int i = 3; i <= 24 && *p; ++i) {
      char* end;
      fields[i - 1] = std::strtod(p, &end);
      if (end == p) {  // state letter
        while (*p && *p != ' ') ++p;
      } else {
        p = end;
      }
      while (*p == ' ') ++p;
    }
    out->push_back(Single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                          MetricType::kCounter, (fields[13] + fields[14]) / kTicks));
    out->push_back(Single("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                          MetricType::kGauge, fields[22]));
    out->push_back(Single("process_resident_memory_bytes", "Resident memory size in bytes.",
                          MetricType::kGauge, fields[23] * kPage));
  }
  int fds = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++fds;
    }
    closedir(d);
    --fds;  // the directory stream itself
  }
  out->push_back(Single("process_open_fds", "Number of open file descriptors.", MetricType::kGauge, fds));
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    out->push_back(Single("process_max_fds", "Maximum number of open file descriptors.",
                          MetricType::kGauge, static_cast<double>(rl.rlim_cur)));
  }
  out->push_back(Single("process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.", MetricType::kGauge,
                        start_time));
  out->push_back(FamilySnapshot{
      "cistern_build_info",
      "A metric with a constant '1' value labeled by version and compiler from which cistern was built.",
      MetricType::kGauge,
      {MetricPoint{"cistern_build_info",
                   {{"compiler", __VERSION__}, {"version", kVersion}},
                   1}}});
}

double ProcessStartTime() {
  std::string stat = Slurp("/proc/self/stat");
  size_t rp = stat.rfind(')');
  if (rp == std::string::npos) return 0;
  // starttime is field 22.
  const char* p = stat.c_str() + rp + 2;
  for (int i = 3; i < 22 && *p; ++i) {
    while (*p && *p != ' ') ++p;
    while (*p == ' ') ++p;
  }
  double ticks = std::strtod(p, nullptr);
  return BootTimeSeconds() + ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

void RegisterProcessMetrics(Registry* registry) {
  double start = ProcessStartTime();
  registry->AddCollector([start](std::vector<FamilySnapshot>* out) { Collect(out, start); });
}

}  // namespace cistern::obs
