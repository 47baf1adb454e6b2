// Test helpers for the container input: a ContainerConfig over a fixture tree
// (testdata/<name>/{cgroup,proc}, written by testdata/make_fixtures.py), a
// copy of one in a temp dir to break, and one collection's samples.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "plugins/container/container_collector.h"

namespace cistern::plugins::container::testing {

inline constexpr char kDockerId[] = "3f4e9c1b2a7d8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
inline constexpr char kDockerId2[] = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b";
inline constexpr char kPodmanId[] = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
inline constexpr char kContainerdId[] = "aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888";
inline constexpr char kContainerdId2[] = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";
inline constexpr char kContainerdId3[] = "fedcba0987654321fedcba0987654321fedcba0987654321fedcba0987654321";
inline constexpr char kCrioId[] = "0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de";
inline constexpr char kPodBurstable[] = "0d3b6b4e-1c2a-4f5e-9a8b-7c6d5e4f3a2b";
inline constexpr char kPodBesteffort[] = "5f1a2b3c-4d5e-4f6a-8b9c-0d1e2f3a4b5c";
inline constexpr char kPodGuaranteed[] = "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b";

std::string FixtureDir(std::string_view fixture);
// cgroupfs/procfs of the fixture, no Docker socket.
ContainerConfig Fixture(std::string_view fixture);
// Copies testdata/<fixture> to `dir` (symlinks kept) and points a config at it.
ContainerConfig CopyFixture(std::string_view fixture, const std::string& dir);

struct Result {
  Status status;
  // All samples, `name{label="value", ...}` (model::Labels::ToString) -> value.
  std::map<std::string, double> samples;
  // The samples of one cgroup (label id == `id`), without the id label:
  // `name{labels}` -> value.
  std::map<std::string, double> Of(std::string_view id) const;
  // Label `label` of any sample of cgroup `id` ("" if none).
  std::string LabelOf(std::string_view id, std::string_view label) const;
  std::vector<std::string> Ids() const;                             // every id, sorted
  double At(std::string_view id, const std::string& series) const;  // NaN and a failure if absent
  bool Has(std::string_view id, const std::string& series) const;

  std::vector<std::pair<std::string, std::map<std::string, std::string>>> raw;  // name, labels
  std::vector<double> values;
};

// Runs one collection at timestamp 1700000000000 (or `timestamp_ms`).
Result Collect(ContainerCollector& collector, int64_t timestamp_ms = 1700000000000);
Result Collect(const ContainerConfig& config, int64_t timestamp_ms = 1700000000000);

}  // namespace cistern::plugins::container::testing
