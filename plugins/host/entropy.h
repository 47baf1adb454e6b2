// The entropy collector: node_entropy_available_bits and
// node_entropy_pool_size_bits from /proc/sys/kernel/random/{entropy_avail,poolsize}.
#pragma once

#include <memory>

#include "plugins/host/collector.h"

namespace cistern::plugins::host {

std::unique_ptr<Collector> NewEntropyCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
