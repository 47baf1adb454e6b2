#include "agent/plugin/input_runner.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "agent/base/time.h"
#include "agent/obs/log.h"

namespace cistern::plugin {

// Adds the instance's static labels to every sample and counts what passes.
class InputRunner::LabelingAppendable : public storage::Appendable {
 public:
  LabelingAppendable(storage::Appendable* inner, model::Labels target, model::Labels labels, obs::Counter* appended)
      : inner_(inner), target_(std::move(target)), labels_(std::move(labels)), appended_(appended) {}

  std::unique_ptr<storage::Appender> NewAppender() override {
    return std::make_unique<LabelingAppender>(inner_->NewAppender(), this);
  }

 private:
  class LabelingAppender : public storage::Appender {
   public:
    LabelingAppender(std::unique_ptr<storage::Appender> inner, LabelingAppendable* parent)
        : inner_(std::move(inner)), parent_(parent) {}
    StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const model::Labels& labels, int64_t t,
                                        double v) override {
      ++count_;
      if ((parent_->labels_.empty() && parent_->target_.empty()) || ref != 0) return inner_->Append(ref, labels, t, v);
      model::LabelsBuilder b(labels);
      for (const model::Label& l : parent_->target_) {
        if (!labels.Has(l.name)) b.Set(l.name, l.value);  // job/instance: the sample's own win
      }
      for (const model::Label& l : parent_->labels_) b.Set(l.name, l.value);
      return inner_->Append(0, b.Build(), t, v);
    }
    Status Commit() override {
      parent_->appended_->Inc(static_cast<double>(count_));
      parent_->last_count_ = count_;
      return inner_->Commit();
    }
    void Rollback() override {
      parent_->last_count_ = 0;
      inner_->Rollback();
    }

   private:
    std::unique_ptr<storage::Appender> inner_;
    LabelingAppendable* parent_;
    uint64_t count_ = 0;
  };

 public:
  uint64_t last_count() const { return last_count_; }  // samples of the last commit

 private:
  storage::Appendable* inner_;
  model::Labels target_;
  model::Labels labels_;
  obs::Counter* appended_;
  uint64_t last_count_ = 0;
};

struct InputRunner::Metrics {
  Metrics(obs::Registry* r, const std::string& id) {
    collections = r->NewCounterFamily("cistern_input_collections_total", "Collections started per input.",
                                      {"input"})->With({id});
    errors = r->NewCounterFamily("cistern_input_errors_total",
                                 "Collections that failed or timed out per input.", {"input"})->With({id});
    skipped = r->NewCounterFamily("cistern_input_skipped_total",
                                  "Collection ticks skipped because the previous collection was still running.",
                                  {"input"})->With({id});
    duration = r->NewGaugeFamily("cistern_input_collect_duration_seconds",
                                 "Duration of the last collection per input.", {"input"})->With({id});
    appended = r->NewCounterFamily("cistern_input_samples_appended_total", "Samples appended per input.",
                                   {"input"})->With({id});
    up = r->NewGaugeFamily("cistern_input_up", "1 if the last collection of the input succeeded, else 0.",
                           {"input"})->With({id});
  }
  obs::Counter* collections;
  obs::Counter* errors;
  obs::Counter* skipped;
  obs::Gauge* duration;
  obs::Counter* appended;
  obs::Gauge* up;
};

namespace {

// Stable offset in [0, interval) so instances spread over the interval.
uint64_t Offset(const std::string& id, Duration interval) {
  uint64_t h = model::Labels{{"id", id}}.Hash();
  uint64_t ms = static_cast<uint64_t>(interval.count());
  return ms == 0 ? 0 : h % ms;
}

}  // namespace

model::Labels TargetLabels(const Descriptor& d) {
  if (d.default_job.empty()) return {};
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "localhost");
  return model::Labels{{"instance", host}, {"job", d.default_job}};
}

