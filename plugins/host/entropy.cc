#include "plugins/host/entropy.h"

#include <string>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

class EntropyCollector : public Collector {
 public:
  explicit EntropyCollector(const HostConfig& config)
      : avail_path_(config.Proc("sys/kernel/random/entropy_avail")),
        poolsize_path_(config.Proc("sys/kernel/random/poolsize")) {}

  // Like node_exporter, the available bits are reported even when the pool
  // size then cannot be read (and the collection fails).
  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(uint64_t avail, ReadUintFile(avail_path_));
    out.Add("node_entropy_available_bits", static_cast<double>(avail));
    auto pool = ReadUintFile(poolsize_path_);
    if (!pool.ok()) return AfterEmit(pool.status());
    out.Add("node_entropy_pool_size_bits", static_cast<double>(*pool));
    return OkStatus();
  }

 private:
  std::string avail_path_;
  std::string poolsize_path_;
};

}  // namespace

std::unique_ptr<Collector> NewEntropyCollector(const HostConfig& config) {
  return std::make_unique<EntropyCollector>(config);
}

}  // namespace cistern::plugins::host
