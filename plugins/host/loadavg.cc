#include "plugins/host/loadavg.h"

#include <string>
#include <vector>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {

StatusOr<std::array<double, 3>> ParseLoadavg(std::string_view text) {
  std::vector<std::string_view> f = Fields(text);
  if (f.size() < 3)
    return InvalidArgumentError("expected three load averages, got \"" + std::string(TrimSpace(text)) + "\"");
  std::array<double, 3> out{};
  for (size_t i = 0; i < 3; ++i) {
    if (!ParseFloat(f[i], &out[i]))
      return InvalidArgumentError("cannot parse load \"" + std::string(f[i]) + "\"");
  }
  return out;
}

namespace {

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(const HostConfig& config) : path_(config.Proc("loadavg")) {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(path_));
    auto load = ParseLoadavg(text);
    if (!load.ok()) return load.status().Annotate(path_);
    out.Add("node_load1", (*load)[0]);
    out.Add("node_load5", (*load)[1]);
    out.Add("node_load15", (*load)[2]);
    return OkStatus();
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<Collector> NewLoadavgCollector(const HostConfig& config) {
  return std::make_unique<LoadavgCollector>(config);
}

}  // namespace cistern::plugins::host
