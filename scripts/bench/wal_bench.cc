// WAL benchmark: append throughput (one writer thread, a sync per 15 s scrape
// batch as fsync="1s" would do at that interval), bytes per sample on disk,
// replay (open + full read) throughput, and the disk a 24 h outage of a
// 3,000-series host at 15 s takes. Data is node_exporter-like, with values
// made the way node_exporter makes them: ~40% constant gauges (sizes, totals),
// ~25% integer counters (bytes, packets) growing by random amounts, ~15% CPU
// seconds counters (kernel ticks / 100), ~20% noisy memory gauges (pages * 4096).
//   build: cmake --build build/release --target wal_bench
//   run:   build/release/agent/wal/wal_bench [series=10000] [batches=240]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "agent/wal/wal.h"

using namespace cistern;
using Clock = std::chrono::steady_clock;

static double Secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

int main(int argc, char** argv) {
  int series = argc > 1 ? std::atoi(argv[1]) : 10000;
  int batches = argc > 2 ? std::atoi(argv[2]) : 240;
  std::string dir = std::filesystem::temp_directory_path() / ("wal-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  static const char* kNames[] = {"node_cpu_seconds_total",        "node_network_receive_bytes_total",
                                 "node_filesystem_avail_bytes",   "node_disk_read_bytes_total",
                                 "node_memory_MemAvailable_bytes", "node_network_transmit_packets_total",
                                 "node_filesystem_size_bytes",    "node_load1"};
  std::vector<model::Labels> labels;
  std::vector<int> kind;  // 0 constant, 1 integer counter, 2 noisy gauge, 3 cpu seconds (ticks / 100)
  std::vector<double> value;
  std::vector<uint64_t> ticks;
  std::mt19937_64 rng(1);
  for (int i = 0; i < series; ++i) {
    labels.push_back(model::Labels{{"__name__", kNames[i % 8]},
                                   {"cpu", std::to_string(i % 64)},
                                   {"instance", "host-" + std::to_string(i / 500) + ":9100"},
                                   {"job", "node"},
                                   {"mode", i % 3 == 0 ? "idle" : i % 3 == 1 ? "user" : "system"},
                                   {"shard", std::to_string(i / 64)}});
    int r = static_cast<int>(rng() % 20);
    kind.push_back(r < 8 ? 0 : r < 13 ? 1 : r < 17 ? 2 : 3);
    ticks.push_back(rng() % 100000000);
    value.push_back(kind.back() == 0 ? static_cast<double>(rng() % 100000) * 4096 : static_cast<double>(ticks.back()));
  }
  wal::Options o;
  o.dir = dir;
  uint64_t samples = 0;
  double append_secs = 0;
  {
    auto w = wal::Wal::Open(o);
    if (!w.ok()) {
      std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
      return 1;
    }
    std::vector<storage::SeriesRef> refs;
    std::vector<wal::SampleRef> batch(static_cast<size_t>(series));
    for (int b = 0; b < batches; ++b) {
      int64_t ts = 1700000000000 + b * 15000LL + static_cast<int64_t>(rng() % 20);
      for (int i = 0; i < series; ++i) {
        if (kind[i] == 1) value[i] += static_cast<double>(rng() % 100000);
        if (kind[i] == 2) value[i] = 1.5e9 + static_cast<double>(rng() % 100000) * 4096;
        if (kind[i] == 3) {
          ticks[i] += rng() % 1500;  // up to 15 s of one CPU at USER_HZ 100
          value[i] = static_cast<double>(ticks[i]) / 100;
        }
      }
      auto t0 = Clock::now();
      for (int i = 0; i < series; ++i) batch[i] = {(*w)->Series(labels[i]), ts, value[i]};
      if (!(*w)->Append(batch).ok() || !(*w)->Sync().ok()) return 1;
      append_secs += Secs(t0, Clock::now());
      samples += static_cast<uint64_t>(series);
    }
    (void)(*w)->Close();
  }
  uint64_t bytes = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  auto t0 = Clock::now();
  auto w = wal::Wal::Open(o);
  auto t1 = Clock::now();
  auto r = (*w)->NewReader((*w)->Begin());
  wal::ReadBatch rb;
  uint64_t read = 0;
  while (*r->Next(&rb)) read += rb.samples.size();
  auto t2 = Clock::now();
  double bps = static_cast<double>(bytes) / static_cast<double>(samples);
  std::printf("series %d, batches %d, samples %llu\n", series, batches, static_cast<unsigned long long>(samples));
  std::printf("append (incl. a sync per batch): %.2f M samples/s\n", samples / append_secs / 1e6);
  std::printf("bytes per sample on disk:        %.2f\n", bps);
  std::printf("open/recovery scan:              %.2f M samples/s (%.2fs)\n", samples / Secs(t0, t1) / 1e6, Secs(t0, t1));
  std::printf("read back (reader):              %.2f M samples/s, %llu samples\n", read / Secs(t1, t2) / 1e6,
              static_cast<unsigned long long>(read));
  std::printf("24h outage, 3000 series @15s:    %.1f MiB\n", 3000.0 * 5760 * bps / 1048576);
  std::filesystem::remove_all(dir);
  return read == samples ? 0 : 2;
}
