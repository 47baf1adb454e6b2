#include "tests/plugins/container/container_testing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "tests/testing/recording_appender.h"

namespace cistern::plugins::container::testing {

std::string FixtureDir(std::string_view fixture) {
  return std::string(CONTAINER_TESTDATA) + "/" + std::string(fixture);
}

ContainerConfig Fixture(std::string_view fixture) {
  ContainerConfig c;
  c.cgroupfs = FixtureDir(fixture) + "/cgroup";
  c.procfs = FixtureDir(fixture) + "/proc";
  c.docker_socket = "";
  return c;
}

ContainerConfig CopyFixture(std::string_view fixture, const std::string& dir) {
  namespace fs = std::filesystem;
  fs::copy(FixtureDir(fixture), dir, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  ContainerConfig c;
  c.cgroupfs = dir + "/cgroup";
  c.procfs = dir + "/proc";
  c.docker_socket = "";
  return c;
}

namespace {

std::string SeriesKey(const std::string& name, const std::map<std::string, std::string>& labels,
                      bool skip_id) {
  std::string out = name;
  std::string rest;
  for (const auto& [k, v] : labels) {
    if (skip_id && k == "id") continue;
    rest += (rest.empty() ? "" : ", ") + k + "=\"" + v + "\"";
  }
  if (!rest.empty()) out += "{" + rest + "}";
  return out;
}

}  // namespace

std::map<std::string, double> Result::Of(std::string_view id) const {
  std::map<std::string, double> out;
  for (size_t i = 0; i < raw.size(); ++i) {
    auto it = raw[i].second.find("id");
    if (it == raw[i].second.end() || it->second != id) continue;
    std::map<std::string, std::string> l = raw[i].second;
    // Identity labels are asserted separately; keep only the metric's own.
    for (const char* k : {"name", "image", "pod", "namespace", "container"}) l.erase(k);
    for (auto li = l.begin(); li != l.end();)
      li = li->first.rfind("container_label_", 0) == 0 ? l.erase(li) : std::next(li);
    out[SeriesKey(raw[i].first, l, true)] = values[i];
  }
  return out;
}

std::string Result::LabelOf(std::string_view id, std::string_view label) const {
  for (const auto& [name, labels] : raw) {
    auto it = labels.find("id");
    if (it == labels.end() || it->second != id) continue;
    auto l = labels.find(std::string(label));
    return l == labels.end() ? "" : l->second;
  }
  return "";
}

std::vector<std::string> Result::Ids() const {
  std::set<std::string> ids;
  for (const auto& [name, labels] : raw) {
    auto it = labels.find("id");
    if (it != labels.end()) ids.insert(it->second);
  }
  return {ids.begin(), ids.end()};
}

double Result::At(std::string_view id, const std::string& series) const {
  auto of = Of(id);
  auto it = of.find(series);
  if (it == of.end()) {
    ADD_FAILURE() << "no sample " << series << " for id " << id;
    return NAN;
  }
  return it->second;
}

bool Result::Has(std::string_view id, const std::string& series) const { return Of(id).count(series) > 0; }

Result Collect(ContainerCollector& collector, int64_t timestamp_ms) {
  Result r;
  cistern::testing::RecordingAppendable store;
  auto app = store.NewAppender();
  host::Emitter out(app.get(), timestamp_ms);
  r.status = collector.Collect(out, timestamp_ms);
  EXPECT_TRUE(out.status().ok()) << out.status().ToString();
  EXPECT_TRUE(app->Commit().ok());
  for (const auto& s : store.samples()) {
    EXPECT_EQ(s.timestamp_ms, timestamp_ms);
    std::map<std::string, std::string> labels;
    std::string name;
    for (const auto& l : s.labels) {
      if (l.name == "__name__") {
        name = l.value;
      } else {
        labels[l.name] = l.value;
      }
    }
    std::string key = s.labels.ToString();
    EXPECT_EQ(r.samples.count(key), 0u) << "duplicate series " << key;
    r.samples[key] = s.value;
    r.raw.emplace_back(name, labels);
    r.values.push_back(s.value);
  }
  return r;
}

Result Collect(const ContainerConfig& config, int64_t timestamp_ms) {
  auto collector = ContainerCollector::Create(config);
  if (!collector.ok()) {
    ADD_FAILURE() << collector.status().ToString();
    return {};
  }
  return Collect(**collector, timestamp_ms);
}

}  // namespace cistern::plugins::container::testing
