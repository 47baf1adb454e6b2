// promql_testdata: the dataset of the PromQL differential test
// (promql_compare_test.sh). Writes the same deterministic samples to every
// remote-write URL given: 2 h at 15 s resolution, [end - 2h, end], in time
// order, in requests of 5 minutes (every URL gets a window before the next
// window is sent, so no receiver falls behind its head). The values depend
// only on the step index, never on the wall clock; --end-ms places them.
//
// What it holds (promql_compare.py's queries rely on it; S = start, steps of
// 15 s, "m" = minutes after S):
//   http_requests_total{job,instance,method,code,path}  integer counters,
//       api-server on the grid, frontend 4.321 s late with a few ms jitter;
//       resets: 10.0.0.2:8080 at 50m, fe-b at 90m; fe-b has no samples in
//       [80m, 90m) (target down, no staleness markers).
//   process_cpu_seconds_total{job,instance}  float counters, same resets/gap.
//   up{job,instance}  1, fe-b 0 in [80m, 90m).
//   build_info{job,instance,version,revision}  1 (group_left joins).
//   node_temperature_celsius{job,instance,sensor}  gauges, "outdoor" negative.
//   queue_depth{job,instance,queue}  small integer gauges (ties, count_values).
//   instance_role{instance,role}  1 (one-to-one / many-to-one joins).
//   http_request_duration_seconds_{bucket,sum,count}{job,instance[,le]}
//       a classic histogram, 8 buckets incl. "+Inf", reset with its instance.
//   rpc_latency_seconds_bucket{service,le}  "search": buckets sometimes not
//       monotonic; "billing": no "+Inf" bucket.
//   gappy_gauge{instance}  "a": no samples in [40m, 52m) (gap > lookback);
//       "b": none in [60m, 63m) (gap < lookback).
//   ephemeral_jobs{pod}, batch_processed_total{pod}  ended by staleness
//       markers: worker-1 after 60m, worker-2 runs 30m..100m, worker-3
//       (ephemeral_jobs only) stale after 45m, back from 70m.
//   special_values{kind}  nan, inf, neg_inf, mixed (cycles 1.5 NaN +Inf -2.25
//       -Inf 0 3), zero, tiny, huge, negative.
//   sparse_counter_total{instance}  every 60 s / every 150 s, 7 s off-grid.
//   disk_free_bytes{instance,mountpoint}  linear decrease, one cleanup jump.
//   label_test{env,team,tier}  label values for regex and label_* tests.
//   job:http_requests:rate5m{job}  a recording-rule style name.
//
// Prints one line: series= samples= stale= (markers among the samples) start_ms= end_ms= first_ms= last_ms=.
//
//   promql_testdata URL... [--end-ms=now floored to 15 s] [--dump]
// --dump prints the samples (labels, ms, value) instead of sending them.
#include <curl/curl.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/model/labels.h"
#include "agent/model/sample.h"
#include "agent/remote/codec.h"
#include "agent/remote/request_encoder.h"

using namespace cistern;

namespace {

constexpr int kSteps = 480;  // 2 h; a full series has kSteps + 1 samples
constexpr int64_t kStepMs = 15000;
constexpr int64_t kWindowMs = 5 * 60 * 1000;  // one request per receiver per window
constexpr int kMinute = 4;                    // steps per minute

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1), a function of (seed, i) only.
double U(uint64_t seed, int i) {
  return static_cast<double>(Mix(seed * 1000003ULL + static_cast<uint64_t>(i)) >> 11) / 9007199254740992.0;
}

double Round(double v, double quantum) { return std::round(v / quantum) * quantum; }

struct Series {
  model::Labels labels;
  std::vector<model::Sample> samples;  // in time order
};

// Builds the dataset; each series gets its own seed (its position).
class Dataset {
 public:
  explicit Dataset(int64_t start_ms) : start_(start_ms) {
    Http();
    Temperatures();
    Queues();
    Histograms();
    GapsAndStaleness();
    Specials();
    Misc();
  }
  std::vector<Series>& series() { return series_; }

