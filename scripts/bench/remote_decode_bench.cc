// Remote-write request decoding on the receiver: the generated protobuf code
// (codec.h's ParseWriteRequest / DecodeWriteRequest, and the bare generated
// ParseFromArray on an arena without the conversion to our types) against the
// zero-copy decoder (request_decoder.h), reusing one WriteRequestView as the
// receiver does. Two realistic requests: 2000 series x 1 sample with ~10
// node_exporter-like labels each, and 500 series x 4 samples. CPU time of
// this thread (CLOCK_THREAD_CPUTIME_ID), best of 5 runs of >= 0.3 s each.
// One line per decoder and request:
//   <request> <decoder> ns_per_sample= msamples_per_cpu_s= mb_per_s=
// where mb_per_s is over the protobuf bytes (the snappy rows: also over the
// decoded size). Build: ninja remote_decode_bench (Release).
//   remote_decode_bench [min_seconds=0.3]
#include <google/protobuf/arena.h>
#include <snappy.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "agent/remote/codec.h"
#include "agent/remote/request_decoder.h"
#include "proto/remote.pb.h"

using namespace cistern;

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// node_exporter-like series: metric names and label sets of a real scrape,
// plus the target labels a receiver sees (instance, job, and a few external
// labels), ~10 labels each.
remote::WriteRequest MakeRequest(int series, int samples_per_series) {
  static const char* kMetrics[] = {"node_cpu_seconds_total", "node_network_receive_bytes_total",
                                   "node_filesystem_avail_bytes", "node_disk_read_bytes_total",
                                   "node_memory_MemAvailable_bytes"};
  static const char* kModes[] = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
  remote::WriteRequest req;
  for (int i = 0; i < series; ++i) {
    remote::TimeSeries ts;
    ts.labels = model::Labels{
        {"__name__", kMetrics[i % 5]},
        {"cpu", std::to_string(i % 64)},
        {"mode", kModes[i % 8]},
        {"instance", "ip-10-0-" + std::to_string(i / 250) + "-17.eu-west-1.compute.internal:9100"},
        {"job", "node_exporter"},
        {"env", "production"},
        {"region", "eu-west-1"},
        {"cluster", "k8s-prod-eu-1"},
        {"team", "infrastructure"},
        {"replica", "prometheus-0"}};
    for (int j = 0; j < samples_per_series; ++j) {
      ts.samples.push_back({1733000000000LL + 15000LL * j, 12345.67 + i * 0.25 + j});
    }
    req.timeseries.push_back(std::move(ts));
  }
  return req;
}

// Runs `fn` (one decode) until min_seconds of CPU time passed, 5 times; the
// best ns per call.
double BestNsPerCall(double min_seconds, const std::function<void()>& fn) {
  double best = 1e300;
  for (int run = 0; run < 5; ++run) {
    long calls = 0;
    double start = ThreadCpuSeconds(), now = start;
    while (now - start < min_seconds) {
      for (int i = 0; i < 16; ++i) fn();
      calls += 16;
      now = ThreadCpuSeconds();
    }
    best = std::min(best, (now - start) * 1e9 / calls);
  }
  return best;
}

void Report(const char* request, const char* decoder, double ns_per_call, size_t samples, size_t bytes) {
  std::printf("%-14s %-34s ns_per_sample=%.1f msamples_per_cpu_s=%.2f mb_per_s=%.0f\n", request, decoder,
              ns_per_call / samples, samples / ns_per_call * 1e3, bytes / ns_per_call * 1e3);
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "remote_decode_bench: %s\n", what.c_str());
  std::exit(1);
}

void Bench(const char* name, const remote::WriteRequest& req, double min_seconds) {
  const std::string raw = remote::SerializeWriteRequest(req);
  const std::string body = remote::EncodeWriteRequest(req);
  size_t samples = 0;
  for (const auto& ts : req.timeseries) samples += ts.samples.size();
  std::printf("%s: %zu series, %zu samples, %zu protobuf bytes, %zu snappy bytes\n", name,
              req.timeseries.size(), samples, raw.size(), body.size());

  size_t sink = 0;
  remote::WriteRequestView view;
  // Check both agree before timing them.
  auto want = remote::DecodeWriteRequest(body);
  if (!want.ok()) Die(want.status().ToString());
  if (Status s = remote::DecodeWriteRequestView(body, {}, &view); !s.ok()) Die(s.ToString());
  if (view.samples.size() != samples || view.series.size() != want->timeseries.size())
    Die("decoders disagree");

  // Protobuf bytes only.
  Report(name, "generated ParseFromArray (arena)",
         BestNsPerCall(min_seconds,
                       [&] {
                         google::protobuf::Arena arena;
                         auto* pb = google::protobuf::Arena::CreateMessage<prometheus::WriteRequest>(&arena);
                         if (!pb->ParseFromArray(raw.data(), static_cast<int>(raw.size()))) Die("parse");
                         sink += static_cast<size_t>(pb->timeseries_size());
                       }),
         samples, raw.size());
  Report(name, "generated ParseWriteRequest",
         BestNsPerCall(min_seconds,
                       [&] {
                         auto r = remote::ParseWriteRequest(raw);
                         sink += r->timeseries.size();
                       }),
         samples, raw.size());
  Report(name, "view ParseWriteRequestView",
         BestNsPerCall(min_seconds,
                       [&] {
                         if (!remote::ParseWriteRequestView(raw, &view).ok()) Die("view parse");
                         sink += view.samples.size();
                       }),
         samples, raw.size());

  // The POST body: snappy, then protobuf.
  std::string scratch;
  Report(name, "snappy only (Uncompress)",
         BestNsPerCall(min_seconds,
                       [&] {
                         if (!snappy::Uncompress(body.data(), body.size(), &scratch)) Die("snappy");
                         sink += scratch.size();
                       }),
         samples, raw.size());
  Report(name, "generated DecodeWriteRequest",
         BestNsPerCall(min_seconds,
                       [&] {
                         auto r = remote::DecodeWriteRequest(body);
                         sink += r->timeseries.size();
                       }),
         samples, raw.size());
  Report(name, "view DecodeWriteRequestView",
         BestNsPerCall(min_seconds,
                       [&] {
                         if (!remote::DecodeWriteRequestView(body, {}, &view).ok()) Die("view decode");
                         sink += view.samples.size();
                       }),
         samples, raw.size());
  if (sink == 0) Die("nothing decoded");
}

}  // namespace

int main(int argc, char** argv) {
  double min_seconds = argc > 1 ? std::atof(argv[1]) : 0.3;
  Bench("2000x1", MakeRequest(2000, 1), min_seconds);
  Bench("500x4", MakeRequest(500, 4), min_seconds);
  return 0;
}
