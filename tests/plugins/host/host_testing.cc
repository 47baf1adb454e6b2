#include "tests/plugins/host/host_testing.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/testing/recording_appender.h"

namespace cistern::plugins::host::testing {

HostConfig Fixture(std::string_view fixture) {
  HostConfig c;
  std::string base = std::string(HOST_TESTDATA) + "/" + std::string(fixture);
  c.proc = base + "/proc";
  c.sys = base + "/sys";
  c.root = base + "/root";
  return c;
}

double Result::At(const std::string& series) const {
  auto it = samples.find(series);
  if (it == samples.end()) {
    ADD_FAILURE() << "no sample " << series;
    return NAN;
  }
  return it->second;
}

size_t Result::CountPrefix(std::string_view metric_prefix) const {
  size_t n = 0;
  for (const auto& [k, v] : samples) n += std::string_view(k).substr(0, metric_prefix.size()) == metric_prefix;
  return n;
}

Result Run(std::span<const CollectorInfo> table, std::string_view name, const HostConfig& config) {
  Result r;
  const CollectorInfo* info = nullptr;
  for (const CollectorInfo& c : table) {
    if (c.name == name) info = &c;
  }
  if (info == nullptr) {
    ADD_FAILURE() << "no collector " << name;
    r.status = NotFoundError("no collector");
    return r;
  }
  cistern::testing::RecordingAppendable store;
  auto app = store.NewAppender();
  auto collector = info->create(config);
  Emitter out(app.get(), 1000);
  r.status = collector->Collect(out);
  EXPECT_TRUE(out.status().ok()) << out.status().ToString();
  EXPECT_TRUE(app->Commit().ok());
  for (const auto& s : store.samples()) r.samples[s.labels.ToString()] = s.value;
  return r;
}

}  // namespace cistern::plugins::host::testing
