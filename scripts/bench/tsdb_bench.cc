// TSDB head benchmark: append rate (one transaction per scrape of every
// series, refs reused as a scraper would), bytes per sample in the head's
// chunks, and Select + iterate rate. Data is node_exporter-like, made like
// wal_bench's: ~40% constant gauges, ~25% integer counters growing by random
// amounts, ~20% noisy memory gauges (pages * 4096), ~15% CPU seconds counters
// (kernel ticks / 100), scraped every 15 s with a little jitter.
//   build: cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF
//          ninja -C build/release tsdb_bench
//   run:   build/release/agent/tsdb/tsdb_bench [series=10000] [samples=1000] [threads=1]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "agent/tsdb/head.h"

using namespace cistern;
using Clock = std::chrono::steady_clock;

static double Secs(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int main(int argc, char** argv) {
  int series = argc > 1 ? std::atoi(argv[1]) : 10000;
  int samples = argc > 2 ? std::atoi(argv[2]) : 1000;
  int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  static const char* kNames[] = {"node_cpu_seconds_total",         "node_network_receive_bytes_total",
                                 "node_filesystem_avail_bytes",    "node_disk_read_bytes_total",
                                 "node_memory_MemAvailable_bytes", "node_network_transmit_packets_total",
                                 "node_filesystem_size_bytes",     "node_load1"};
  std::vector<model::Labels> labels;
  std::vector<int> kind;  // 0 constant, 1 integer counter, 2 noisy gauge, 3 cpu seconds (ticks / 100)
  std::vector<double> value;
  std::vector<uint64_t> ticks;
  std::mt19937_64 seed_rng(1);
  for (int i = 0; i < series; ++i) {
    labels.push_back(model::Labels{{"__name__", kNames[i % 8]},
                                   {"cpu", std::to_string(i % 64)},
                                   {"instance", "host-" + std::to_string(i / 500) + ":9100"},
                                   {"job", "node"},
                                   {"mode", i % 3 == 0   ? "idle"
                                            : i % 3 == 1 ? "user"
                                                         : "system"},
                                   {"shard", std::to_string(i / 64)}});
    int r = static_cast<int>(seed_rng() % 20);
    kind.push_back(r < 8 ? 0 : r < 13 ? 1 : r < 17 ? 2 : 3);
    ticks.push_back(seed_rng() % 100000000);
    value.push_back(kind.back() == 0 ? static_cast<double>(seed_rng() % 100000) * 4096
                                     : static_cast<double>(ticks.back()));
  }

  // 24 h chunk range so that the run is not cut into 2 h chunk-range pieces
  // differently from one run length to the next.
  tsdb::Head head(tsdb::HeadOptions{.chunk_range_ms = 24 * 3600 * 1000LL});
  const int64_t base = 1700000000000;
  // Value generation is done up front per scrape so that only appends are timed.
  std::vector<double> append_secs(static_cast<size_t>(threads), 0);
  auto worker = [&](int w) {
    std::mt19937_64 rng(100 + static_cast<uint64_t>(w));
    int lo = series * w / threads, hi = series * (w + 1) / threads;
    std::vector<storage::SeriesRef> refs(static_cast<size_t>(hi - lo), 0);
    std::vector<double> v(value.begin() + lo, value.begin() + hi);
    std::vector<uint64_t> tk(ticks.begin() + lo, ticks.begin() + hi);
    for (int b = 0; b < samples; ++b) {
      int64_t ts = base + b * 15000LL + static_cast<int64_t>(rng() % 20);
      for (int i = lo; i < hi; ++i) {
        double& x = v[i - lo];
        if (kind[i] == 1) x += static_cast<double>(rng() % 100000);
        if (kind[i] == 2) x = 1.5e9 + static_cast<double>(rng() % 100000) * 4096;
        if (kind[i] == 3) {
          tk[i - lo] += rng() % 1500;
          x = static_cast<double>(tk[i - lo]) / 100;
        }
      }
      auto t0 = Clock::now();
      auto app = head.NewAppender();
      for (int i = lo; i < hi; ++i) {
        auto r = app->Append(refs[i - lo], labels[i], ts, v[i - lo]);
        if (!r.ok()) {
          std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
          std::exit(1);
        }
        refs[i - lo] = *r;
      }
      if (!app->Commit().ok()) std::exit(1);
      append_secs[w] += Secs(t0, Clock::now());
    }
  };
  auto wall0 = Clock::now();
  std::vector<std::thread> pool;
  for (int w = 0; w < threads; ++w) pool.emplace_back(worker, w);
  for (auto& t : pool) t.join();
  double wall = Secs(wall0, Clock::now());
  double busy = 0;
  for (double s : append_secs) busy += s;
  uint64_t total = static_cast<uint64_t>(series) * static_cast<uint64_t>(samples);
  tsdb::Head::Stats st = head.ComputeStats();
  std::printf("series=%d samples_per_series=%d threads=%d\n", series, samples, threads);
  std::printf(
      "append: %.2f M samples/s (wall, incl. value generation) %.2f M samples/s per appending thread\n",
      static_cast<double>(total) / wall / 1e6, static_cast<double>(total) / busy / 1e6 * 1);
  std::printf("chunks: %zu  chunk bytes: %zu  bytes/sample: %.3f\n", st.chunks, st.chunk_bytes,
              static_cast<double>(st.chunk_bytes) / static_cast<double>(total));

  // Select + iterate: one metric name (1/8 of the series), whole range, and a
  // regex selector over instances; repeated.
  struct Case {
    const char* what;
    std::vector<storage::LabelMatcher> ms;
  };
  std::vector<Case> cases;
  cases.push_back(
      {"{__name__=\"node_cpu_seconds_total\"}",
       {*storage::LabelMatcher::Make(storage::MatchType::kEqual, "__name__", "node_cpu_seconds_total")}});
  cases.push_back(
      {"{__name__=~\"node_network_.*\", instance=~\"host-(1|2|3):9100\", mode!=\"idle\"}",
       {*storage::LabelMatcher::Make(storage::MatchType::kRegexp, "__name__", "node_network_.*"),
        *storage::LabelMatcher::Make(storage::MatchType::kRegexp, "instance", "host-(1|2|3):9100"),
        *storage::LabelMatcher::Make(storage::MatchType::kNotEqual, "mode", "idle")}});
  for (const Case& c : cases) {
    uint64_t read = 0, nseries = 0;
    double sum = 0;
    auto t0 = Clock::now();
    int reps = 0;
    do {
      auto q = head.NewQuerier(storage::kMinTime, storage::kMaxTime);
      auto set = (*q)->Select(true, nullptr, c.ms);
      while (set->Next()) {
        ++nseries;
        auto it = set->At()->Iterator();
        while (it->Next()) {
          sum += it->At().value;
          ++read;
        }
      }
      ++reps;
    } while (Secs(t0, Clock::now()) < 2.0);
    double secs = Secs(t0, Clock::now());
    std::printf("select+iterate %s: %llu series/query, %.1f queries/s, %.1f M samples/s (checksum %g)\n",
                c.what, static_cast<unsigned long long>(nseries / static_cast<uint64_t>(reps)), reps / secs,
                static_cast<double>(read) / secs / 1e6, sum);
  }
  return 0;
}
