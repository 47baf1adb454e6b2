#include "plugins/host/meminfo.h"

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

// node_exporter: key minus its last character (the ':'), then the regexp
// `\((.*)\)` replaced by "_$1": from the first '(' to the last ')' after it.
std::string MetricKey(std::string_view field) {
  std::string key(field.substr(0, field.size() - 1));
  size_t open = key.find('(');
  if (open == std::string::npos) return key;
  size_t close = key.rfind(')');
  if (close == std::string::npos || close < open) return key;
  return key.substr(0, open) + "_" + key.substr(open + 1, close - open - 1) + key.substr(close + 1);
}

bool ValidMetricNameSuffix(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == ':')) {
      return false;
    }
  }
  return true;
}

}  // namespace

StatusOr<std::vector<std::pair<std::string, double>>> ParseMeminfo(std::string_view text) {
  std::vector<std::pair<std::string, double>> out;
  size_t line_no = 0;
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) continue;
    std::string where = "line " + std::to_string(line_no) + ": ";
    if (f.size() != 2 && f.size() != 3) return InvalidArgumentError(where + "expected \"Key: value [kB]\"");
    double v = 0;
    if (!ParseFloat(f[1], &v))
      return InvalidArgumentError(where + "cannot parse \"" + std::string(f[1]) + "\"");
    std::string key = MetricKey(f[0]);
    if (f.size() == 3) {  // a unit: always kB
      v *= 1024;
      key += "_bytes";
    }
    out.emplace_back(std::move(key), v);
  }
  return out;
}

namespace {

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(const HostConfig& config) : path_(config.Proc("meminfo")) {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(path_));
    auto fields = ParseMeminfo(text);
    if (!fields.ok()) return fields.status().Annotate(path_);
    for (const auto& [key, v] : *fields) {
      // A name Prometheus would reject (no kernel prints one) is skipped.
      if (key.empty() || !ValidMetricNameSuffix(key)) continue;
      out.Add("node_memory_" + key, v);
    }
    return OkStatus();
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<Collector> NewMeminfoCollector(const HostConfig& config) {
  return std::make_unique<MeminfoCollector>(config);
}

}  // namespace cistern::plugins::host
