// Backlog drain: writes a WAL backlog of `series` x `batches` node_exporter-like
// samples, then drains it through one QueueManager into a real receiver and
// reports samples/s, CPU seconds per million samples and the peak RSS of this
// process, as one line that ends in key=value fields:
//   rate= cpu_s_per_m= secs=  the drain (from Start until all samples are sent or dropped)
//   dropped=                  samples the queue dropped (a receiver's 4xx): the run fails
//   shards= min_shards=       the queue's max_shards and min_shards
//   shards_seen=              the most shards the queue ran (it reshards every reshard_interval)
//   wal_cpu_s_per_m=          CPU s per million samples writing the backlog (not part of the drain)
//   rss_mib=                  getrusage ru_maxrss: the whole process, writing the WAL included
//   start_rss_mib=            VmRSS when the drain starts
//   drain_rss_mib=            VmHWM, reset when the drain starts (/proc/self/clear_refs): the drain's peak
//   remote_drain_bench URL [series=10000] [batches=40] [shards=hardware threads] [min_shards=1]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "agent/loop/handle.h"
#include "agent/obs/log.h"
#include "agent/remote/queue_manager.h"
#include "agent/wal/wal.h"

using namespace cistern;

static double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double MaxRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;  // KiB on Linux
}

// "5" resets VmHWM to the current RSS (Linux >= 4.0); false where that is not possible.
static bool ResetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  return static_cast<bool>(f << "5" << std::flush);
}

// A "VmHWM" or "VmRSS" line of /proc/self/status, in MiB; -1 if unavailable.
static double StatusMiB(const std::string& key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) / 1024;
  }
  return -1;
}

// The sum of the samples in a text exposition whose line starts with `prefix` (name and the first
// labels, exactly as rendered; without the closing brace: any further labels); -1 if there are none.
static double SampleSum(const std::string& text, const std::string& prefix) {
  double sum = -1;
  for (size_t p = text.find(prefix); p != std::string::npos; p = text.find(prefix, p + 1)) {
    if (p > 0 && text[p - 1] != '\n') continue;
    auto space = text.find("} ", p);
    if (space == std::string::npos) break;
    sum = std::max(sum, 0.0) + std::stod(text.substr(space + 2));
  }
  return sum;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: remote_drain_bench URL [series] [batches] [shards] [min_shards]\n");
    return 2;
  }
  obs::InitLogging(obs::LogLevel::kWarn, obs::LogFormat::kText);
  int series = argc > 2 ? std::atoi(argv[2]) : 10000;
  int batches = argc > 3 ? std::atoi(argv[3]) : 40;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int shards = argc > 4 ? std::atoi(argv[4]) : threads;
  int min_shards = argc > 5 ? std::atoi(argv[5]) : 1;
  if (series < 1 || batches < 1 || shards < 1 || min_shards < 1 || min_shards > shards) {
    std::fprintf(stderr, "remote_drain_bench: need series, batches >= 1 and 1 <= min_shards <= shards\n");
    return 2;
  }
  double wal_cpu0 = CpuSeconds();
  std::string dir = std::filesystem::temp_directory_path() / ("drain-bench-" + std::to_string(getpid()));
  wal::Options o;
  o.dir = dir;
  auto w = wal::Wal::Open(o);
  std::mt19937_64 rng(1);
  std::vector<storage::SeriesRef> refs;
  for (int i = 0; i < series; ++i) {
    refs.push_back((*w)->Series(model::Labels{{"__name__", "bench_metric_" + std::to_string(i % 50)},
                                              {"instance", "host-" + std::to_string(i / 1000) + ":9100"},
                                              {"job", "node"},
                                              {"series", std::to_string(i)}}));
  }
  int64_t t0 = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
               static_cast<int64_t>(batches) * 15000;
  std::vector<double> v(static_cast<size_t>(series), 0);
  for (int b = 0; b < batches; ++b) {
    std::vector<wal::SampleRef> s;
    for (int i = 0; i < series; ++i) {
      v[i] += static_cast<double>(rng() % 1000);
      s.push_back({refs[i], t0 + b * 15000LL, v[i]});
    }
    if (!(*w)->Append(s).ok()) return 1;
  }
  (void)(*w)->Sync();
  uint64_t total = static_cast<uint64_t>(series) * batches;
  double wal_cpu = CpuSeconds() - wal_cpu0;

  uv_loop_t loop;
  uv_loop_init(&loop);
  obs::Registry metrics;
  remote::EndpointOptions e;
  e.name = "bench";
  e.url = argv[1];
  e.batch_send_deadline = Duration(100);
  e.min_shards = static_cast<size_t>(min_shards);
  e.max_shards = static_cast<size_t>(shards);
  auto q = std::make_unique<remote::QueueManager>(&loop, w->get(), e, &metrics);
  double start_rss = StatusMiB("VmRSS");
  bool hwm_reset = ResetPeakRss();
  double cpu0 = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  if (!q->Start().ok()) return 1;
  loop::Timer poll(&loop);
  bool done = false;
  double shards_seen = 0, dropped = 0;
  constexpr double kTimeoutS = 120;
  poll.Start(10, 10, [&] {
    std::string text = metrics.RenderText();
    shards_seen = std::max(shards_seen, SampleSum(text, "cistern_remote_shards{remote=\"bench\""));
    dropped = std::max(0.0, SampleSum(text, "cistern_remote_samples_dropped_total{remote=\"bench\""));
    double sent = SampleSum(text, "cistern_remote_samples_sent_total{remote=\"bench\"");
    if (sent + dropped >= static_cast<double>(total) ||
        std::chrono::steady_clock::now() - start > std::chrono::duration<double>(kTimeoutS)) {
      done = sent + dropped >= static_cast<double>(total);
      poll.Stop();
      uv_stop(&loop);
    }
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = CpuSeconds() - cpu0;
  double drain_rss = hwm_reset ? StatusMiB("VmHWM") : -1;
  bool stopped = false;
  q->Stop([&] { stopped = true; });
  while (!stopped) uv_run(&loop, UV_RUN_ONCE);
  q.reset();
  poll.Stop();
  uv_run(&loop, UV_RUN_DEFAULT);
  double per_m = cpu / (total / 1e6);
  std::printf(
      "drained %llu samples (%d series x %d scrapes) in %.2fs: %.0f samples/s, %.2f CPU s per million "
      "samples; rate=%.0f cpu_s_per_m=%.2f secs=%.3f dropped=%.0f shards=%d min_shards=%d "
      "shards_seen=%.0f wal_cpu_s_per_m=%.2f rss_mib=%.1f start_rss_mib=%.1f drain_rss_mib=%.1f\n",
      static_cast<unsigned long long>(total), series, batches, secs, total / secs, per_m, total / secs, per_m,
      secs, dropped, shards, min_shards, shards_seen, wal_cpu / (total / 1e6), MaxRssMiB(), start_rss,
      drain_rss);
  std::filesystem::remove_all(dir);
  if (!done) std::fprintf(stderr, "remote_drain_bench: not all samples sent after %.0fs\n", kTimeoutS);
  return done && dropped == 0 ? 0 : 1;
}
