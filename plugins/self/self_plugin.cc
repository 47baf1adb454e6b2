// [inputs.self]: the process's own metrics (everything /metrics shows) as
// samples every interval, so the central store sees each agent's health,
// drops and lag. On by default; `enabled = false` turns it off.
#include "agent/model/labels.h"
#include "agent/obs/metrics.h"
#include "agent/plugin/plugin.h"

namespace cistern::plugins::self {

Status AppendSnapshot(const std::vector<obs::FamilySnapshot>& families, int64_t timestamp_ms,
                      storage::Appender& appender);

namespace {

class SelfInput : public plugin::Input {
 public:
  explicit SelfInput(plugin::Context& ctx) : ctx_(ctx) {}

  void Collect(const plugin::CollectRequest& req, plugin::CollectDone done) override {
    done(AppendSnapshot(ctx_.metrics().Snapshot(), req.timestamp_ms, *req.appender));
  }

 private:
  plugin::Context& ctx_;
};

}  // namespace

// Appends every point of `families` as a sample at `timestamp_ms`.
Status AppendSnapshot(const std::vector<obs::FamilySnapshot>& families, int64_t timestamp_ms,
                      storage::Appender& appender) {
  std::vector<model::Label> labels;
  for (const obs::FamilySnapshot& f : families) {
    for (const obs::MetricPoint& p : f.points) {
      labels.clear();
      labels.push_back({std::string(model::kMetricName), p.name});
      for (const auto& [k, v] : p.labels) {
        if (!v.empty()) labels.push_back({k, v});
      }
      auto ref = appender.Append(0, model::Labels::FromUnsorted(labels), timestamp_ms, p.value);
      if (!ref.ok()) return ref.status().Annotate(p.name);
    }
  }
  return OkStatus();
}

plugin::Descriptor Describe() {
  plugin::Descriptor d;
  d.name = "self";
  d.doc = "The process's own metrics (cistern_*, process_*) as samples.";
  d.enabled_by_default = true;
  d.create = [](plugin::Context& ctx) -> StatusOr<std::unique_ptr<plugin::Input>> {
    return std::unique_ptr<plugin::Input>(std::make_unique<SelfInput>(ctx));
  };
  return d;
}

}  // namespace cistern::plugins::self
