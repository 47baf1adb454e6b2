// Self-metrics: counters, gauges and histograms the process keeps about
// itself, rendered on /metrics (Prometheus text format 0.0.4) and appended as
// samples by [inputs.self].
//
// Components declare one struct of metric pointers and fill it from the
// Registry at construction (STYLE.md: "self-metrics are one struct per
// component"). Metric objects are owned by the Registry and live as long as
// it does; pointers handed out stay valid. Everything here is thread-safe:
// values are atomics, creation of children takes a mutex.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cistern::obs {

enum class MetricType { kCounter, kGauge, kHistogram };

class Counter {
 public:
  void Inc(double v = 1) { v_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Add(double v) { v_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then +Inf; plus sum and count.
  void Snapshot(std::vector<uint64_t>* cumulative, double* sum, uint64_t* count) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Default buckets for request and collection durations, in seconds.
std::vector<double> DefaultDurationBuckets();

// One rendered sample of a family: name is the full sample name (x, x_bucket,
// x_sum, x_count); labels exclude __name__, in declaration order.
struct MetricPoint {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

struct FamilySnapshot {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<MetricPoint> points;
};

// A family with label dimensions. With() returns the child for the given
// label values (created on first use); pointers stay valid until Remove().
template <typename T>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<T>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}
  T* With(const std::vector<std::string>& values);
  void Remove(const std::vector<std::string>& values);
  const std::vector<std::string>& label_names() const { return label_names_; }
  template <typename Fn>
  void ForEach(Fn fn) const {
    std::lock_guard lock(mu_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  const std::vector<std::string> label_names_;
  std::function<std::unique_ptr<T>()> make_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registering a name twice returns the existing metric (same type) so that
  // components re-created on reload keep their counters.
  Counter* NewCounter(const std::string& name, const std::string& help);
  Gauge* NewGauge(const std::string& name, const std::string& help);
  Histogram* NewHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds);
  CounterFamily* NewCounterFamily(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names);
  GaugeFamily* NewGaugeFamily(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names);
  HistogramFamily* NewHistogramFamily(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds);

  // A callback that produces whole families at collection time (process
  // metrics, sizes read from disk). Called with no registry lock held.
  void AddCollector(std::function<void(std::vector<FamilySnapshot>*)> collector);

  // All families, sorted by name.
  std::vector<FamilySnapshot> Snapshot() const;
  // Prometheus text exposition format 0.0.4.
  std::string RenderText() const;

 private:
  struct Entry {
    std::string help;
    MetricType type;
    std::unique_ptr<CounterFamily> counters;
    std::unique_ptr<GaugeFamily> gauges;
    std::unique_ptr<HistogramFamily> histograms;
  };
  Entry* GetOrAdd(const std::string& name, const std::string& help, MetricType type);

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::vector<std::function<void(std::vector<FamilySnapshot>*)>> collectors_;
};

// Renders families in text format 0.0.4 (HELP, TYPE, samples).
std::string RenderText(const std::vector<FamilySnapshot>& families);

template <typename T>
T* Family<T>::With(const std::vector<std::string>& values) {
  std::lock_guard lock(mu_);
  auto& slot = children_[values];
  if (!slot) slot = make_();
  return slot.get();
}

template <typename T>
void Family<T>::Remove(const std::vector<std::string>& values) {
  std::lock_guard lock(mu_);
  children_.erase(values);
}

}  // namespace cistern::obs
