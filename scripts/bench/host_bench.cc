// Host input collection cost: runs every default host collector N times in
// this process (appending into a discarding appender, as the agent's WAL
// appender would receive them) and reports CPU and wall time per collection.
//   host_bench [collections=200]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "plugins/host/collector.h"

using namespace cistern;

namespace {
double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Builds each sample's labels like a real appender would, then drops them.
class Discard : public storage::Appender {
 public:
  StatusOr<storage::SeriesRef> Append(storage::SeriesRef, const model::Labels& labels, int64_t, double) override {
    bytes_ += labels.size();
    ++n_;
    return storage::SeriesRef{0};
  }
  Status Commit() override { return OkStatus(); }
  void Rollback() override {}
  uint64_t n_ = 0, bytes_ = 0;
};
}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 200;
  plugins::host::HostConfig config;
  std::vector<std::unique_ptr<plugins::host::Collector>> collectors;
  for (auto table : {plugins::host::SystemCollectors(), plugins::host::DeviceCollectors()}) {
    for (const auto& c : table) {
      if (c.enabled_by_default) collectors.push_back(c.create(config));
    }
  }
  Discard sink;
  double cpu0 = CpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    plugins::host::Emitter out(&sink, 1000LL * i);
    for (auto& c : collectors) c->Collect(out).IgnoreError();
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = CpuSeconds() - cpu0;
  std::printf("collections=%d samples_per_collection=%llu cpu_ms_per_collection=%.3f wall_ms_per_collection=%.3f\n", n,
              static_cast<unsigned long long>(sink.n_ / std::max(1, n)), cpu * 1000 / n, wall * 1000 / n);
  return 0;
}
