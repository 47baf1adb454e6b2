// rw_load: the remote-write load of scripts/bench/tsdb_ingest.sh. Generates node_exporter-like series
// (about 540 per host, 8-11 labels each (node_uname_info 14): CPU, memory, network, filesystem, disk, netstat, ... families;
// counters that grow by irregular amounts at the precision node_exporter reports, drifting gauges,
// mostly constant sizes, full-precision durations) and sends `hours` of scrapes `interval` apart, the
// last one just before `end`, like an agent: every series belongs to one of `conns` sender threads
// (series i to thread i % conns, one blocking libcurl easy handle each, keep-alive), which sends its
// series scrape by scrape, in timestamp order, in requests of `batch` samples grouped by series (so a
// request holds one or a few scrapes of each of its series). No thread runs more than kMaxSkew scrapes
// ahead of the slowest, as live agents do not. The load depends only on the arguments: every receiver
// gets the same samples.
//
// --histograms=N adds N classic histograms per host (default 0: none), before its node_* series:
// http_request_duration_seconds_bucket{handler, le} with Prometheus' default buckets (0.005 .. 10, +Inf),
// _sum and _count (14 series each). Each scrape observes a request count and log-normal latencies derived
// from a hash of (host, histogram, scrape) alone, so the buckets stay cumulative (le ascending) and
// consistent although a histogram's series are spread over the senders.
//
// Answers: 2xx accepted; 5xx, 429 and network errors are retried (backoff 50 ms doubling to 2 s) and
// after kMaxTries the request is given up ("failed"); other codes are errors ("rejected": none of the
// request's samples count as accepted) and the first one's body is printed on stderr.
//
// Prints one line that ends in key=value fields:
//   samples= accepted= rejected= failed=  generated / in 2xx answers / in 4xx answers / given up
//   requests= retries= series= hosts= scrapes=
//   first_ms= last_ms=                    the oldest and newest timestamp sent
//   secs= rate=                           first request to last answer; accepted / secs
//   cpu_s=                                this process' CPU (generating, encoding, sending)
//   first_error=                          HTTP code of the first rejected request (0: none)
//
//   rw_load URL SERIES HOURS [--interval=15] [--conns=4] [--batch=2000] [--end-ms=now] [--histograms=0]
#include <curl/curl.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "agent/model/labels.h"
#include "agent/model/sample.h"
#include "agent/remote/codec.h"
#include "agent/remote/request_encoder.h"

using namespace cistern;

namespace {

constexpr int kMaxSkew = 4;     // scrapes a sender may run ahead of the slowest one
constexpr int kMaxTries = 30;   // per request, on 5xx / 429 / network errors
constexpr int kCpus = 8;        // per host

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// How one series' value moves from scrape to scrape.
enum class Kind {
  kCounter,   // += step * U(0.3, 1.7) with probability p, reported in multiples of quantum
  kGauge,     // random walk (stddev step), pulled back towards its start, within [lo, hi], in multiples of quantum
  kConst,     // never changes
  kDuration,  // step * lognormal: a fresh full-precision float every scrape (scrape durations)
  kTime,      // the scrape's time in seconds, ns precision (node_time_seconds)
  kBucket,    // a classic histogram's bucket (its `le`, +Inf for _count) or, `sum`, its _sum
};

struct Model {
  Kind kind = Kind::kConst;
  double start = 0;
  double step = 0;
  double quantum = 0;  // 0: full precision
  double p = 1;
  double lo = 0, hi = 0;
  // kBucket: the histogram's hash key, requests per scrape in `step`
  uint64_t key = 0;
  double median = 0;  // seconds
  double le = 0;
  bool sum = false;
};

Model Counter(double start, double step, double quantum, double p = 1) {
  return {Kind::kCounter, start, step, quantum, p};
}
Model Gauge(double start, double step, double quantum, double lo, double hi) {
  return {Kind::kGauge, start, step, quantum, 1, lo, hi};
}
Model Const(double v) { return {Kind::kConst, v}; }
Model Duration(double typical) { return {Kind::kDuration, typical, typical}; }

// A classic histogram (kBucket): per scrape, n = rate * U(0.3, 1.7) requests whose latency is log-normal
// (median * exp(U(-0.5, 0.5)) that scrape, sigma kHistSigma); bucket le counts floor(n * P(latency <= le)).
constexpr double kHistSigma = 1.0;
constexpr double kHistBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, INFINITY};

double Unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1p-53; }  // [0, 1)

struct HistScrape {
  double n;       // requests
  double median;  // seconds
};
HistScrape HistAt(uint64_t key, double rate, double median, int scrape) {
  uint64_t h = Mix(key ^ Mix(static_cast<uint64_t>(scrape) + 1));
  return {std::floor(rate * (0.3 + 1.4 * Unit(h))), median * std::exp(Unit(Mix(h)) - 0.5)};
}
double HistBucket(const HistScrape& sc, double le) {
  if (std::isinf(le)) return sc.n;
  return std::floor(sc.n * 0.5 * std::erfc(-(std::log(le) - std::log(sc.median)) / (kHistSigma * std::sqrt(2.0))));
}
double HistSum(const HistScrape& sc) { return sc.n * sc.median * std::exp(kHistSigma * kHistSigma / 2); }

