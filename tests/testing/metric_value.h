// Reads one sample's value out of a registry's text exposition, for tests
// that assert self-metrics.
#pragma once

#include <string>

#include "agent/obs/metrics.h"

namespace cistern::testing {

// The value of the line `name_with_labels value`, e.g.
// MetricValue(r, "cistern_tsdb_compactions_total") or
// MetricValue(r, "x_total{reason=\"y\"}"); -1 when there is no such line.
inline double MetricValue(const obs::Registry& registry, const std::string& name_with_labels) {
  std::string text = "\n" + registry.RenderText();
  size_t at = text.find("\n" + name_with_labels + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name_with_labels.size() + 2));
}

}  // namespace cistern::testing