 private:
  // Timestamp of step i, `offset_ms` late, with up to +-jitter ms of noise.
  int64_t T(int i, int64_t offset_ms = 0, int jitter = 0) const {
    int64_t j =
        jitter
            ? static_cast<int64_t>(Mix(static_cast<uint64_t>(i) * 7919 + series_.size()) % (2 * jitter + 1)) -
                  jitter
            : 0;
    return start_ + i * kStepMs + offset_ms + j;
  }
  uint64_t Seed() const { return series_.size() + 1; }
  Series& Add(std::vector<model::Label> labels) {
    series_.push_back({model::Labels::FromUnsorted(std::move(labels)), {}});
    return series_.back();
  }

  struct Target {
    const char* job;
    const char* instance;
    int reset_step;          // counter restarts at this step (-1: never)
    int down_from, down_to;  // no samples in [from, to) (up = 0)
    int64_t offset_ms;
    int jitter_ms;
  };
  static constexpr Target kTargets[] = {
      {"api-server", "10.0.0.1:8080", -1, -1, -1, 0, 0},
      {"api-server", "10.0.0.2:8080", 50 * kMinute, -1, -1, 0, 0},
      {"frontend", "fe-a.example.org:80", -1, -1, -1, 4321, 40},
      {"frontend", "fe-b.example.org:80", 90 * kMinute, 80 * kMinute, 90 * kMinute, 4321, 40},
  };

  // A counter of target `t` growing by step(i) per step from `initial`.
  template <typename Step>
  void Counter(std::vector<model::Label> labels, const Target& t, double initial, Step step) {
    Series& s = Add(std::move(labels));
    double v = initial;
    for (int i = 0; i <= kSteps; ++i) {
      if (i == t.reset_step) v = 0;
      v += step(i);
      if (i >= t.down_from && i < t.down_to) continue;
      s.samples.push_back({T(i, t.offset_ms, t.jitter_ms), v});
    }
  }

  void Http() {
    struct Combo {
      const char* method;
      const char* code;
      double per_step;
    };
    static const Combo kCombos[] = {
        {"GET", "200", 40}, {"GET", "404", 3}, {"POST", "200", 10}, {"POST", "500", 0.4}};
    static const char* kApiPaths[] = {"/api/v1/users", "/api/v1/users/{id}", "/api/v2/orders",
                                      "/api/v2/orders"};
    static const char* kFePaths[] = {"/", "/static/app.js", "/login", "/login"};
    int k = 0;
    for (const Target& t : kTargets) {
      bool api = std::string_view(t.job) == "api-server";
      for (int c = 0; c < 4; ++c, ++k) {
        const Combo& combo = kCombos[c];
        uint64_t seed = Seed();
        double scale = 1 + 0.3 * k;
        Counter({{"__name__", "http_requests_total"},
                 {"job", t.job},
                 {"instance", t.instance},
                 {"method", combo.method},
                 {"code", combo.code},
                 {"path", api ? kApiPaths[c] : kFePaths[c]}},
                t, 1000.0 * (k + 1), [&](int i) {
                  double r = combo.per_step * scale * (1 + 0.5 * std::sin(i / 40.0 + k));
                  return std::floor(r * 2 * U(seed, i) + 0.5);
                });
      }
    }
    for (const Target& t : kTargets) {
      uint64_t seed = Seed();
      Counter({{"__name__", "process_cpu_seconds_total"}, {"job", t.job}, {"instance", t.instance}}, t,
              3600.25, [&](int i) { return Round(15 * (0.1 + 0.8 * U(seed, i)), 0.01); });
    }
    for (const Target& t : kTargets) {
      Series& s = Add({{"__name__", "up"}, {"job", t.job}, {"instance", t.instance}});
      for (int i = 0; i <= kSteps; ++i) {
        s.samples.push_back({T(i, t.offset_ms, t.jitter_ms), i >= t.down_from && i < t.down_to ? 0.0 : 1.0});
      }
    }
    static const char* kVersions[][2] = {
        {"1.2.3", "abc123"}, {"1.2.3", "abc123"}, {"1.3.0-rc.1", "def456"}, {"2.0.0", "0a1b2c"}};
    for (int i = 0; i < 4; ++i) {
      const Target& t = kTargets[i];
      Series& s = Add({{"__name__", "build_info"},
                       {"job", t.job},
                       {"instance", t.instance},
                       {"version", kVersions[i][0]},
                       {"revision", kVersions[i][1]}});
      for (int j = 0; j <= kSteps; ++j) s.samples.push_back({T(j, t.offset_ms, t.jitter_ms), 1});
    }
  }

