// THE plugin API. An input plugin is a Descriptor (name, docs, config schema,
// factory) plus an Input implementation. The core (InputRunner) owns each
// instance's schedule (interval, jitter), timeout, overlap suppression and
// health metrics; a plugin only collects.
//
// Plugins depend on this header, model/, base/, obs/ and the I/O helpers in
// loop/ and net/ -- never on wal, pipeline, remote, tsdb, promql, rules or app.
// Everything here is loop-thread-only unless stated otherwise.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/units.h"
#include "agent/config/schema.h"
#include "agent/model/labels.h"
#include "agent/obs/metrics.h"
#include "agent/storage/appender.h"

namespace cistern::plugin {

// What the core gives each input instance. Outlives the Input.
class Context {
 public:
  Context(uv_loop_t* loop, storage::Appendable* appendable, config::Options options, std::string id,
          obs::Registry* metrics, Duration interval)
      : loop_(loop),
        appendable_(appendable),
        options_(std::move(options)),
        id_(std::move(id)),
        log_component_("input " + id_),
        metrics_(metrics),
        interval_(interval) {}

  uv_loop_t* loop() const { return loop_; }
  // Where samples go. NewAppender() is thread-safe. Static labels from the
  // instance's `labels = {}` are added by the core; plugins need not care.
  storage::Appendable& appendable() const { return *appendable_; }
  // The instance's validated options (keys of the Descriptor's schema).
  const config::Options& options() const { return options_; }
  // "host", "redis[0]": unique per process; used as the `input` label of health metrics.
  const std::string& id() const { return id_; }
  // For obs::Info(ctx.log_component(), ...): "input redis[0]".
  const std::string& log_component() const { return log_component_; }
  obs::Registry& metrics() const { return *metrics_; }
  Duration interval() const { return interval_; }

 private:
  uv_loop_t* loop_;
  storage::Appendable* appendable_;
  config::Options options_;
  std::string id_;
  std::string log_component_;
  obs::Registry* metrics_;
  Duration interval_;
};

struct CollectRequest {
  // Scheduled time of this collection: the timestamp for every sample of it.
  int64_t timestamp_ms = 0;
  // Deadline hint; the core gives up waiting after this and counts a timeout.
  Duration timeout{0};
  // Valid until `done` is called; the core commits it afterwards (also after
  // an error: what was appended before the error is kept).
  storage::Appender* appender = nullptr;
};

using CollectDone = std::function<void(Status)>;

// A polled input.
class Input {
 public:
  virtual ~Input() = default;
  // Called on the loop thread, never while a previous Collect is in flight.
  // Must call `done` exactly once, on the loop thread.
  virtual void Collect(const CollectRequest& request, CollectDone done) = 0;
  // Called once before destruction. An input with work in flight should make
  // it finish soon (its `done` is still expected).
  virtual void Stop() {}
};

// An input whose collection blocks (reads /proc, /sys, files): the core runs
// CollectBlocking on a worker thread, so the loop never stalls.
class BlockingInput : public Input {
 public:
  explicit BlockingInput(uv_loop_t* loop) : loop_(loop) {}
  // Worker thread; never called concurrently with itself.
  virtual Status CollectBlocking(int64_t timestamp_ms, storage::Appender& appender) = 0;
  void Collect(const CollectRequest& request, CollectDone done) final;

 private:
  uv_loop_t* loop_;
};

// A listener (e.g. web-vitals beacons): Start() binds, Stop() unbinds. It may
// append whenever it likes; Collect (every interval) is where it flushes
// aggregated state, and by default does nothing.
class ServiceInput : public Input {
 public:
  virtual Status Start() = 0;
  virtual void StopService(std::function<void()> done) = 0;
  void Collect(const CollectRequest& request, CollectDone done) override { done(OkStatus()); }
};

struct Descriptor {
  std::string name;          // the key in [inputs.<name>]
  std::string doc;           // one line for `cistern plugins` and docs
  bool multi_instance = false;   // [[inputs.<name>]] allowed (several instances)
  bool enabled_by_default = false;  // instantiated even when absent from the config
  bool service = false;      // the factory returns a ServiceInput
  // The `job` its samples get (with instance = hostname) unless they or the
  // instance's `labels` set one: what a Prometheus scrape of the exporter it
  // replaces would add ("node", "cadvisor"). Empty: no target labels.
  std::string default_job;
  config::Schema schema;     // every key besides the common ones (enabled, interval, labels)
  std::function<StatusOr<std::unique_ptr<Input>>(Context& context)> create;
};

// The set of known plugins. Filled once at startup by RegisterBuiltins().
class Registry {
 public:
  void Register(Descriptor descriptor);
  const Descriptor* Find(std::string_view name) const;
  const std::vector<Descriptor>& all() const { return descriptors_; }

 private:
  std::vector<Descriptor> descriptors_;
};

}  // namespace cistern::plugin

namespace cistern::plugins {
// plugins/builtin.cc: one explicit line per plugin.
void RegisterBuiltins(plugin::Registry* registry);
}  // namespace cistern::plugins
