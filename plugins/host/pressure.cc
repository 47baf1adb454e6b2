#include "plugins/host/pressure.h"

#include <array>
#include <string>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

struct Resource {
  std::string_view file;
  std::string_view some_metric;
  std::string_view full_metric;  // empty: not exported
};

constexpr std::array<Resource, 3> kResources = {{
    {"cpu", "node_pressure_cpu_waiting_seconds_total", ""},
    {"io", "node_pressure_io_waiting_seconds_total", "node_pressure_io_stalled_seconds_total"},
    {"memory", "node_pressure_memory_waiting_seconds_total", "node_pressure_memory_stalled_seconds_total"},
}};

// µs -> s exactly as node_exporter rounds it (two divisions).
double Seconds(double us) { return us / 1000.0 / 1000.0; }

class PressureCollector : public Collector {
 public:
  explicit PressureCollector(const HostConfig& config) : config_(config) {}

  Status Collect(Emitter& out) override {
    Status first;
    size_t missing = 0;
    for (const Resource& r : kResources) {
      const std::string path = config_.Proc("pressure/" + std::string(r.file));
      StatusOr<std::string> text = ReadProcFile(path);
      if (!text.ok()) {
        missing += text.status().code() == StatusCode::kNotFound;
        if (first.ok()) first = text.status();
        continue;
      }
      PressureFile file = ParsePressure(*text);
      Status missing_line;
      if (file.some_total_us) {
        out.Add(r.some_metric, Seconds(*file.some_total_us));
      } else {
        missing_line = DataLossError(path + ": no \"some\" line");
      }
      if (!r.full_metric.empty()) {
        if (file.full_total_us) {
          out.Add(r.full_metric, Seconds(*file.full_total_us));
        } else if (missing_line.ok()) {
          missing_line = DataLossError(path + ": no \"full\" line");
        }
      }
      if (first.ok()) first = !file.error.ok() ? file.error.Annotate(path) : missing_line;
    }
    if (missing == kResources.size()) {
      return NotFoundError("pressure: no " + config_.Proc("pressure") +
                           " (needs Linux >= 4.20 with PSI enabled)");
    }
    // Some sources were there and emitted: a missing one fails the collection (NotFound means "none here").
    if (first.code() == StatusCode::kNotFound) return FailedPreconditionError(first.message());
    return first;
  }

 private:
  const HostConfig config_;
};

}  // namespace

PressureFile ParsePressure(std::string_view text) {
  PressureFile out;
  size_t line_no = 0;
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::vector<std::string_view> f = Fields(line);
    if (f.empty() || (f[0] != "some" && f[0] != "full")) continue;  // new kinds: ignored, as procfs does
    std::optional<double> total;
    for (size_t i = 1; i < f.size(); ++i) {
      double v;
      if (f[i].substr(0, 6) == "total=" && ParseFloat(f[i].substr(6), &v)) total = v;
    }
    if (!total) {
      if (out.error.ok()) {
        out.error =
            DataLossError("line " + std::to_string(line_no) + ": " + std::string(f[0]) + ": no total=<n>");
      }
      continue;
    }
    (f[0] == "some" ? out.some_total_us : out.full_total_us) = total;
  }
  return out;
}

std::unique_ptr<Collector> NewPressureCollector(const HostConfig& config) {
  return std::make_unique<PressureCollector>(config);
}

}  // namespace cistern::plugins::host