struct Series {
  model::Labels labels;
  int host = 0;
  Model m;
  double exact = 0;  // the counter's or gauge's true value; the sample is `exact` in multiples of quantum
};

// A host's series, in node_exporter's families. `rng` varies the hosts (sizes, rates, devices).
class HostBuilder {
 public:
  // `end_ms`: the last scrape (boot times are relative to it); `histograms`: see --histograms.
  HostBuilder(int host, int64_t end_ms, int histograms, std::mt19937_64* rng, std::vector<Series>* out)
      : host_(host), end_ms_(end_ms), histograms_(histograms), rng_(rng), out_(out) {
    static const char* kZones[] = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
    static const char* kRoles[] = {"worker", "worker", "worker", "ingress", "database"};
    char ip[96];
    std::snprintf(ip, sizeof ip, "ip-10-%d-%d-%d.eu-west-1.compute.internal:9100", 16 + host / 4096,
                  (host / 16) % 256, 10 + (host * 37) % 240);
    base_ = {{"instance", ip},
             {"job", "node-exporter"},
             {"cluster", host % 2 ? "prod-eu-west-1-blue" : "prod-eu-west-1-green"},
             {"env", "production"},
             {"region", "eu-west-1"},
             {"availability_zone", kZones[host % 3]},
             {"node_role", kRoles[host % 5]}};
  }

  void Build() {
    Histograms();  // first: draws nothing from rng_, and the host that SERIES cuts keeps them whole
    double uptime = Uniform(2e5, 4e6);  // seconds since boot
    Cpu(uptime);
    Memory();
    Network(uptime);
    Filesystems();
    Disks(uptime);
    Kernel(uptime);
    Scrape();
  }