  void Temperatures() {
    for (const char* host : {"host-1", "host-2"}) {
      Series& u = Add({{"__name__", "up"}, {"job", "node"}, {"instance", host}});
      for (int i = 0; i <= kSteps; ++i) u.samples.push_back({T(i), 1});
      for (const char* sensor : {"cpu0", "cpu1", "outdoor"}) {
        uint64_t seed = Seed();
        bool outdoor = std::string_view(sensor) == "outdoor";
        Series& s = Add({{"__name__", "node_temperature_celsius"},
                         {"job", "node"},
                         {"instance", host},
                         {"sensor", sensor}});
        for (int i = 0; i <= kSteps; ++i) {
          double v = outdoor ? -5 + 8 * std::sin(i / 76.0 + static_cast<double>(seed)) + U(seed, i)
                             : 45 + 10 * std::sin(i / 19.0 + static_cast<double>(seed)) + 3 * U(seed, i);
          s.samples.push_back({T(i), Round(v, 0.125)});
        }
      }
    }
    for (auto [host, role] : {std::pair{"host-1", "db"}, std::pair{"host-2", "cache"}}) {
      Series& s = Add({{"__name__", "instance_role"}, {"instance", host}, {"role", role}});
      for (int i = 0; i <= kSteps; ++i) s.samples.push_back({T(i), 1});
    }
  }

  void Queues() {
    for (const char* host : {"host-1", "host-2"}) {
      for (const char* queue : {"email", "sms.high", "sms.low"}) {
        uint64_t seed = Seed();
        Series& s =
            Add({{"__name__", "queue_depth"}, {"job", "worker"}, {"instance", host}, {"queue", queue}});
        for (int i = 0; i <= kSteps; ++i)
          s.samples.push_back({T(i), std::floor(8 * U(seed, i) + 4 * U(seed, i / 8))});
      }
    }
    for (const char* host : {"host-1", "host-2"}) {
      Series& u = Add({{"__name__", "up"}, {"job", "worker"}, {"instance", host}});
      for (int i = 0; i <= kSteps; ++i) u.samples.push_back({T(i), 1});
    }
  }