StatusOr<std::vector<InputSpec>> ResolveInputs(const config::Config& config, const Registry& registry) {
  std::vector<InputSpec> out;
  std::string errors;
  auto fail = [&](const config::Position& pos, const std::string& msg) {
    if (!errors.empty()) errors += "\n";
    errors += pos.ToString() + ": " + msg;
  };
  std::vector<std::string> seen;
  for (const config::InputConfig& in : config.inputs) {
    const Descriptor* d = registry.Find(in.plugin);
    if (d == nullptr) {
      std::string known;
      for (const Descriptor& k : registry.all()) known += (known.empty() ? "" : ", ") + k.name;
      fail(in.position, "inputs." + in.plugin + ": unknown input plugin (known: " + known + ")");
      continue;
    }
    if (in.index >= 0 && !d->multi_instance) {
      fail(in.position, "inputs." + in.plugin + ": this input takes one table [inputs." + in.plugin +
                            "], not a list [[inputs." + in.plugin + "]]");
      continue;
    }
    seen.push_back(in.plugin);
    auto options = config::ApplySchema(in.options, d->schema, "inputs." + in.id);
    if (!options.ok()) {
      if (!errors.empty()) errors += "\n";
      errors += options.status().message();
      continue;
    }
    if (!in.enabled) continue;
    InputSpec spec;
    spec.descriptor = d;
    spec.id = in.id;
    spec.interval = in.interval.count() > 0 ? in.interval : config.global.interval;
    std::vector<model::Label> labels;
    for (const auto& [k, v] : in.labels) labels.push_back({k, v});
    spec.labels = model::Labels::FromUnsorted(std::move(labels));
    spec.target_labels = TargetLabels(*d);
    spec.options = std::move(*options);
    spec.position = in.position;
    out.push_back(std::move(spec));
  }
  for (const Descriptor& d : registry.all()) {
    if (!d.enabled_by_default) continue;
    bool configured = false;
    for (const std::string& s : seen) configured |= s == d.name;
    if (configured) continue;
    auto options = config::ApplySchema(config::Value::EmptyTable(), d.schema, "inputs." + d.name);
    if (!options.ok()) {
      fail({}, options.status().message());
      continue;
    }
    InputSpec spec;
    spec.descriptor = &d;
    spec.id = d.name;
    spec.interval = config.global.interval;
    spec.target_labels = TargetLabels(d);
    spec.options = std::move(*options);
    out.push_back(std::move(spec));
  }
  if (!errors.empty()) return InvalidArgumentError(errors);
  return out;
}

InputRunner::InputRunner(uv_loop_t* loop, InputSpec spec, storage::Appendable* appendable,
                         obs::Registry* metrics)
    : loop_(loop),
      spec_(std::move(spec)),
      metrics_(std::make_unique<Metrics>(metrics, spec_.id)),
      tick_timer_(loop),
      timeout_timer_(loop),
      alive_(std::make_shared<bool>(true)) {
  appendable_ = std::make_unique<LabelingAppendable>(appendable, spec_.target_labels, spec_.labels, metrics_->appended);
  context_ = std::make_unique<Context>(loop, appendable_.get(), spec_.options, spec_.id, metrics, spec_.interval);
  health_.id = spec_.id;
  health_.plugin = spec_.descriptor->name;
  health_.interval = spec_.interval;
  target_series_ = !spec_.target_labels.empty() || spec_.labels.Has("job");
}

InputRunner::~InputRunner() { *alive_ = false; }

Status InputRunner::Start() {
  auto input = spec_.descriptor->create(*context_);
  if (!input.ok()) return input.status().Annotate("input " + spec_.id);
  input_ = std::move(*input);
  if (spec_.descriptor->service) {
    CISTERN_RETURN_IF_ERROR(static_cast<ServiceInput*>(input_.get())->Start().Annotate("input " + spec_.id));
  }
  uint64_t interval_ms = static_cast<uint64_t>(spec_.interval.count());
  tick_timer_.Start(Offset(spec_.id, spec_.interval), interval_ms, [this] { Tick(); });
  obs::Debug(context_->log_component(), "started, interval {}", FormatDuration(spec_.interval));
  return OkStatus();
}

void InputRunner::Tick() {
  if (in_flight_) {
    metrics_->skipped->Inc();
    obs::Warn(context_->log_component(), "previous collection still running after {}; skipping this one",
              FormatDuration(spec_.interval));
    return;
  }
  RunCollection(nullptr);
}

void InputRunner::CollectNow(std::function<void(Status)> done) {
  if (in_flight_ || !input_) {
    done(FailedPreconditionError("input " + spec_.id + ": collection already running or not started"));
    return;
  }
  RunCollection(std::move(done));
}