 private:
  double Uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(*rng_); }
  // A host-specific variant of `v`: 0.5x .. 1.5x.
  double Vary(double v) { return v * Uniform(0.5, 1.5); }

  void Add(std::string name, std::vector<model::Label> labels, Model m) {
    labels.push_back({"__name__", std::move(name)});
    labels.insert(labels.end(), base_.begin(), base_.end());
    Series s;
    s.labels = model::Labels::FromUnsorted(std::move(labels));
    s.host = host_;
    s.m = m;
    s.exact = m.start;
    out_->push_back(std::move(s));
  }

  void Histograms() {
    static const char* kHandlers[] = {"/api/v1/query", "/api/v1/query_range", "/api/v1/write", "/api/v1/series",
                                      "/api/v1/labels", "/metrics", "/federate", "/-/ready"};
    constexpr int kN = sizeof kHandlers / sizeof kHandlers[0];
    for (int i = 0; i < histograms_; ++i) {
      uint64_t key = Mix(static_cast<uint64_t>(host_) << 20 | static_cast<uint64_t>(i));
      double rate = 15 * std::exp(std::log(0.5) + Unit(Mix(key + 1)) * std::log(400.0));  // per scrape
      double median = 0.004 * std::exp(Unit(Mix(key + 2)) * std::log(40.0));            // 4 ms .. 160 ms
      double history = 1e3 + std::floor(Unit(Mix(key + 3)) * 2e4);  // scrapes before the first one sent
      std::string handler = kHandlers[i % kN];
      if (i >= kN) handler += "/" + std::to_string(i / kN);
      HistScrape typical{std::floor(history * rate), median};
      Model m{.kind = Kind::kBucket, .step = rate, .key = key, .median = median};
      for (double le : kHistBuckets) {
        char b[32];
        std::snprintf(b, sizeof b, "%g", le);
        m.le = le;
        m.start = HistBucket(typical, le);
        Add("http_request_duration_seconds_bucket", {{"handler", handler}, {"le", std::isinf(le) ? "+Inf" : b}}, m);
      }
      m.le = INFINITY;
      m.start = HistBucket(typical, INFINITY);
      Add("http_request_duration_seconds_count", {{"handler", handler}}, m);
      m.sum = true;
      m.start = std::floor(HistSum(typical));
      Add("http_request_duration_seconds_sum", {{"handler", handler}}, m);
    }
  }

  void Cpu(double uptime) {
    // mode, share of a CPU
    static const std::pair<const char*, double> kModes[] = {
        {"idle", 0.78}, {"iowait", 0.01}, {"irq", 0.001}, {"nice", 0.0005}, {"softirq", 0.006},
        {"steal", 0.0002}, {"system", 0.05}, {"user", 0.15}};
    double busy = Uniform(0.3, 1.7);
    for (int c = 0; c < kCpus; ++c) {
      std::string cpu = std::to_string(c);
      for (auto [mode, share] : kModes) {
        double s = std::string_view(mode) == "idle" ? 1 - (1 - share) * busy : share * busy;
        Add("node_cpu_seconds_total", {{"cpu", cpu}, {"mode", mode}},
            Counter(uptime * s, 15 * s, 0.01, share < 0.001 ? 0.2 : 1));
      }
      Add("node_cpu_guest_seconds_total", {{"cpu", cpu}, {"mode", "nice"}}, Const(0));
      Add("node_cpu_guest_seconds_total", {{"cpu", cpu}, {"mode", "user"}}, Const(0));
      Add("node_softnet_processed_total", {{"cpu", cpu}}, Counter(uptime * 40 * busy, 600 * busy, 1));
      Add("node_softnet_dropped_total", {{"cpu", cpu}}, Const(0));
      Add("node_softnet_times_squeezed_total", {{"cpu", cpu}}, Counter(Vary(300), 1, 1, 0.02));
      Add("node_schedstat_running_seconds_total", {{"cpu", cpu}}, Counter(uptime * 0.2 * busy, 3 * busy, 1e-9));
      Add("node_schedstat_waiting_seconds_total", {{"cpu", cpu}}, Counter(uptime * 0.02 * busy, 0.3 * busy, 1e-9));
      Add("node_schedstat_timeslices_total", {{"cpu", cpu}}, Counter(uptime * 300 * busy, 4500 * busy, 1));
      Add("node_cpu_scaling_frequency_hertz", {{"cpu", cpu}}, Gauge(2.8e9, 2e8, 1e6, 1.2e9, 3.5e9));
    }
  }

  void Memory() {
    // field, share of MemTotal, relative drift per scrape (0: constant)
    static const std::tuple<const char*, double, double> kFields[] = {
        {"MemTotal", 1, 0}, {"MemFree", 0.08, 0.01}, {"MemAvailable", 0.55, 0.004}, {"Buffers", 0.01, 0.002},
        {"Cached", 0.45, 0.003}, {"SwapCached", 0, 0}, {"Active", 0.35, 0.003}, {"Inactive", 0.4, 0.002},
        {"Active_anon", 0.2, 0.004}, {"Inactive_anon", 0.02, 0.002}, {"Active_file", 0.15, 0.003},
        {"Inactive_file", 0.38, 0.002}, {"Unevictable", 0.0005, 0}, {"Mlocked", 0.0005, 0}, {"SwapTotal", 0, 0},
        {"SwapFree", 0, 0}, {"Dirty", 0.0002, 0.2}, {"Writeback", 0, 0}, {"AnonPages", 0.21, 0.004},
        {"Mapped", 0.03, 0.002}, {"Shmem", 0.004, 0.001}, {"KReclaimable", 0.03, 0.002}, {"Slab", 0.05, 0.002},
        {"SReclaimable", 0.03, 0.002}, {"SUnreclaim", 0.02, 0.001}, {"KernelStack", 0.0006, 0.005},
        {"PageTables", 0.003, 0.004}, {"NFS_Unstable", 0, 0}, {"Bounce", 0, 0}, {"WritebackTmp", 0, 0},
        {"CommitLimit", 0.5, 0}, {"Committed_AS", 0.6, 0.003}, {"VmallocTotal", 1024, 0},
        {"VmallocUsed", 0.002, 0.001}, {"VmallocChunk", 0, 0}, {"Percpu", 0.0004, 0},
        {"HardwareCorrupted", 0, 0}, {"AnonHugePages", 0.05, 0.002}, {"ShmemHugePages", 0, 0},
        {"ShmemPmdMapped", 0, 0}, {"FileHugePages", 0, 0}, {"FilePmdMapped", 0, 0}, {"HugePages_Total", 0, 0},
        {"HugePages_Free", 0, 0}, {"HugePages_Rsvd", 0, 0}, {"HugePages_Surp", 0, 0},
        {"Hugepagesize", 2097152, 0}, {"Hugetlb", 0, 0}, {"DirectMap4k", 0.01, 0}, {"DirectMap2M", 0.6, 0},
        {"DirectMap1G", 0.4, 0}};
    double total = 4096.0 * std::floor(Uniform(16, 64) * (1 << 30) / 4096);
    for (auto [field, share, drift] : kFields) {
      std::string name = std::string("node_memory_") + field + "_bytes";
      if (std::string_view(field) == "Hugepagesize") {
        Add(name, {}, Const(share));
        continue;
      }
      double v = 4096 * std::floor(total * share * Uniform(0.9, 1.1) / 4096);
      if (std::string_view(field) == "MemTotal") v = total;
      if (drift == 0) {
        Add(name, {}, Const(v));
      } else {
        Add(name, {}, Gauge(v, v * drift, 4096, v * 0.5, std::min(total, v * 1.5 + (1 << 20))));
      }
    }
  }

  void Network(double uptime) {
    std::string veth = "veth";
    for (int i = 0; i < 7; ++i) veth += "0123456789abcdef"[(*rng_)() % 16];
    const std::pair<std::string, double> kDevices[] = {{"eth0", 3e6}, {"lo", 2e5}, {"docker0", 4e4}, {veth, 2e4}};
    for (const auto& [dev, bytes_per_s] : kDevices) {
      double b = Vary(bytes_per_s);
      for (const char* dir : {"receive", "transmit"}) {
        std::string p = std::string("node_network_") + dir + "_";
        Add(p + "bytes_total", {{"device", dev}}, Counter(uptime * b, 15 * b, 1));
        Add(p + "packets_total", {{"device", dev}}, Counter(uptime * b / 900, 15 * b / 900, 1));
        Add(p + "errs_total", {{"device", dev}}, Const(0));
        Add(p + "drop_total", {{"device", dev}}, Counter(Vary(1000), 1, 1, 0.05));
        Add(p + "fifo_total", {{"device", dev}}, Const(0));
        Add(p + "compressed_total", {{"device", dev}}, Const(0));
        if (std::string_view(dir) == "receive") {
          Add(p + "frame_total", {{"device", dev}}, Const(0));
          Add(p + "multicast_total", {{"device", dev}}, Counter(Vary(5e4), 1, 1, 0.1));
        } else {
          Add(p + "colls_total", {{"device", dev}}, Const(0));
          Add(p + "carrier_total", {{"device", dev}}, Const(0));
        }
      }
      Add("node_network_up", {{"device", dev}}, Const(dev == "lo" ? 0 : 1));
      Add("node_network_mtu_bytes", {{"device", dev}}, Const(dev == "lo" ? 65536 : dev == "eth0" ? 9001 : 1500));
      Add("node_network_carrier", {{"device", dev}}, Const(1));
      Add("node_network_transmit_queue_length", {{"device", dev}}, Const(dev == "lo" ? 1000 : 0));
      Add("node_network_speed_bytes", {{"device", dev}}, Const(dev == "eth0" ? 3.125e9 : 1.25e9));
    }
  }

  void Filesystems() {
    struct Fs {
      const char* device;
      const char* fstype;
      const char* mountpoint;
      double size_gib;
      double used;   // share
      double churn;  // bytes per scrape, relative to the size
    };
    static const Fs kFs[] = {{"/dev/nvme0n1p1", "ext4", "/", 100, 0.4, 2e-7},
                             {"/dev/nvme1n1", "xfs", "/var/lib/docker", 500, 0.6, 1e-6},
                             {"/dev/nvme0n1p15", "vfat", "/boot/efi", 0.1, 0.06, 0},
                             {"tmpfs", "tmpfs", "/run", 3.2, 0.002, 1e-6},
                             {"tmpfs", "tmpfs", "/run/lock", 0.005, 0, 0},
                             {"tmpfs", "tmpfs", "/dev/shm", 16, 0, 0}};
    for (const Fs& f : kFs) {
      std::vector<model::Label> l = {{"device", f.device}, {"fstype", f.fstype}, {"mountpoint", f.mountpoint}};
      double size = 4096 * std::floor(f.size_gib * (1 << 30) / 4096);
      double avail = 4096 * std::floor(size * (1 - f.used * Uniform(0.5, 1.5)) / 4096);
      double files = std::floor(size / 16384);
      Add("node_filesystem_size_bytes", l, Const(size));
      if (f.churn == 0) {
        Add("node_filesystem_free_bytes", l, Const(avail));
        Add("node_filesystem_avail_bytes", l, Const(avail));
        Add("node_filesystem_files_free", l, Const(files * 0.9));
      } else {
        double step = size * f.churn;
        Add("node_filesystem_free_bytes", l, Gauge(avail + 0.05 * size, step, 4096, 0, size));
        Add("node_filesystem_avail_bytes", l, Gauge(avail, step, 4096, 0, size));
        Add("node_filesystem_files_free", l, Gauge(files * 0.9, 20, 1, 0, files));
      }
      Add("node_filesystem_files", l, Const(files));
      Add("node_filesystem_readonly", l, Const(0));
      Add("node_filesystem_device_error", l, Const(0));
    }
  }

  void Disks(double uptime) {
    for (const char* dev : {"nvme0n1", "nvme1n1", "dm-0"}) {
      std::vector<model::Label> l = {{"device", dev}};
      double r = Vary(20), w = Vary(60);  // IOPS
      Add("node_disk_reads_completed_total", l, Counter(uptime * r, 15 * r, 1));
      Add("node_disk_reads_merged_total", l, Counter(uptime * r / 10, 1.5 * r, 1, 0.5));
      Add("node_disk_read_bytes_total", l, Counter(uptime * r * 16384, 15 * r * 16384, 512));
      Add("node_disk_read_time_seconds_total", l, Counter(uptime * r * 2e-4, 15 * r * 2e-4, 0.001));
      Add("node_disk_writes_completed_total", l, Counter(uptime * w, 15 * w, 1));
      Add("node_disk_writes_merged_total", l, Counter(uptime * w / 3, 5 * w, 1));
      Add("node_disk_written_bytes_total", l, Counter(uptime * w * 24576, 15 * w * 24576, 512));
      Add("node_disk_write_time_seconds_total", l, Counter(uptime * w * 5e-4, 15 * w * 5e-4, 0.001));
      Add("node_disk_io_now", l, Gauge(0, 1, 1, 0, 8));
      Add("node_disk_io_time_seconds_total", l, Counter(uptime * 0.02, 0.3, 0.001));
      Add("node_disk_io_time_weighted_seconds_total", l, Counter(uptime * 0.04, 0.6, 0.001));
      Add("node_disk_discards_completed_total", l, Counter(Vary(1e4), 2, 1, 0.01));
      Add("node_disk_discards_merged_total", l, Const(0));
      Add("node_disk_discarded_sectors_total", l, Counter(Vary(1e8), 2e4, 1, 0.01));
      Add("node_disk_discard_time_seconds_total", l, Counter(Vary(10), 0.01, 0.001, 0.01));
      Add("node_disk_flush_requests_total", l, Counter(uptime * 2, 30, 1));
      Add("node_disk_flush_requests_time_seconds_total", l, Counter(uptime * 2e-3, 0.03, 0.001));
    }
  }

  void Kernel(double uptime) {
    double boot = std::floor(end_ms_ / 1000.0 - uptime);
    Add("node_boot_time_seconds", {}, Const(boot));
    Add("node_time_seconds", {}, {Kind::kTime});
    Add("node_load1", {}, Gauge(Vary(1.5), 0.2, 0.01, 0, 16));
    Add("node_load5", {}, Gauge(Vary(1.5), 0.08, 0.01, 0, 16));
    Add("node_load15", {}, Gauge(Vary(1.5), 0.03, 0.01, 0, 16));
    Add("node_procs_running", {}, Gauge(3, 1.5, 1, 1, 16));
    Add("node_procs_blocked", {}, Gauge(0, 0.3, 1, 0, 4));
    Add("node_context_switches_total", {}, Counter(uptime * 4000, 6e4, 1));
    Add("node_intr_total", {}, Counter(uptime * 2500, 3.75e4, 1));
    Add("node_forks_total", {}, Counter(uptime * 10, 150, 1));
    Add("node_entropy_available_bits", {}, Const(256));
    Add("node_filefd_allocated", {}, Gauge(Vary(6000), 30, 1, 1000, 60000));
    Add("node_filefd_maximum", {}, Const(9223372036854775807.0));
    Add("node_nf_conntrack_entries", {}, Gauge(Vary(3000), 60, 1, 100, 262144));
    Add("node_nf_conntrack_entries_limit", {}, Const(262144));
    Add("node_timex_offset_seconds", {}, Gauge(0, 2e-5, 1e-9, -1e-3, 1e-3));
    Add("node_timex_frequency_adjustment_ratio", {}, Gauge(1.0000123, 1e-8, 0, 0.999, 1.001));
    Add("node_timex_sync_status", {}, Const(1));
    Add("node_uname_info",
        {{"domainname", "(none)"}, {"machine", "x86_64"}, {"nodename", base_[0].value.substr(0, base_[0].value.find('.'))},
         {"release", "6.1.0-18-cloud-amd64"}, {"sysname", "Linux"}, {"version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1"}},
        Const(1));
    Add("node_os_info", {{"id", "debian"}, {"name", "Debian GNU/Linux"}, {"version_id", "12"}}, Const(1));
    for (const char* p : {"cpu_waiting", "io_waiting", "io_stalled", "memory_waiting", "memory_stalled"}) {
      Add(std::string("node_pressure_") + p + "_seconds_total", {}, Counter(Vary(uptime * 1e-3), 0.015, 1e-6, 0.7));
    }
    for (int i = 0; i < 4; ++i) {
      Add("node_hwmon_temp_celsius", {{"chip", "platform_coretemp_0"}, {"sensor", "temp" + std::to_string(i + 1)}},
          Gauge(Vary(45), 1, 1, 30, 90));
      Add("node_hwmon_temp_crit_celsius",
          {{"chip", "platform_coretemp_0"}, {"sensor", "temp" + std::to_string(i + 1)}}, Const(100));
    }
    Add("node_arp_entries", {{"device", "eth0"}}, Gauge(Vary(8), 0.3, 1, 1, 64));
    Add("node_arp_entries", {{"device", "docker0"}}, Gauge(Vary(4), 0.3, 1, 0, 64));
    static const char* kCounters[] = {"node_vmstat_pgpgin", "node_vmstat_pgpgout", "node_vmstat_pgfault",
                                      "node_vmstat_pgmajfault", "node_netstat_Tcp_ActiveOpens",
                                      "node_netstat_Tcp_PassiveOpens", "node_netstat_Tcp_InSegs",
                                      "node_netstat_Tcp_OutSegs", "node_netstat_Tcp_RetransSegs",
                                      "node_netstat_Tcp_OutRsts", "node_netstat_Udp_InDatagrams",
                                      "node_netstat_Udp_OutDatagrams", "node_netstat_Udp_NoPorts",
                                      "node_netstat_Icmp_InMsgs", "node_netstat_Icmp_OutMsgs",
                                      "node_netstat_TcpExt_SyncookiesSent", "node_netstat_TcpExt_TCPSynRetrans",
                                      "node_netstat_TcpExt_TCPTimeouts", "node_netstat_IpExt_InOctets",
                                      "node_netstat_IpExt_OutOctets", "node_netstat_Ip6_InOctets",
                                      "node_netstat_Ip6_OutOctets", "node_netstat_Udp6_InDatagrams",
                                      "node_netstat_Udp6_OutDatagrams"};
    for (const char* name : kCounters) {
      double rate = std::exp(Uniform(std::log(0.05), std::log(2e5)));  // per second
      Add(name, {}, Counter(uptime * rate, 15 * rate, 1, rate < 1 ? 0.3 : 1));
    }
    static const char* kZero[] = {"node_vmstat_pswpin", "node_vmstat_pswpout", "node_vmstat_oom_kill",
                                  "node_netstat_Tcp_InErrs", "node_netstat_Udp_InErrors",
                                  "node_netstat_Udp_RcvbufErrors", "node_netstat_Udp_SndbufErrors",
                                  "node_netstat_Icmp_InErrors", "node_netstat_TcpExt_ListenDrops",
                                  "node_netstat_TcpExt_ListenOverflows", "node_netstat_TcpExt_SyncookiesRecv",
                                  "node_netstat_TcpExt_SyncookiesFailed"};
    for (const char* name : kZero) Add(name, {}, Const(0));
    Add("node_netstat_Tcp_CurrEstab", {}, Gauge(Vary(200), 5, 1, 1, 5000));
    Add("node_netstat_Ip_Forwarding", {}, Const(1));
    static const char* kSockstat[] = {"TCP_alloc", "TCP_inuse", "TCP_mem", "TCP_mem_bytes", "TCP_orphan",
                                      "TCP_tw", "UDP_inuse", "UDP_mem", "UDP_mem_bytes", "sockets_used",
                                      "FRAG_inuse", "RAW_inuse"};
    for (const char* s : kSockstat) {
      std::string_view v(s);
      double q = v.ends_with("_bytes") ? 4096 : 1;
      double start = v.starts_with("FRAG") || v.starts_with("RAW") ? 0 : Vary(v.ends_with("_bytes") ? 4e6 : 150);
      Add(std::string("node_sockstat_") + s, {}, start == 0 ? Const(0) : Gauge(start, start * 0.02, q, 0, start * 4));
    }
  }

  void Scrape() {
    static const char* kCollectors[] = {
        "arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi", "edac",
        "entropy", "fibrechannel", "filefd", "filesystem", "hwmon", "infiniband", "ipvs", "loadavg", "mdadm",
        "meminfo", "netclass", "netdev", "netstat", "nfs", "nfsd", "nvme", "os", "powersupplyclass",
        "pressure", "rapl", "schedstat", "selinux", "sockstat", "softnet", "stat", "tapestats", "textfile",
        "thermal_zone", "time", "timex", "udp_queues", "uname", "vmstat", "xfs", "zfs"};
    for (const char* c : kCollectors) {
      Add("node_scrape_collector_duration_seconds", {{"collector", c}}, Duration(std::exp(Uniform(-10, -4))));
      Add("node_scrape_collector_success", {{"collector", c}}, Const(1));
    }
    Add("node_textfile_scrape_error", {}, Const(0));
  }

  int host_;
  int64_t end_ms_;
  int histograms_;
  std::mt19937_64* rng_;
  std::vector<Series>* out_;
  std::vector<model::Label> base_;
};

