// Backlog drain: writes a WAL backlog of `series` x `batches` node_exporter-like
// samples, then drains it through one QueueManager into a real receiver and
// reports samples/s and CPU seconds per million samples of this process.
//   remote_drain_bench URL [series=10000] [batches=40]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

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

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: remote_drain_bench URL [series] [batches]\n");
    return 2;
  }
  obs::InitLogging(obs::LogLevel::kWarn, obs::LogFormat::kText);
  int series = argc > 2 ? std::atoi(argv[2]) : 10000;
  int batches = argc > 3 ? std::atoi(argv[3]) : 40;
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

  uv_loop_t loop;
  uv_loop_init(&loop);
  obs::Registry metrics;
  remote::EndpointOptions e;
  e.name = "bench";
  e.url = argv[1];
  e.batch_send_deadline = Duration(100);
  auto q = std::make_unique<remote::QueueManager>(&loop, w->get(), e, &metrics);
  double cpu0 = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  if (!q->Start().ok()) return 1;
  loop::Timer poll(&loop);
  bool done = false;
  poll.Start(10, 10, [&] {
    std::string text = metrics.RenderText();
    auto p = text.find("cistern_remote_samples_sent_total{remote=\"bench\"} ");
    if (p != std::string::npos && std::stod(text.substr(p + 50)) >= static_cast<double>(total)) {
      done = true;
      poll.Stop();
      uv_stop(&loop);
    }
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = CpuSeconds() - cpu0;
  bool stopped = false;
  q->Stop([&] { stopped = true; });
  while (!stopped) uv_run(&loop, UV_RUN_ONCE);
  q.reset();
  poll.Stop();
  uv_run(&loop, UV_RUN_DEFAULT);
  std::printf("drained %llu samples (%d series x %d scrapes) in %.2fs: %.0f samples/s, %.2f CPU s per million samples\n",
              static_cast<unsigned long long>(total), series, batches, secs, total / secs, cpu / (total / 1e6));
  std::filesystem::remove_all(dir);
  return done ? 0 : 1;
}