void InputRunner::RunCollection(std::function<void(Status)> after) {
  in_flight_ = true;
  after_ = std::move(after);
  uint64_t gen = ++generation_;
  started_ns_ = MonotonicNanos();
  metrics_->collections->Inc();
  appender_ = appendable_->NewAppender();
  CollectRequest req;
  req.timestamp_ms = NowUnixMillis();
  collect_ts_ms_ = req.timestamp_ms;
  req.timeout = spec_.interval;
  req.appender = appender_.get();
  timeout_timer_.Start(static_cast<uint64_t>(req.timeout.count()), 0, [this, gen] {
    if (gen != generation_ || !in_flight_) return;
    metrics_->errors->Inc();
    metrics_->up->Set(0);
    health_.up = false;
    health_.last_error = "collection timed out after " + FormatDuration(spec_.interval);
    obs::Warn(context_->log_component(), "{}", health_.last_error);
    HealthChanged();
  });
  std::weak_ptr<bool> alive = alive_;
  input_->Collect(req, [this, alive, gen](Status s) {
    if (alive.expired()) return;
    Finish(gen, std::move(s));
  });
}

void InputRunner::Finish(uint64_t generation, Status status) {
  if (generation != generation_ || !in_flight_) return;  // a stray second call: ignore
  timeout_timer_.Stop();
  double secs = static_cast<double>(MonotonicNanos() - started_ns_) / 1e9;
  bool timed_out = secs * 1000 > static_cast<double>(spec_.interval.count());
  Status result = status;
  if (timed_out) {
    appender_->Rollback();  // too late: its timestamp is stale
    if (result.ok()) result = DeadlineExceededError("collection finished after its timeout");
  } else {
    // Keep what was collected even when part of the collection failed.
    Status commit = appender_->Commit();
    if (!commit.ok()) {
      obs::Warn(context_->log_component(), "commit failed: {}", commit.message());
      if (result.ok()) result = commit;
    }
  }
  appender_.reset();
  if (target_series_) AppendTargetSeries(result.ok(), secs, appendable_->last_count());
  metrics_->duration->Set(secs);
  health_.last_collect_ms = NowUnixMillis();
  health_.last_duration_seconds = secs;
  if (result.ok()) {
    metrics_->up->Set(1);
    health_.up = true;
    health_.last_error.clear();
  } else {
    if (!timed_out) metrics_->errors->Inc();  // the timeout was counted when it fired
    metrics_->up->Set(0);
    health_.up = false;
    health_.last_error = result.message();
    obs::Warn(context_->log_component(), "collection failed: {}", result.message());
  }
  HealthChanged();
  in_flight_ = false;
  auto after = std::move(after_);
  after_ = nullptr;
  if (after) after(result);
  if (stopping_ && stop_done_) {
    auto done = std::move(stop_done_);
    stop_done_ = nullptr;
    done();
  }
}

void InputRunner::Stop(std::function<void()> done) {
  stopping_ = true;
  tick_timer_.Stop();
  if (!input_) {
    done();
    return;
  }
  input_->Stop();
  auto finish = [this, done = std::move(done)]() mutable {
    if (in_flight_) {
      stop_done_ = std::move(done);
    } else {
      done();
    }
  };
  if (spec_.descriptor->service) {
    static_cast<ServiceInput*>(input_.get())->StopService(std::move(finish));
  } else {
    finish();
  }
}

void InputRunner::AppendTargetSeries(bool up, double seconds, uint64_t samples) {
  std::unique_ptr<storage::Appender> app = appendable_->NewAppender();
  const int64_t t = collect_ts_ms_;
  Status s = app->Append(0, model::Labels{{"__name__", "up"}}, t, up ? 1 : 0).status();
  if (s.ok()) s = app->Append(0, model::Labels{{"__name__", "scrape_duration_seconds"}}, t, seconds).status();
  if (s.ok())
    s = app->Append(0, model::Labels{{"__name__", "scrape_samples_scraped"}}, t, static_cast<double>(samples)).status();
  if (!s.ok()) {
    app->Rollback();
  } else {
    s = app->Commit();
  }
  if (!s.ok()) obs::Warn(context_->log_component(), "writing up / scrape_* failed: {}", s.message());
}

void InputRunner::HealthChanged() {
  if (health_listener_) health_listener_(health_);
}

InputHealth InputRunner::health() const { return health_; }

}  // namespace cistern::plugin