// When the hosts are scraped: scrape `s` of `host` is at first_ms + s * interval_ms + the host's offset (hosts are
// spread over the interval, all series of a host share the timestamp), a third of the scrapes a few ms late or
// early.
struct Grid {
  int64_t first_ms = 0;
  int64_t interval_ms = 15000;
  int64_t At(int host, int s) const {
    uint64_t h = Mix(static_cast<uint64_t>(host) << 32 | static_cast<uint32_t>(s));
    int jitter = h % 3 == 0 ? static_cast<int>((h >> 8) % 11) - 5 : 0;
    return first_ms + s * interval_ms + 10 + static_cast<int64_t>(Mix(host) % (interval_ms - 20)) + jitter;
  }
};

// The value of `s` at its next scrape (number `scrape`, at `ts`).
double Next(Series* s, int64_t ts, int scrape, std::mt19937_64* rng) {
  const Model& m = s->m;
  auto quantize = [&](double v) {
    if (m.quantum == 0) return v;
    if (m.quantum < 1) {  // as node_exporter computes them: ticks / (1 / quantum)
      double inv = std::round(1 / m.quantum);
      return std::floor(v * inv) / inv;
    }
    return m.quantum * std::floor(v / m.quantum);
  };
  switch (m.kind) {
    case Kind::kConst:
      return m.start;
    case Kind::kCounter:
      if (m.p >= 1 || std::uniform_real_distribution<double>(0, 1)(*rng) < m.p) {
        s->exact += m.step * std::uniform_real_distribution<double>(0.3, 1.7)(*rng);
      }
      return quantize(s->exact);
    case Kind::kGauge: {
      double v = s->exact + m.step * std::normal_distribution<double>(0, 1)(*rng) + (m.start - s->exact) * 0.02;
      s->exact = std::clamp(v, m.lo, m.hi);
      return quantize(s->exact);
    }
    case Kind::kDuration:
      return m.step * std::exp(0.4 * std::normal_distribution<double>(0, 1)(*rng));
    case Kind::kTime:
      return (ts + std::uniform_int_distribution<int>(3, 40)(*rng)) / 1000.0 +
             std::uniform_int_distribution<int>(0, 999999)(*rng) * 1e-9;
    case Kind::kBucket: {
      HistScrape sc = HistAt(m.key, m.step, m.median, scrape);
      s->exact += m.sum ? HistSum(sc) : HistBucket(sc, m.le);
      return s->exact;
    }
  }
  return 0;
}