  void Histograms() {
    static const double kBounds[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
    static const char* kLe[] = {"0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"};
    for (int h = 0; h < 2; ++h) {
      const Target& t = kTargets[h];
      uint64_t seed = Seed() * 31;
      std::vector<double> cum(8, 0);
      double sum = 0;
      std::vector<std::vector<model::Sample>> buckets(8);
      std::vector<model::Sample> sums, counts;
      for (int i = 0; i <= kSteps; ++i) {
        if (i == t.reset_step) {
          std::fill(cum.begin(), cum.end(), 0);
          sum = 0;
        }
        int n = 20 + static_cast<int>(30 * U(seed, i));
        for (int o = 0; o < n; ++o) {
          // A skewed latency: mostly 20..300 ms, a tail to several seconds; slower in the second hour.
          double u = U(seed + 1, i * 64 + o);
          double lat = 0.02 * std::exp(5.5 * u * u) * (i > 60 * kMinute ? 1.6 : 1);
          lat = Round(lat, 0.001);
          sum += lat;
          for (int b = 0; b < 8; ++b) {
            if (b == 7 || lat <= kBounds[b]) cum[b] += 1;
          }
        }
        int64_t ts = T(i);
        for (int b = 0; b < 8; ++b) buckets[b].push_back({ts, cum[b]});
        sums.push_back({ts, sum});
        counts.push_back({ts, cum[7]});
      }
      for (int b = 0; b < 8; ++b) {
        Add({{"__name__", "http_request_duration_seconds_bucket"},
             {"job", t.job},
             {"instance", t.instance},
             {"le", kLe[b]}})
            .samples = std::move(buckets[b]);
      }
      Add({{"__name__", "http_request_duration_seconds_sum"}, {"job", t.job}, {"instance", t.instance}})
          .samples = std::move(sums);
      Add({{"__name__", "http_request_duration_seconds_count"}, {"job", t.job}, {"instance", t.instance}})
          .samples = std::move(counts);
    }
    // "search": the "1" bucket sometimes counts less than "0.1" (a broken exporter);
    // "billing": no "+Inf" bucket.
    static const char* kRpcLe[] = {"0.1", "1", "10", "+Inf"};
    for (int svc = 0; svc < 2; ++svc) {
      uint64_t seed = Seed();
      for (int b = 0; b < (svc == 0 ? 4 : 3); ++b) {
        Series& s = Add({{"__name__", "rpc_latency_seconds_bucket"},
                         {"service", svc == 0 ? "search" : "billing"},
                         {"le", kRpcLe[b]}});
        double v = 0;
        for (int i = 0; i <= kSteps; ++i) {
          v += std::floor(5 * (b + 1) + 4 * U(seed, i));
          double out = v;
          if (svc == 0 && b == 1 && i % 9 == 4) out = s.samples.empty() ? 0 : v - 12 - 5 * U(seed, i);
          s.samples.push_back({T(i, 1000), out});
        }
      }
    }
  }

  void GapsAndStaleness() {
    {
      Series& s = Add({{"__name__", "gappy_gauge"}, {"instance", "a"}});
      for (int i = 0; i <= kSteps; ++i) {
        if (i >= 40 * kMinute && i < 52 * kMinute) continue;
        s.samples.push_back({T(i), 100 + (i % 17) - 0.5 * (i % 5)});
      }
      Series& b = Add({{"__name__", "gappy_gauge"}, {"instance", "b"}});
      for (int i = 0; i <= kSteps; ++i) {
        if (i >= 60 * kMinute && i < 63 * kMinute) continue;
        b.samples.push_back({T(i), -20.0 + (i % 11)});
      }
    }
    // pod, [first, last] live steps (a stale marker follows each run), runs.
    struct Run {
      int first, last;
    };
    struct Pod {
      const char* pod;
      std::vector<Run> runs;
      bool counter;
    };
    const Pod kPods[] = {{"worker-1", {{0, 60 * kMinute}}, true},
                         {"worker-2", {{30 * kMinute, 100 * kMinute}}, true},
                         {"worker-3", {{0, 45 * kMinute}, {70 * kMinute, kSteps}}, false}};
    for (const Pod& p : kPods) {
      uint64_t seed = Seed();
      Series& s = Add({{"__name__", "ephemeral_jobs"}, {"pod", p.pod}, {"job", "batch"}});
      for (const Run& r : p.runs) {
        for (int i = r.first; i <= r.last; ++i)
          s.samples.push_back({T(i, 2000), 1 + std::floor(5 * U(seed, i))});
        if (r.last < kSteps) s.samples.push_back({T(r.last + 1, 2000), model::StaleNaN()});
      }
    }
    for (const Pod& p : kPods) {
      if (!p.counter) continue;
      uint64_t seed = Seed();
      Series& s = Add({{"__name__", "batch_processed_total"}, {"pod", p.pod}, {"job", "batch"}});
      double v = 0;
      for (const Run& r : p.runs) {
        for (int i = r.first; i <= r.last; ++i) {
          v += std::floor(100 * U(seed, i));
          s.samples.push_back({T(i, 2000), v});
        }
        if (r.last < kSteps) s.samples.push_back({T(r.last + 1, 2000), model::StaleNaN()});
      }
    }
  }

  void Specials() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const double kCycle[] = {1.5, nan, inf, -2.25, -inf, 0, 3};
    struct Kind {
      const char* kind;
      double (*value)(int i, const double* cycle);
    };
    const Kind kKinds[] = {
        {"nan", [](int, const double* c) { return c[1]; }},
        {"inf", [](int, const double* c) { return c[2]; }},
        {"neg_inf", [](int, const double* c) { return c[4]; }},
        {"mixed", [](int i, const double* c) { return c[i % 7]; }},
        {"zero", [](int, const double*) { return 0.0; }},
        {"tiny", [](int i, const double*) { return 1e-300 * (1 + i % 3); }},
        {"huge", [](int i, const double*) { return 1e300 * (1 + i % 4); }},
        {"negative", [](int i, const double*) { return -1.5 - 0.01 * i; }},
    };
    for (const Kind& k : kKinds) {
      Series& s = Add({{"__name__", "special_values"}, {"kind", k.kind}});
      for (int i = 0; i <= kSteps; ++i) s.samples.push_back({T(i), k.value(i, kCycle)});
    }
  }

