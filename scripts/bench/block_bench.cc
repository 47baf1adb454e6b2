// block_bench: writes node_exporter-like data (default 10k series x 6 h at
// 15 s) as a block with each chunk encoding and reports bytes per sample,
// write time, open time, full-read throughput and select-by-matcher time.
//
//   ninja -C build/h-block-rel block_bench && build/h-block-rel/block_bench [series] [hours] [jitter_ms]
//
// The data: hosts of 200 series each, every series of a host scraped at the
// same (jittered) timestamps; 20% constant (info, sizes, limits), 30% integer
// counters at irregular rates (10 of them rarely moving, like error
// counters), 20% cpu-seconds counters with two decimals, 20% integer and
// few-decimal gauges (memory in pages, filesystem bytes, load, temperature),
// 10% gauges with full-precision floats (ratios), and a stale marker at the
// end of a few series.
//
// BLOCK_BENCH_BY_NAME=1 adds the default encoding's bytes per metric name;
// BLOCK_BENCH_VM_JSONL=<file> exports the samples for VictoriaMetrics'
// /api/v1/import (compare its vm_data_size_bytes after force_flush and
// force_merge).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "agent/storage/series_list.h"
#include "agent/tsdb/block.h"
#include "agent/tsdb/block_writer.h"
#include "agent/tsdb/xor_chunk.h"

