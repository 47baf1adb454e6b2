#include "agent/obs/metrics.h"

#include <algorithm>
#include <cstdio>

#include "agent/base/float_format.h"

namespace cistern::obs {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::Snapshot(std::vector<uint64_t>* cumulative, double* sum, uint64_t* count) const {
  cumulative->assign(bounds_.size() + 1, 0);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += counts_[i].load(std::memory_order_relaxed);
    (*cumulative)[i] = acc;
  }
  *sum = sum_.load(std::memory_order_relaxed);
  *count = acc;  // consistent with the buckets even under concurrent Observe
}

std::vector<double> DefaultDurationBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

Registry::Entry* Registry::GetOrAdd(const std::string& name, const std::string& help, MetricType type) {
  auto [it, inserted] = entries_.try_emplace(name);
  if (inserted) {
    it->second.help = help;
    it->second.type = type;
  }
  return it->second.type == type ? &it->second : nullptr;
}

Counter* Registry::NewCounter(const std::string& name, const std::string& help) {
  return NewCounterFamily(name, help, {})->With({});
}
Gauge* Registry::NewGauge(const std::string& name, const std::string& help) {
  return NewGaugeFamily(name, help, {})->With({});
}
Histogram* Registry::NewHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> bounds) {
  return NewHistogramFamily(name, help, {}, std::move(bounds))->With({});
}

CounterFamily* Registry::NewCounterFamily(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry* e = GetOrAdd(name, help, MetricType::kCounter);
  if (e == nullptr) std::abort();  // same name, different type: a programming error
  if (!e->counters) {
    e->counters = std::make_unique<CounterFamily>(std::move(label_names),
                                                  [] { return std::make_unique<Counter>(); });
  }
  return e->counters.get();
}

GaugeFamily* Registry::NewGaugeFamily(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry* e = GetOrAdd(name, help, MetricType::kGauge);
  if (e == nullptr) std::abort();
  if (!e->gauges) {
    e->gauges = std::make_unique<GaugeFamily>(std::move(label_names),
                                              [] { return std::make_unique<Gauge>(); });
  }
  return e->gauges.get();
}

HistogramFamily* Registry::NewHistogramFamily(const std::string& name, const std::string& help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  Entry* e = GetOrAdd(name, help, MetricType::kHistogram);
  if (e == nullptr) std::abort();
  if (!e->histograms) {
    e->histograms = std::make_unique<HistogramFamily>(
        std::move(label_names), [bounds] { return std::make_unique<Histogram>(bounds); });
  }
  return e->histograms.get();
}

void Registry::AddCollector(std::function<void(std::vector<FamilySnapshot>*)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

namespace {

std::vector<std::pair<std::string, std::string>> Zip(const std::vector<std::string>& names,
                                                     const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) out.emplace_back(names[i], values[i]);
  return out;
}

}  // namespace

std::vector<FamilySnapshot> Registry::Snapshot() const {
  std::vector<FamilySnapshot> out;
  std::vector<std::function<void(std::vector<FamilySnapshot>*)>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
    for (const auto& entry : entries_) {
      const std::string& name = entry.first;
      const Entry& e = entry.second;
      FamilySnapshot f{name, e.help, e.type, {}};
      if (e.counters) {
        e.counters->ForEach([&](const std::vector<std::string>& v, const Counter& c) {
          f.points.push_back({name, Zip(e.counters->label_names(), v), c.Value()});
        });
      }
      if (e.gauges) {
        e.gauges->ForEach([&](const std::vector<std::string>& v, const Gauge& g) {
          f.points.push_back({name, Zip(e.gauges->label_names(), v), g.Value()});
        });
      }
      if (e.histograms) {
        e.histograms->ForEach([&](const std::vector<std::string>& v, const Histogram& h) {
          auto labels = Zip(e.histograms->label_names(), v);
          std::vector<uint64_t> cum;
          double sum;
          uint64_t count;
          h.Snapshot(&cum, &sum, &count);
          for (size_t i = 0; i < cum.size(); ++i) {
            auto l = labels;
            l.emplace_back("le", i < h.bounds().size() ? FormatFloatG(h.bounds()[i]) : "+Inf");
            f.points.push_back({name + "_bucket", std::move(l), static_cast<double>(cum[i])});
          }
          f.points.push_back({name + "_sum", labels, sum});
          f.points.push_back({name + "_count", labels, static_cast<double>(count)});
        });
      }
      out.push_back(std::move(f));
    }
  }
  for (const auto& c : collectors) c(&out);
  std::sort(out.begin(), out.end(),
            [](const FamilySnapshot& a, const FamilySnapshot& b) { return a.name < b.name; });
  return out;
}

std::string Registry::RenderText() const { return obs::RenderText(Snapshot()); }

namespace {

void AppendEscaped(std::string* out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (quote && c == '"') {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string RenderText(const std::vector<FamilySnapshot>& families) {
  std::string out;
  for (const FamilySnapshot& f : families) {
    if (f.points.empty()) continue;
    out.append("# HELP ").append(f.name).push_back(' ');
    AppendEscaped(&out, f.help, false);
    out.append("\n# TYPE ").append(f.name).push_back(' ');
    out.append(TypeName(f.type)).push_back('\n');
    for (const MetricPoint& p : f.points) {
      out.append(p.name);
      if (!p.labels.empty()) {
        out.push_back('{');
        for (size_t i = 0; i < p.labels.size(); ++i) {
          if (i) out.push_back(',');
          out.append(p.labels[i].first).append("=\"");
          AppendEscaped(&out, p.labels[i].second, true);
          out.push_back('"');
        }
        out.push_back('}');
      }
      out.push_back(' ');
      AppendFloatG(&out, p.value);
      out.push_back('\n');
    }
  }
  return out;
}

}  // namespace cistern::obs
