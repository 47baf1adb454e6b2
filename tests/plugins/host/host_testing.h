// Test helpers for the host collectors: run one collector over a fixture
// tree (tests/plugins/host/testdata/<name>/{proc,sys,root}) or the live host,
// and look at what it emitted.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host::testing {

// A config whose proc/sys/root are testdata/<fixture>/proc, /sys and /root.
HostConfig Fixture(std::string_view fixture);

struct Result {
  Status status;
  // `name{label="value", ...}` (model::Labels::ToString) -> value.
  std::map<std::string, double> samples;
  bool Has(const std::string& series) const { return samples.count(series) > 0; }
  double At(const std::string& series) const;  // NaN (and a test failure) if absent
  size_t CountPrefix(std::string_view metric_prefix) const;  // samples whose name starts so
};

// Creates collector `name` of `table` (SystemCollectors(), DeviceCollectors())
// with `config` and runs it once.
Result Run(std::span<const CollectorInfo> table, std::string_view name, const HostConfig& config);

}  // namespace cistern::plugins::host::testing