struct Options {
  std::string url;
  int series = 0;
  double hours = 0;
  int interval_s = 15;
  int conns = 4;
  int batch = 2000;
  int64_t end_ms = 0;
  int histograms = 0;
};

struct Totals {
  std::atomic<uint64_t> accepted{0}, rejected{0}, failed{0}, requests{0}, retries{0};
  std::atomic<int> first_error{0};
  std::once_flag reported_4xx, reported_network;
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One sender thread: its own series, one keep-alive connection.
class Sender {
 public:
  Sender(const Options& o, Grid grid, std::vector<Series> series, int index, Totals* totals)
      : o_(o), grid_(grid), series_(std::move(series)), rng_(Mix(index + 1)), totals_(totals) {
    curl_ = curl_easy_init();
    for (std::string h : {std::string("Content-Type: ") + remote::kContentType,
                          std::string("Content-Encoding: ") + remote::kContentEncoding,
                          std::string(remote::kVersionHeader) + ": " + remote::kVersion}) {
      headers_ = curl_slist_append(headers_, h.c_str());
    }
    headers_ = curl_slist_append(headers_, "Expect:");
    curl_easy_setopt(curl_, CURLOPT_URL, o_.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "cistern-rw-load/0.1");
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer_);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
  }
  ~Sender() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  int64_t min_ts() const { return min_ts_; }
  int64_t max_ts() const { return max_ts_; }