namespace {

using namespace cistern;  // NOLINT
using Clock = std::chrono::steady_clock;

constexpr int kPerHost = 200;
constexpr int64_t kStart = 1'700'000'000'000;

double Secs(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

struct Spec {
  int host;
  int kind;
  uint64_t seed;
};

// Deterministic samples of one series.
std::vector<model::Sample> Generate(const Spec& s, int n, int jitter) {
  std::mt19937_64 ts_rng(static_cast<uint64_t>(s.host) * 7919 + 1);  // shared by the host's series
  std::mt19937_64 rng(s.seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> g(0, 1);
  std::vector<model::Sample> out;
  out.reserve(n);
  double v = 0, rate = std::pow(10, 1 + 5 * u(rng));
  int k = s.kind;
  if (k < 40) v = k % 4 == 0 ? 1 : std::floor(std::pow(10, 3 + 9 * u(rng)));     // constant
  if (k >= 140 && k < 180) v = std::floor(1e5 + 1e6 * u(rng)) * 4096;           // gauge: memory pages
  for (int i = 0; i < n; ++i) {
    int64_t t = kStart + int64_t{i} * 15000 + (jitter > 0 ? static_cast<int64_t>(ts_rng() % (2 * jitter + 1)) - jitter : 0);
    if (k < 40) {
      // constant
    } else if (k < 100) {
      if (k < 50) {
        v += u(rng) < 0.05 ? 1 : 0;  // error counters
      } else {
        v += std::floor(rate * 15 * std::max(0.0, 1 + 0.3 * g(rng)));
      }
    } else if (k < 140) {
      double inc = k % 8 == 0 ? 15 * (0.9 + 0.1 * u(rng)) : u(rng) * (k % 5);
      v = std::round((v + inc) * 100) / 100;  // node_cpu_seconds_total: 2 decimals
    } else if (k < 160) {
      v += std::round(g(rng) * 50) * 4096;  // memory bytes
    } else if (k < 170) {
      v = std::round(std::max(0.0, (k - 160) * 0.3 + 0.5 * std::sin(i / 60.0) + 0.1 * g(rng)) * 100) / 100;  // load
    } else if (k < 180) {
      v = std::round((45 + 5 * std::sin(i / 200.0) + g(rng)) * 10) / 10;  // temperature
    } else {
      v = 0.5 + 0.1 * std::sin(i / 30.0) + 0.01 * g(rng);  // a computed ratio
    }
    out.push_back({t, v});
  }
  if (s.kind % 50 == 7) out.back().value = model::StaleNaN();
  return out;
}

model::Labels LabelsFor(const Spec& s) {
  static const char* kNames[] = {"node_info", "node_filesystem_size_bytes", "node_network_receive_bytes_total",
                                 "node_cpu_seconds_total", "node_memory_MemFree_bytes", "node_load1",
                                 "node_hwmon_temp_celsius", "node_pressure_ratio", "node_network_receive_errs_total"};
  int k = s.kind;
  int name = k < 40 ? k % 2 : k < 50 ? 8 : k < 100 ? 2 : k < 140 ? 3 : k < 160 ? 4 : k < 170 ? 5 : k < 180 ? 6 : 7;
  model::LabelsBuilder b;
  char inst[32];
  std::snprintf(inst, sizeof(inst), "host-%04d:9100", s.host);
  b.Set("__name__", kNames[name]).Set("instance", inst).Set("job", "node");
  if (name == 3) b.Set("cpu", std::to_string((k - 100) / 8)).Set("mode", std::to_string(k % 8));
  else b.Set("device", "d" + std::to_string(k));
  return b.Build();
}

class GenSeries final : public storage::Series {
 public:
  GenSeries(Spec s, int n, int jitter) : spec_(s), labels_(LabelsFor(s)), n_(n), jitter_(jitter) {}
  const model::Labels& Labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> Iterator() const override {
    return std::make_unique<storage::VectorSampleIterator>(Generate(spec_, n_, jitter_));
  }
  const Spec& spec() const { return spec_; }

 private:
  Spec spec_;
  model::Labels labels_;
  int n_, jitter_;
};

uint64_t DirBytes(const std::string& d) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(d)) n += e.file_size();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  int nseries = argc > 1 ? std::atoi(argv[1]) : 10000;
  int hours = argc > 2 ? std::atoi(argv[2]) : 6;
  int jitter = argc > 3 ? std::atoi(argv[3]) : 2;
  int n = hours * 3600 / 15;
  std::vector<std::shared_ptr<storage::Series>> series;
  for (int i = 0; i < nseries; ++i) {
    series.push_back(std::make_shared<GenSeries>(Spec{i / kPerHost, i % kPerHost, uint64_t(i) * 2654435761u + 17}, n, jitter));
  }
  std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) { return a->Labels() < b->Labels(); });
  uint64_t total = uint64_t(nseries) * n;
  std::printf("data: %d series x %d samples (%d h at 15 s, jitter +-%d ms) = %llu samples\n", nseries, n, hours,
              jitter, static_cast<unsigned long long>(total));

  // BLOCK_BENCH_VM_JSONL=<file>: also write the data as VictoriaMetrics /api/v1/import JSON lines (the stale
  // markers, which JSON cannot carry, are left out) to compare on-disk sizes with the same samples.
  if (const char* vm = std::getenv("BLOCK_BENCH_VM_JSONL")) {
    FILE* f = std::fopen(vm, "w");
    for (const auto& s : series) {
      std::string line = "{\"metric\":{";
      bool first = true;
      for (const model::Label& l : s->Labels()) {
        line += (first ? "\"" : ",\"") + l.name + "\":\"" + l.value + "\"";
        first = false;
      }
      std::string ts = "],\"timestamps\":[", vs = "},\"values\":[";
      auto it = s->Iterator();
      bool any = false;
      char buf[64];
      while (it->Next()) {
        if (std::isnan(it->At().value)) continue;
        std::snprintf(buf, sizeof(buf), "%s%.17g", any ? "," : "", it->At().value);
        vs += buf;
        std::snprintf(buf, sizeof(buf), "%s%lld", any ? "," : "", static_cast<long long>(it->At().timestamp_ms));
        ts += buf;
        any = true;
      }
      std::fprintf(f, "%s%s%s]}\n", line.c_str(), vs.c_str(), ts.c_str());
    }
    std::fclose(f);
  }

  // Reference: the head's XOR chunks of 120 samples, uncompressed (Prometheus' on-disk form).
  uint64_t xor_bytes = 0;
  for (const auto& s : series) {
    auto it = s->Iterator();
    tsdb::XorChunk c;
    while (it->Next()) {
      if (c.num_samples() == 120) {
        xor_bytes += c.bytes().size();
        c = tsdb::XorChunk();
      }
      c.Append(it->At().timestamp_ms, it->At().value);
    }
    xor_bytes += c.bytes().size();
  }
  std::printf("%-34s %7.3f bytes/sample (chunks only)\n", "xor, no zstd (Prometheus-like)", double(xor_bytes) / total);

  std::string dir = "/tmp/hblock-bench-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);

  // BLOCK_BENCH_BY_NAME=1: the default encoding's bytes per metric name (each name's series as a block of their
  // own), as a share of all samples: where the bytes go.
  if (std::getenv("BLOCK_BENCH_BY_NAME") != nullptr) {
    std::vector<std::shared_ptr<storage::Series>> group;
    double sum = 0;
    auto flush = [&] {
      if (group.empty()) return;
      auto set = storage::NewListSeriesSet(group);
      tsdb::BlockWriteOptions opts;
      opts.fsync = false;
      auto meta = tsdb::WriteBlock(dir, set.get(), storage::kMinTime, storage::kMaxTime, 1, {}, opts);
      if (!meta.ok()) return;
      std::string bdir = dir + "/" + meta->ulid;
      uint64_t chunks = std::filesystem::file_size(bdir + "/chunks");
      std::printf("  %-36s %5zu series %6.3f bytes/sample of its own, %6.3f of all\n",
                  std::string(group[0]->Labels().Get("__name__")).c_str(), group.size(),
                  double(chunks) / (double(group.size()) * n), double(chunks) / total);
      sum += double(chunks) / total;
      std::filesystem::remove_all(bdir);
      group.clear();
    };
    for (const auto& s : series) {
      if (!group.empty() && group[0]->Labels().Get("__name__") != s->Labels().Get("__name__")) flush();
      group.push_back(s);
    }
    flush();
    std::printf("  %-36s %6.3f bytes/sample (chunks files only)\n", "sum", sum);
  }
  struct Config {
    const char* name;
    tsdb::BlockChunkEncoding enc;
    size_t frame;
    int level;
  };
  const Config configs[] = {{"xor + zstd3, 64 KiB frames", tsdb::BlockChunkEncoding::kXor, 64 << 10, 3},
                            {"columns + zstd3, 64 KiB frames", tsdb::BlockChunkEncoding::kColumns, 64 << 10, 3},
                            {"columns + zstd3, 128 KiB frames", tsdb::BlockChunkEncoding::kColumns, 128 << 10, 3},
                            {"columns + zstd3, 256 KiB frames", tsdb::BlockChunkEncoding::kColumns, 256 << 10, 3},
                            {"columns + zstd9, 64 KiB frames", tsdb::BlockChunkEncoding::kColumns, 64 << 10, 9}};
  for (const Config& c : configs) {
    tsdb::BlockWriteOptions opts;
    opts.encoding = c.enc;
    opts.frame_target_bytes = c.frame;
    opts.zstd_level = c.level;
    auto set = storage::NewListSeriesSet(series);
    auto t0 = Clock::now();
    auto meta = tsdb::WriteBlock(dir, set.get(), storage::kMinTime, storage::kMaxTime, 1, {}, opts);
    double write_s = Secs(t0);
    if (!meta.ok()) {
      std::fprintf(stderr, "write: %s\n", meta.status().ToString().c_str());
      return 1;
    }
    std::string bdir = dir + "/" + meta->ulid;
    t0 = Clock::now();
    auto block = tsdb::Block::Open(bdir);
    double open_s = Secs(t0);
    if (!block.ok()) {
      std::fprintf(stderr, "open: %s\n", block.status().ToString().c_str());
      return 1;
    }
    uint64_t chunks = std::filesystem::file_size(bdir + "/chunks"), index = std::filesystem::file_size(bdir + "/index");
    std::printf("%-34s %7.3f bytes/sample (all files; chunks %.3f, index %.1f KiB), write %.2f s, open %.1f ms\n",
                c.name, double(DirBytes(bdir)) / total, double(chunks) / total, index / 1024.0, write_s, open_s * 1e3);
    // Full read.
    auto q = *(*block)->NewQuerier(storage::kMinTime, storage::kMaxTime);
    t0 = Clock::now();
    auto all = q->Select(true, nullptr, std::vector{*storage::LabelMatcher::Make(storage::MatchType::kRegexp, "__name__", ".+")});
    uint64_t read = 0;
    double sum = 0;
    while (all->Next()) {
      auto it = all->At()->Iterator();
      while (it->Next()) {
        ++read;
        sum += it->At().timestamp_ms & 1;
      }
    }
    double read_s = Secs(t0);
    std::printf("    full read: %llu samples in %.2f s = %.1f M samples/s%s\n", static_cast<unsigned long long>(read),
                read_s, read / read_s / 1e6, read == total && all->Err().ok() ? "" : "  (MISMATCH)");
    // Select by matcher: one metric of one mode across hosts, full range; one host over the last hour.
    auto sel = [&](const char* what, int64_t mint, std::vector<storage::LabelMatcher> ms) {
      auto q2 = *(*block)->NewQuerier(mint, storage::kMaxTime);
      auto t1 = Clock::now();
      auto set2 = q2->Select(true, nullptr, ms);
      uint64_t ns = 0, nsamp = 0;
      while (set2->Next()) {
        ++ns;
        auto it = set2->At()->Iterator();
        while (it->Next()) ++nsamp;
      }
      std::printf("    select %-46s %5llu series %8llu samples in %.2f ms\n", what, static_cast<unsigned long long>(ns),
                  static_cast<unsigned long long>(nsamp), Secs(t1) * 1e3);
    };
    using T = storage::MatchType;
    sel("{__name__=\"node_cpu_seconds_total\",mode=\"0\"}", storage::kMinTime,
        {*storage::LabelMatcher::Make(T::kEqual, "__name__", "node_cpu_seconds_total"),
         *storage::LabelMatcher::Make(T::kEqual, "mode", "0")});
    sel("{instance=\"host-0007:9100\"} last 1 h", kStart + (hours - 1) * 3600'000,
        {*storage::LabelMatcher::Make(T::kEqual, "instance", "host-0007:9100")});
    sel("{__name__=~\"node_load.*\",instance!~\"host-000.*\"}", storage::kMinTime,
        {*storage::LabelMatcher::Make(T::kRegexp, "__name__", "node_load.*"),
         *storage::LabelMatcher::Make(T::kNotRegexp, "instance", "host-000.*")});
    (void)sum;
    std::filesystem::remove_all(bdir);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
