#include "agent/base/file_util.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

std::string HostConfig::Join(std::string_view dir, std::string_view rel) {
  std::string out(dir);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  out += '/';
  out += rel;
  return out;
}

void Emitter::Append(std::vector<model::Label> labels, double value) {
  auto ref = appender_->Append(0, model::Labels::FromUnsorted(std::move(labels)), ts_, value);
  if (ref.ok()) {
    ++samples_;
  } else if (status_.ok()) {
    status_ = ref.status();
  }
}

void Emitter::Add(std::string_view name, LabelList labels, double value) {
  std::vector<model::Label> l;
  l.reserve(labels.size() + 1);
  l.push_back({std::string(model::kMetricName), std::string(name)});
  for (const auto& [k, v] : labels) {
    if (!v.empty()) l.push_back({std::string(k), std::string(v)});
  }
  Append(std::move(l), value);
}

void Emitter::Add(std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels,
                  double value) {
  std::vector<model::Label> l;
  l.reserve(labels.size() + 1);
  l.push_back({std::string(model::kMetricName), std::string(name)});
  for (const auto& [k, v] : labels) {
    if (!v.empty()) l.push_back({k, v});
  }
  Append(std::move(l), value);
}

StatusOr<std::string> ReadProcFile(const std::string& path) { return ReadFile(path, 16 << 20); }

}  // namespace cistern::plugins::host