  // Sends scrape `s` of every series (full requests); Flush sends what is left.
  void SendScrape(int s) {
    for (uint32_t i = 0; i < series_.size(); ++i) {
      int64_t ts = grid_.At(series_[i].host, s);
      min_ts_ = std::min(min_ts_, ts);
      max_ts_ = std::max(max_ts_, ts);
      pending_.push_back({i, {ts, Next(&series_[i], ts, s, &rng_)}});
      if (static_cast<int>(pending_.size()) >= o_.batch) Flush();
    }
  }

  void Flush() {
    if (pending_.empty()) return;
    std::stable_sort(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    samples_.clear();
    for (const auto& p : pending_) samples_.push_back(p.second);
    for (size_t a = 0; a < pending_.size();) {
      size_t b = a;
      while (b < pending_.size() && pending_[b].first == pending_[a].first) ++b;
      encoder_.Add(series_[pending_[a].first].labels, std::span(samples_).subspan(a, b - a));
      a = b;
    }
    encoder_.Finish(&body_);
    Post(pending_.size());
    pending_.clear();
  }

 private:
  void Post(size_t n) {
    int64_t backoff_ms = 50;
    for (int attempt = 1;; ++attempt) {
      answer_.clear();
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body_.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
      CURLcode rc = curl_easy_perform(curl_);
      long code = 0;
      if (rc == CURLE_OK) curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
      totals_->requests++;
      if (rc == CURLE_OK && code / 100 == 2) {
        totals_->accepted += n;
        return;
      }
      bool retry = rc != CURLE_OK || code == 429 || code / 100 == 5;
      if (!retry) {
        totals_->rejected += n;
        int zero = 0;
        totals_->first_error.compare_exchange_strong(zero, static_cast<int>(code));
        std::call_once(totals_->reported_4xx, [&] {
          std::fprintf(stderr, "rw_load: %s: HTTP %ld: %.300s\n", o_.url.c_str(), code, answer_.c_str());
        });
        return;
      }
      if (rc != CURLE_OK) {
        std::call_once(totals_->reported_network, [&] {
          std::fprintf(stderr, "rw_load: %s: %s (retrying)\n", o_.url.c_str(), curl_easy_strerror(rc));
        });
      }
      if (attempt >= kMaxTries) {
        std::fprintf(stderr, "rw_load: %s: giving up a request after %d tries (last: %s %ld %.200s)\n",
                     o_.url.c_str(), attempt, curl_easy_strerror(rc), code, answer_.c_str());
        totals_->failed += n;
        return;
      }
      totals_->retries++;
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min<int64_t>(backoff_ms * 2, 2000);
    }
  }

  const Options& o_;
  Grid grid_;
  std::vector<Series> series_;
  std::mt19937_64 rng_;
  Totals* totals_;
  CURL* curl_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::vector<std::pair<uint32_t, model::Sample>> pending_;  // (series, sample) in scrape order
  std::vector<model::Sample> samples_;
  remote::RequestEncoder encoder_;
  std::string body_, answer_;
  int64_t min_ts_ = INT64_MAX, max_ts_ = INT64_MIN;
};

bool Flag(std::string_view arg, std::string_view name, std::string* value) {
  if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') return false;
  *value = std::string(arg.substr(name.size() + 1));
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: rw_load URL SERIES HOURS [--interval=15] [--conns=4] [--batch=2000] [--end-ms=now] "
               "[--histograms=0]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string_view> pos;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    std::string v;
    if (Flag(a, "--interval", &v)) {
      o.interval_s = std::atoi(v.c_str());
    } else if (Flag(a, "--conns", &v)) {
      o.conns = std::atoi(v.c_str());
    } else if (Flag(a, "--batch", &v)) {
      o.batch = std::atoi(v.c_str());
    } else if (Flag(a, "--end-ms", &v)) {
      o.end_ms = std::atoll(v.c_str());
    } else if (Flag(a, "--histograms", &v)) {
      o.histograms = std::atoi(v.c_str());
    } else if (a.starts_with("--")) {
      return Usage();
    } else {
      pos.push_back(a);
    }
  }
  if (pos.size() != 3) return Usage();
  o.url = pos[0];
  o.series = std::atoi(pos[1].data());
  o.hours = std::atof(pos[2].data());
  if (o.end_ms == 0) o.end_ms = NowMs();
  int scrapes = static_cast<int>(std::llround(o.hours * 3600 / o.interval_s));
  if (o.series < 1 || scrapes < 1 || o.interval_s < 1 || o.conns < 1 || o.batch < 1 || o.histograms < 0) {
    std::fprintf(stderr, "rw_load: need SERIES >= 1, HOURS >= one interval, --interval, --conns, --batch >= 1\n");
    return 2;
  }
  Grid grid{.first_ms = o.end_ms - scrapes * o.interval_s * 1000LL, .interval_ms = o.interval_s * 1000LL};