  void Misc() {
    {
      Series& a = Add({{"__name__", "sparse_counter_total"}, {"instance", "host-1"}});
      Series& b = Add({{"__name__", "sparse_counter_total"}, {"instance", "host-2"}});
      for (int i = 0; i <= kSteps; ++i) {
        if (i % 4 == 0) a.samples.push_back({T(i, 7000), 10.0 * i + (i % 3)});
        if (i % 10 == 0) b.samples.push_back({T(i, 7000), 3.5 * i});
      }
    }
    for (const char* host : {"host-1", "host-2"}) {
      for (const char* mount : {"/", "/var/lib/data"}) {
        uint64_t seed = Seed();
        Series& s = Add({{"__name__", "disk_free_bytes"}, {"instance", host}, {"mountpoint", mount}});
        double v = 5e11 * (1 + seed % 3);
        for (int i = 0; i <= kSteps; ++i) {
          v -= std::floor(1e6 * (1 + U(seed, i)));
          if (std::string_view(mount) == "/" && std::string_view(host) == "host-2" && i == 70 * kMinute)
            v += 2e10;
          s.samples.push_back({T(i), v});
        }
      }
    }
    struct L {
      const char* env;
      const char* team;
      const char* tier;
      double v;
    };
    const L kL[] = {{"prod-eu", "a.b", "1", 1},
                    {"prod-us", "a|b", "2", 2},
                    {"staging", "(x)", "10", 3},
                    {"dev", "ünïcode", "3", 4}};
    for (const L& l : kL) {
      Series& s = Add({{"__name__", "label_test"}, {"env", l.env}, {"team", l.team}, {"tier", l.tier}});
      for (int i = 0; i <= kSteps; ++i) s.samples.push_back({T(i), l.v * (1 + (i / 40) % 3)});
    }
    for (const char* job : {"api-server", "frontend"}) {
      uint64_t seed = Seed();
      Series& s = Add({{"__name__", "job:http_requests:rate5m"}, {"job", job}});
      for (int i = 0; i <= kSteps; ++i) s.samples.push_back({T(i), Round(20 + 10 * U(seed, i), 0.001)});
    }
  }

