// InputRunner: the core's side of one input instance. It creates the Input
// through its Descriptor, schedules collections every interval (with a stable
// per-instance offset so a fleet's inputs do not fire in lockstep), enforces
// the timeout, suppresses overlapping collections, commits each collection's
// appender and keeps the instance's health metrics:
//
//   cistern_input_collections_total{input}        collections started
//   cistern_input_errors_total{input}             collections that failed or timed out
//   cistern_input_skipped_total{input}            ticks skipped: previous still running
//   cistern_input_collect_duration_seconds{input} duration of the last collection
//   cistern_input_samples_appended_total{input}   samples appended
//   cistern_input_up{input}                       1 if the last collection succeeded
//
// Inputs with a job (a plugin's default job such as host's "node", or a
// `job` in `labels`) also write Prometheus' per-target series after every
// collection, at its timestamp and with its target labels, so `up` and
// scrape-duration dashboards and alerts work as over a real scrape:
//   up                       1 if the collection succeeded, else 0
//   scrape_duration_seconds  how long it took
//   scrape_samples_scraped   samples it appended
//
// Loop thread only. Destroy only after Stop()'s callback ran.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/config/config.h"
#include "agent/loop/handle.h"
#include "agent/plugin/plugin.h"

namespace cistern::plugin {

// One configured (or default-enabled) input instance, validated against its plugin's schema.
struct InputSpec {
  const Descriptor* descriptor = nullptr;
  std::string id;                 // "host", "redis[0]"
  Duration interval{0};           // resolved (never 0)
  model::Labels labels;           // static labels from `labels = {}` (override the samples')
  model::Labels target_labels;    // job = the plugin's default_job, instance = hostname; only where a sample lacks them
  config::Options options;
  config::Position position;
};

// {instance=<hostname>, job=<default_job>} for plugins that declare a default
// job (host: "node", like a Prometheus scrape of node_exporter); empty otherwise.
model::Labels TargetLabels(const Descriptor& d);

// Resolves the config's [inputs.*] against the registry: unknown plugin names,
// a table list for a single-instance plugin, schema violations (all reported,
// with file:line). Adds default-enabled plugins absent from the config; drops
// instances with enabled = false.
StatusOr<std::vector<InputSpec>> ResolveInputs(const config::Config& config, const Registry& registry);

struct InputHealth {
  std::string id;
  std::string plugin;
  bool up = false;
  int64_t last_collect_ms = 0;   // 0: never
  double last_duration_seconds = 0;
  std::string last_error;
  Duration interval{0};
};

class InputRunner {
 public:
  InputRunner(uv_loop_t* loop, InputSpec spec, storage::Appendable* appendable, obs::Registry* metrics);
  ~InputRunner();
  InputRunner(const InputRunner&) = delete;
  InputRunner& operator=(const InputRunner&) = delete;

  // Creates the input (and starts it if it is a ServiceInput), then schedules collections.
  Status Start();
  // Stops scheduling, stops the input and calls `done` once no collection is in flight.
  void Stop(std::function<void()> done);
  // Runs one collection now (tests, `cistern check`); `done` after commit.
  void CollectNow(std::function<void(Status)> done);

  InputHealth health() const;
  const InputSpec& spec() const { return spec_; }
  // Called on the loop thread whenever health() changes (after each
  // collection, on timeouts).
  void set_health_listener(std::function<void(const InputHealth&)> f) { health_listener_ = std::move(f); }

 private:
  class LabelingAppendable;
  struct Metrics;
  void Tick();
  void RunCollection(std::function<void(Status)> after);
  void Finish(uint64_t generation, Status status);
  void AppendTargetSeries(bool up, double seconds, uint64_t samples);
  void HealthChanged();

  uv_loop_t* loop_;
  InputSpec spec_;
  std::unique_ptr<LabelingAppendable> appendable_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Context> context_;
  std::unique_ptr<Input> input_;
  loop::Timer tick_timer_;
  loop::Timer timeout_timer_;
  bool in_flight_ = false;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  int64_t started_ns_ = 0;
  std::unique_ptr<storage::Appender> appender_;
  std::function<void(Status)> after_;
  std::function<void()> stop_done_;
  InputHealth health_;
  std::function<void(const InputHealth&)> health_listener_;
  int64_t collect_ts_ms_ = 0;
  bool target_series_ = false;  // writes up / scrape_* (see above)
  std::shared_ptr<bool> alive_;
};

}  // namespace cistern::plugin
