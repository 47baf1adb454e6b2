#include "plugins/host/stat.h"

#include <string>

#include "plugins/host/proc_stat.h"

namespace cistern::plugins::host {
namespace {

class StatCollector : public Collector {
 public:
  explicit StatCollector(const HostConfig& config) : path_(config.Proc("stat")) {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(path_));
    auto stat = ParseProcStat(text);
    if (!stat.ok()) return stat.status().Annotate(path_);
    out.Add("node_intr_total", static_cast<double>(stat->interrupts));
    out.Add("node_context_switches_total", static_cast<double>(stat->context_switches));
    out.Add("node_forks_total", static_cast<double>(stat->processes_created));
    out.Add("node_boot_time_seconds", static_cast<double>(stat->boot_time));
    out.Add("node_procs_running", static_cast<double>(stat->procs_running));
    out.Add("node_procs_blocked", static_cast<double>(stat->procs_blocked));
    return OkStatus();
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<Collector> NewStatCollector(const HostConfig& config) {
  return std::make_unique<StatCollector>(config);
}

}  // namespace cistern::plugins::host