  // All hosts' series, the last host cut at SERIES, dealt out to the senders.
  std::vector<Series> all;
  std::mt19937_64 rng(42);
  int hosts = 0;
  while (static_cast<int>(all.size()) < o.series) HostBuilder(hosts++, o.end_ms, o.histograms, &rng, &all).Build();
  all.resize(static_cast<size_t>(o.series));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Totals totals;
  std::vector<std::unique_ptr<Sender>> senders;
  {
    std::vector<std::vector<Series>> parts(static_cast<size_t>(o.conns));
    for (size_t i = 0; i < all.size(); ++i) parts[i % o.conns].push_back(std::move(all[i]));
    all.clear();
    for (int k = 0; k < o.conns; ++k) senders.push_back(std::make_unique<Sender>(o, grid, std::move(parts[k]), k, &totals));
  }
  std::vector<std::atomic<int>> done(static_cast<size_t>(o.conns));
  for (auto& d : done) d = 0;
  auto slowest = [&] {
    int m = INT32_MAX;
    for (auto& d : done) m = std::min(m, d.load());
    return m;
  };
  double cpu0 = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < o.conns; ++k) {
    threads.emplace_back([&, k] {
      Sender& sender = *senders[k];
      for (int s = 0; s < scrapes; ++s) {
        while (s - slowest() > kMaxSkew) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        sender.SendScrape(s);
        done[k] = s + 1;
      }
      sender.Flush();
      done[k] = INT32_MAX;
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = CpuSeconds() - cpu0;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  for (const auto& sender : senders) {
    min_ts = std::min(min_ts, sender->min_ts());
    max_ts = std::max(max_ts, sender->max_ts());
  }
  senders.clear();
  curl_global_cleanup();
  uint64_t samples = static_cast<uint64_t>(o.series) * scrapes;
  std::printf(
      "sent %llu samples (%d series on %d hosts x %d scrapes) in %.2fs: %.0f accepted samples/s; samples=%llu "
      "accepted=%llu rejected=%llu failed=%llu requests=%llu retries=%llu series=%d hosts=%d scrapes=%d "
      "first_ms=%lld last_ms=%lld secs=%.3f rate=%.0f cpu_s=%.2f first_error=%d\n",
      static_cast<unsigned long long>(samples), o.series, hosts, scrapes, secs, totals.accepted / secs,
      static_cast<unsigned long long>(samples), static_cast<unsigned long long>(totals.accepted.load()),
      static_cast<unsigned long long>(totals.rejected.load()), static_cast<unsigned long long>(totals.failed.load()),
      static_cast<unsigned long long>(totals.requests.load()), static_cast<unsigned long long>(totals.retries.load()),
      o.series, hosts, scrapes, static_cast<long long>(min_ts), static_cast<long long>(max_ts), secs,
      totals.accepted / secs, cpu, totals.first_error.load());
  return totals.accepted == samples ? 0 : 1;
}