  int64_t start_;
  std::vector<Series> series_;
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// POSTs remote-write bodies to one URL over one keep-alive connection.
class Sender {
 public:
  explicit Sender(std::string url) : url_(std::move(url)), curl_(curl_easy_init()) {
    for (std::string h :
         {std::string("Content-Type: ") + remote::kContentType,
          std::string("Content-Encoding: ") + remote::kContentEncoding,
          std::string(remote::kVersionHeader) + ": " + remote::kVersion, std::string("Expect:")}) {
      headers_ = curl_slist_append(headers_, h.c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "cistern-promql-testdata/0.1");
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer_);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  }
  ~Sender() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Sends `body`; 5xx, 429 and network errors are retried a few times.
  bool Post(const std::string& body) {
    for (int attempt = 1;; ++attempt) {
      answer_.clear();
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      CURLcode rc = curl_easy_perform(curl_);
      long code = 0;
      if (rc == CURLE_OK) curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
      if (rc == CURLE_OK && code / 100 == 2) return true;
      bool retry = rc != CURLE_OK || code == 429 || code / 100 == 5;
      if (!retry || attempt >= 10) {
        std::fprintf(stderr, "promql_testdata: %s: %s HTTP %ld: %.500s\n", url_.c_str(),
                     curl_easy_strerror(rc), code, answer_.c_str());
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
    }
  }

 private:
  std::string url_;
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  std::string answer_;
};

std::string FormatValue(double v) {
  if (model::IsStaleNaN(v)) return "stale";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

int Usage() {
  std::fprintf(stderr, "usage: promql_testdata URL... [--end-ms=MS] [--dump]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> urls;
  int64_t end_ms = 0;
  bool dump = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.starts_with("--end-ms=")) {
      end_ms = std::atoll(argv[i] + 9);
    } else if (a == "--dump") {
      dump = true;
    } else if (a.starts_with("--")) {
      return Usage();
    } else {
      urls.emplace_back(a);
    }
  }
  if (urls.empty() && !dump) return Usage();
  if (end_ms == 0) {
    end_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    end_ms -= end_ms % kStepMs;
  }
  const int64_t start_ms = end_ms - kSteps * kStepMs;
  Dataset data(start_ms);
  std::vector<Series>& all = data.series();
  size_t samples = 0, stale = 0;
  int64_t first_ms = INT64_MAX, last_ms = INT64_MIN;
  for (const Series& s : all) {
    samples += s.samples.size();
    for (const auto& p : s.samples) stale += model::IsStaleNaN(p.value);
    first_ms = std::min(first_ms, s.samples.front().timestamp_ms);
    last_ms = std::max(last_ms, s.samples.back().timestamp_ms);
  }
  if (dump) {
    for (const Series& s : all) {
      std::string name = "{";
      for (const auto& l : s.labels) name += l.name + "=\"" + l.value + "\",";
      name.back() = '}';
      for (const auto& p : s.samples) {
        std::printf("%s %lld %s\n", name.c_str(), static_cast<long long>(p.timestamp_ms),
                    FormatValue(p.value).c_str());
      }
    }
  } else {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    std::vector<std::unique_ptr<Sender>> senders;
    for (const std::string& u : urls) senders.push_back(std::make_unique<Sender>(u));
    std::vector<size_t> next(all.size(), 0);  // per series: first sample not sent yet
    remote::RequestEncoder encoder;
    std::string body;
    bool ok = true;
    for (int64_t w = start_ms; ok && w <= last_ms; w += kWindowMs) {
      for (size_t k = 0; k < all.size(); ++k) {
        const std::vector<model::Sample>& v = all[k].samples;
        size_t a = next[k], b = a;
        while (b < v.size() && v[b].timestamp_ms < w + kWindowMs) ++b;
        if (b > a) encoder.Add(all[k].labels, std::span(v).subspan(a, b - a));
        next[k] = b;
      }
      if (encoder.empty()) continue;
      encoder.Finish(&body);
      for (auto& s : senders) ok = ok && s->Post(body);
    }
    senders.clear();
    curl_global_cleanup();
    if (!ok) return 1;
  }
  std::fprintf(dump ? stderr : stdout,
               "promql_testdata: series=%zu samples=%zu stale=%zu start_ms=%lld end_ms=%lld first_ms=%lld "
               "last_ms=%lld\n",
               all.size(), samples, stale, static_cast<long long>(start_ms), static_cast<long long>(end_ms),
               static_cast<long long>(first_ms), static_cast<long long>(last_ms));
  return 0;
}
