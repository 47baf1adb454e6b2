#include "agent/app/app.h"

#include <uv.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/api/admin.h"
#include "agent/api/health.h"
#include "agent/api/query_api.h"
#include "agent/api/remote_write_receiver.h"
#include "agent/api/tsdb_status.h"
#include "agent/api/ui.h"
#include "agent/base/file_util.h"
#include "agent/base/float_format.h"
#include "agent/base/time.h"
#include "agent/loop/handle.h"
#include "agent/net/http_server.h"
#include "agent/obs/metrics.h"
#include "agent/obs/process_metrics.h"
#include "agent/pipeline/wal_appendable.h"
#include "agent/plugin/input_runner.h"
#include "agent/plugin/plugin.h"
#include "agent/promql/engine.h"
#include "agent/remote/queue_manager.h"
#include "agent/tsdb/db.h"
#include "agent/tsdb/inspect.h"
#include "agent/wal/wal.h"

namespace cistern::app {
namespace {

constexpr std::string_view kLog = "app";

plugin::Registry& Plugins() {
  static plugin::Registry* registry = [] {
    auto* r = new plugin::Registry;
    plugins::RegisterBuiltins(r);
    return r;
  }();
  return *registry;
}

// What a browser on this machine opens for a listen address: "127.0.0.1:9090"
// as is, an all-interfaces ":9090" / "0.0.0.0:9090" / "[::]:9090" as localhost.
std::string BrowserUrl(std::string_view listen) {
  size_t colon = listen.rfind(':');
  std::string_view host = colon == std::string_view::npos ? std::string_view() : listen.substr(0, colon);
  std::string_view port = colon == std::string_view::npos ? listen : listen.substr(colon + 1);
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "localhost";
  return "http://" + std::string(host) + ":" + std::string(port);
}

// `cistern run` on a laptop: a week of data in at most 2 GiB unless [storage] says otherwise.
config::Config RunDefaults() {
  config::Config c;
  c.storage.retention = std::chrono::hours(7 * 24);
  c.storage.retention_size = 2ULL << 30;
  return c;
}

// `cistern run` collects the host and its containers, as well as itself
// (self is on by default everywhere); `[inputs.host] enabled = false` turns
// one off.
void AddRunInputs(config::Config* c) {
  for (std::string_view name : {"host", "container"}) {
    bool configured = false;
    for (const config::InputConfig& in : c->inputs) configured |= in.plugin == name;
    if (configured) continue;
    config::InputConfig in;
    in.plugin = in.id = std::string(name);
    in.options = config::Value::EmptyTable();
    c->inputs.push_back(std::move(in));
  }
}

Status CheckRole(const config::Config& c, Role role) {
  if (role == Role::kAgent && c.remote_write.empty()) {
    std::string where = c.path.empty() ? "built-in config" : c.path;
    return InvalidArgumentError(where + ": agent mode needs at least one [[remote_write]] endpoint");
  }
  return OkStatus();
}

class Process {
 public:
  Process(const AppOptions& options, config::Config config)
      : options_(options), config_(std::move(config)) {
    uv_loop_init(&loop_);
    obs::RegisterProcessMetrics(&metrics_);
    reloads_ = metrics_.NewCounterFamily("cistern_config_reloads_total", "Configuration reloads by result.",
                                         {"result"});
    last_reload_ok_ = metrics_.NewGauge("cistern_config_last_reload_successful",
                                        "1 if the last configuration reload succeeded.");
    last_reload_ok_->Set(1);
  }

  ~Process() {
    inputs_.clear();
    queues_.clear();
    pipeline_.reset();  // drains and syncs
    if (wal_) wal_->Close().IgnoreError();
    http_.reset();
    query_api_.reset();  // cancels running queries, joins its threads; before the loop closes
    engine_.reset();
    signals_.clear();
    shutdown_timer_.reset();
    int rc = loop::CloseLoop(&loop_);
    if (rc != 0) obs::Warn(kLog, "event loop closed with open handles ({})", uv_strerror(rc));
    // After the loop: no request is being ingested on a worker any more.
    receiver_.reset();
    if (db_) {
      if (Status s = db_->Close(); !s.ok()) obs::Error(kLog, "tsdb close: {}", s.message());
    }
  }

  int Run() {
    int64_t start_ns = MonotonicNanos();
    obs::Info(kLog, "cistern {} starting as {} (config: {}, pid {})", obs::kVersion, RoleName(options_.role),
              config_.path.empty() ? "built-in defaults" : config_.path, static_cast<int>(getpid()));
    InstallSignals();
    if (Status s = OpenStore(); !s.ok()) {
      obs::Error(kLog, "{}", s.message());
      return 1;
    }
    if (Status s = StartHttp(config_.http.listen, &http_); !s.ok()) {
      obs::Error(kLog, "{}", s.message());
      return 1;
    }
    if (Status s = StartInputs(config_); !s.ok()) {
      obs::Error(kLog, "{}", s.message());
      return 1;
    }
    if (Status s = StartQueues(config_); !s.ok()) {
      obs::Error(kLog, "{}", s.message());
      return 1;
    }
    ready_ = true;
    obs::Info(kLog, "ready in {:.1f} ms: {} input(s), http://{}/metrics", (MonotonicNanos() - start_ns) / 1e6,
              inputs_.size(), config_.http.listen);
    if (db_) {
      std::string url = BrowserUrl(config_.http.listen);
      obs::Info(kLog, "UI: open {}/graph in a browser; Grafana: add a Prometheus data source with URL {}", url, url);
    }
    uv_run(&loop_, UV_RUN_DEFAULT);
    obs::Info(kLog, "stopped");
    return exit_code_;
  }

 private:
  // Where inputs append: the WAL in agent mode; the TSDB (WAL + head +
  // blocks) in server and run modes. Both replay their logs here, before the
  // loop runs.
  Status OpenStore() {
    if (options_.role != Role::kAgent) {
      tsdb::DbOptions o;
      o.dir = config_.global.data_dir;
      o.block_range_ms = config_.storage.block_duration.count();
      o.out_of_order_window_ms = config_.storage.out_of_order_window.count();
      o.retention_ms = config_.storage.retention.count();
      o.retention_bytes = config_.storage.retention_size;
      o.wal_segment_size = config_.wal.segment_size;
      o.fsync = config_.wal.fsync == config::FsyncMode::kAlways  ? tsdb::FsyncPolicy::kAlways
                : config_.wal.fsync == config::FsyncMode::kNever ? tsdb::FsyncPolicy::kNever
                                                                 : tsdb::FsyncPolicy::kInterval;
      o.fsync_interval = config_.wal.fsync_interval;
      o.registry = &metrics_;
      CISTERN_ASSIGN_OR_RETURN(db_, tsdb::Db::Open(o));
      appendable_ = db_.get();
      const config::ReceiverConfig& rc = config_.receiver;
      api::ReceiverLimits limits;
      limits.max_body_bytes = rc.max_body;
      limits.max_decoded_bytes = rc.max_decoded_body;
      limits.max_series_per_request = static_cast<size_t>(rc.max_series_per_request);
      limits.max_labels_per_series = static_cast<size_t>(rc.max_labels_per_series);
      limits.max_label_name_length = static_cast<size_t>(rc.max_label_name_length);
      limits.max_label_value_length = static_cast<size_t>(rc.max_label_value_length);
      limits.max_pending_bytes = rc.max_pending;
      receiver_ = std::make_unique<api::RemoteWriteIngester>(db_.get(), limits, &metrics_);
      StartQueryApi();
      obs::Info(kLog, "tsdb: {} (block_duration {}, out_of_order_window {}, retention {}{})", o.dir,
                FormatDuration(config_.storage.block_duration), FormatDuration(config_.storage.out_of_order_window),
                FormatDuration(config_.storage.retention),
                o.retention_bytes ? ", retention_size " + FormatSize(o.retention_bytes) : std::string());
      return OkStatus();
    }
    wal::Options wo;
    wo.dir = config_.global.data_dir + "/wal";
    wo.segment_size = config_.wal.segment_size;
    wo.max_size = config_.wal.max_size;
    wo.max_age = config_.wal.max_age;
    wo.metrics = &metrics_;
    auto w = wal::Wal::Open(wo);  // replays at startup, before the loop runs
    if (!w.ok()) return w.status();
    wal_ = std::move(*w);
    pipeline::WalAppendableOptions po;
    po.fsync = config_.wal.fsync == config::FsyncMode::kAlways  ? pipeline::FsyncMode::kAlways
               : config_.wal.fsync == config::FsyncMode::kNever ? pipeline::FsyncMode::kNever
                                                                : pipeline::FsyncMode::kInterval;
    po.fsync_interval = config_.wal.fsync_interval;
    po.metrics = &metrics_;
    pipeline_ = std::make_unique<pipeline::WalAppendable>(wal_.get(), po);
    appendable_ = pipeline_.get();
    obs::Info(kLog, "wal: {} (max_size {}, segment_size {}, fsync {})", wo.dir, FormatSize(wo.max_size),
              FormatSize(wo.segment_size),
              config_.wal.fsync == config::FsyncMode::kInterval ? FormatDuration(config_.wal.fsync_interval)
              : config_.wal.fsync == config::FsyncMode::kAlways ? "always"
                                                                : "never");
    return OkStatus();
  }

  // The Prometheus HTTP query API over the TSDB, with the engine it owns ([query]).
  void StartQueryApi() {
    const config::QueryConfig& q = config_.query;
    promql::EngineOptions eo{.lookback_delta_ms = q.lookback_delta.count(), .max_samples = q.max_samples,
                             .timeout_ms = q.timeout.count(), .max_concurrent = static_cast<int>(q.max_concurrency),
                             .default_subquery_step_ms = config_.rules.evaluation_interval.count()};
    engine_ = std::make_unique<promql::Engine>(eo);
    api::QueryApiOptions o{.timeout_ms = eo.timeout_ms, .lookback_delta_ms = eo.lookback_delta_ms,
                           .max_concurrency = eo.max_concurrent};
    std::vector<model::Label> ext;
    for (const auto& [k, v] : config_.global.external_labels) ext.push_back({k, v});
    o.external_labels = model::Labels::FromUnsorted(std::move(ext));
    o.build = {obs::kVersion, "", "", "", "", __VERSION__};  // the compiler stands in for goVersion
    std::string retention = FormatDuration(config_.storage.retention);
    if (config_.storage.retention_size) retention += " or " + FormatSize(config_.storage.retention_size);
    o.storage_retention = retention;
    o.flags = {{"config.file", config_.path}, {"storage.tsdb.path", config_.global.data_dir},
               {"storage.tsdb.retention.time", FormatDuration(config_.storage.retention)},
               {"web.listen-address", config_.http.listen},
               {"web.enable-admin-api", config_.http.enable_admin_api ? "true" : "false"},
               {"log.level", std::string(obs::LogLevelName(config_.global.log_level))},
               {"query.lookback-delta", FormatDuration(q.lookback_delta)}, {"query.timeout", FormatDuration(q.timeout)},
               {"query.max-samples", std::to_string(q.max_samples)},
               {"query.max-concurrency", std::to_string(q.max_concurrency)}};
    o.config_text = [path = config_.path] {  // the file as it is now; "" for built-in defaults
      auto text = path.empty() ? StatusOr<std::string>(std::string()) : ReadFile(path, 16 << 20);
      return text.ok() ? *text : "# " + text.status().message() + "\n";
    };
    o.runtime_state = [ok = last_reload_ok_] { return api::RuntimeState{.reload_config_success = ok->Value() == 1}; };
    o.targets = [targets = targets_] {
      std::lock_guard<std::mutex> l(targets->mu);
      return targets->list;
    };
    o.tsdb_status = [db = db_.get()] { return StatusOr<std::string>(api::TsdbStatusJson(db->Stats())); };
    o.head_summary = [db = db_.get()] {
      return api::HeadSummary{db->head().NumSeries(), db->head().ComputeStats().chunks, db->head().MinTime(),
                              db->head().MaxTime()};
    };
    query_api_ = std::make_unique<api::QueryApi>(&loop_, db_.get(), engine_.get(), std::move(o), &metrics_);
  }

  // One sending queue per [[remote_write]] endpoint, each with its own WAL cursor.
  Status StartQueues(const config::Config& c) {
    if (!wal_) return OkStatus();
    for (const config::RemoteWriteConfig& rw : c.remote_write) {
      remote::EndpointOptions e;
      e.name = rw.name;
      e.url = rw.url;
      e.client.timeout_ms = static_cast<uint64_t>(rw.timeout.count());
      for (const auto& [k, v] : rw.headers) e.client.headers.push_back({k, v});
      if (rw.basic_auth) {
        e.client.basic_auth_username = rw.basic_auth->username;
        e.client.basic_auth_password = rw.basic_auth->password;
      }
      e.client.bearer_token = rw.bearer_token;
      e.client.tls = {rw.tls.ca_file, rw.tls.cert_file, rw.tls.key_file, rw.tls.insecure_skip_verify, ""};
      e.client.proxy_url = rw.proxy_url;
      e.max_samples_per_send = static_cast<size_t>(rw.queue.max_samples_per_send);
      e.batch_send_deadline = rw.queue.batch_send_deadline;
      e.min_backoff = rw.queue.min_backoff;
      e.max_backoff = rw.queue.max_backoff;
      std::map<std::string, std::string> ext = c.global.external_labels;  // the endpoint's own win
      for (const auto& [k, v] : rw.external_labels) ext[k] = v;
      std::vector<model::Label> labels;
      for (const auto& [k, v] : ext) labels.push_back({k, v});
      e.external_labels = model::Labels::FromUnsorted(std::move(labels));
      for (const auto& r : rw.write_relabel_configs) e.relabel.push_back(r.rule);
      e.sample_age_limit = rw.sample_age_limit;
      e.max_shards = rw.queue.max_shards > 0 ? static_cast<size_t>(rw.queue.max_shards)
                                             : std::max<size_t>(1, std::thread::hardware_concurrency());
      e.min_shards = std::min(static_cast<size_t>(rw.queue.min_shards), e.max_shards);
      e.live_first = rw.catch_up == config::CatchUp::kLiveFirst;
      e.max_drain_rate = rw.max_drain_rate;
      e.reconnect_jitter = rw.reconnect_jitter;
      e.live_threshold = rw.catch_up_threshold;
      auto q = std::make_unique<remote::QueueManager>(&loop_, wal_.get(), std::move(e), &metrics_);
      CISTERN_RETURN_IF_ERROR(q->Start());
      queues_.push_back(std::move(q));
    }
    return OkStatus();
  }

  void StopQueues(std::function<void()> done) { StopAll(&queues_, std::move(done)); }

  void InstallSignals() {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      auto s = std::make_unique<loop::Signal>(&loop_);
      Status st = s->Start(sig, [this, sig] {
        if (sig == SIGHUP) {
          Reload();
        } else {
          Shutdown(sig == SIGINT ? "SIGINT" : "SIGTERM");
        }
      });
      if (!st.ok()) obs::Warn(kLog, "{}", st.message());
      signals_.push_back(std::move(s));
    }
  }

  Status StartHttp(const std::string& listen, std::unique_ptr<net::HttpServer>* out) {
    net::HttpServerOptions opts;
    opts.metrics = &metrics_;
    if (receiver_) opts.max_body_bytes = std::max(opts.max_body_bytes, receiver_->limits().max_body_bytes);
    auto server = std::make_unique<net::HttpServer>(&loop_, opts);
    api::RegisterHealthRoutes(server.get(), &metrics_, [this] { return ready_ && !shutting_down_; });
    if (receiver_) api::RegisterRemoteWriteRoute(server.get(), &loop_, receiver_.get());
    if (db_) api::RegisterUiRoutes(server.get());  // the built-in UI, over the query API
    if (query_api_) query_api_->Register(server.get());
    if (db_ && config_.http.enable_admin_api) {
      api::AdminHandlers admin;
      admin.snapshot = [db = db_.get()](bool skip_head) { return db->Snapshot(skip_head); };
      admin.delete_series = [db = db_.get()](int64_t start, int64_t end, auto selectors) {
        return db->Delete(start, end, selectors);
      };
      admin.clean_tombstones = [db = db_.get()] { return db->CleanTombstones(); };
      api::RegisterAdminRoutes(server.get(), &loop_, std::move(admin));
    }
    CISTERN_RETURN_IF_ERROR(server->Listen(listen).Annotate("http"));
    *out = std::move(server);
    return OkStatus();
  }

  Status StartInputs(const config::Config& c) {
    CISTERN_ASSIGN_OR_RETURN(std::vector<plugin::InputSpec> specs, plugin::ResolveInputs(c, Plugins()));
    std::vector<api::TargetInfo> board;
    for (plugin::InputSpec& spec : specs) {
      auto runner = std::make_unique<plugin::InputRunner>(&loop_, std::move(spec), appendable_, &metrics_);
      board.push_back(TargetOf(runner->spec(), runner->health()));
      runner->set_health_listener([targets = targets_, spec = &runner->spec()](const plugin::InputHealth& h) {
        std::lock_guard<std::mutex> l(targets->mu);
        for (api::TargetInfo& t : targets->list)
          if (t.pool == h.id) t = TargetOf(*spec, h);
      });
      CISTERN_RETURN_IF_ERROR(runner->Start());
      inputs_.push_back(std::move(runner));
    }
    std::lock_guard<std::mutex> l(targets_->mu);
    targets_->list = std::move(board);
    return OkStatus();
  }

  // An input as /api/v1/targets shows it.
  static api::TargetInfo TargetOf(const plugin::InputSpec& spec, const plugin::InputHealth& h) {
    api::TargetInfo t;
    t.pool = spec.id;
    t.url = "input:" + spec.id;
    model::LabelsBuilder b(spec.target_labels);
    for (const model::Label& l : spec.labels) b.Set(l.name, l.value);
    t.labels = b.Build();
    t.health = h.last_collect_ms == 0 ? "unknown" : h.up ? "up" : "down";
    t.last_error = h.last_error;
    t.last_scrape_ms = h.last_collect_ms;
    t.last_duration_seconds = h.last_duration_seconds;
    t.interval_ms = spec.interval.count();
    return t;
  }

  void StopInputs(std::function<void()> done) { StopAll(&inputs_, std::move(done)); }

  // Stops every element (inputs, queues), destroys them all, then runs `done`.
  template <typename T>
  void StopAll(std::vector<std::unique_ptr<T>>* items, std::function<void()> done) {
    auto pending = std::make_shared<size_t>(items->size());
    auto finish = std::make_shared<std::function<void()>>([items, done = std::move(done)] {
      items->clear();
      done();
    });
    if (*pending == 0) {
      (*finish)();
      return;
    }
    for (auto& item : *items) {
      item->Stop([pending, finish] {
        if (--*pending == 0) (*finish)();
      });
    }
  }

  void Reload() {
    if (shutting_down_ || reloading_) return;
    if (options_.config_path.empty()) {
      obs::Info(kLog, "SIGHUP: running on built-in defaults, nothing to reload");
      return;
    }
    reloading_ = true;
    obs::Info(kLog, "SIGHUP: reloading {}", options_.config_path);
    auto result = std::make_shared<StatusOr<config::Config>>(InternalError("not loaded"));
    AppOptions opts = options_;
    loop::QueueWork(
        &loop_, [result, opts] { *result = LoadConfig(opts); },
        [this, result](Status queued) {
          reloading_ = false;
          if (!queued.ok() || shutting_down_) return;
          if (!result->ok()) {
            reloads_->With({"failure"})->Inc();
            last_reload_ok_->Set(0);
            obs::Error(kLog, "reload rejected, keeping the running configuration:\n{}", result->status().message());
            return;
          }
          Apply(std::move(**result));
        });
  }

  void Apply(config::Config next) {
    if (next.global.data_dir != config_.global.data_dir || next.wal.segment_size != config_.wal.segment_size ||
        next.wal.max_size != config_.wal.max_size || next.wal.fsync != config_.wal.fsync ||
        next.wal.fsync_interval != config_.wal.fsync_interval || next.wal.max_age != config_.wal.max_age) {
      obs::Warn(kLog, "reload: [global] data_dir and [wal] changes take effect after a restart");
      next.global.data_dir = config_.global.data_dir;
      next.wal = config_.wal;
    }
    if (options_.role != Role::kAgent && (next.storage != config_.storage || next.receiver != config_.receiver ||
                                          next.query != config_.query ||
                                          next.http.enable_admin_api != config_.http.enable_admin_api)) {
      // The store, the receiver and the query engine are built once, at start.
      obs::Warn(kLog,
                "reload: [storage], [receiver], [query] and [http] enable_admin_api changes take effect after a restart");
      next.storage = config_.storage;
      next.receiver = config_.receiver;
      next.query = config_.query;
      next.http.enable_admin_api = config_.http.enable_admin_api;
    }
    obs::InitLogging(options_.log_level.value_or(next.global.log_level), next.global.log_format);
    if (next.http.listen != config_.http.listen) {
      std::unique_ptr<net::HttpServer> server;
      if (Status s = StartHttp(next.http.listen, &server); !s.ok()) {
        reloads_->With({"failure"})->Inc();
        last_reload_ok_->Set(0);
        obs::Error(kLog, "reload rejected, keeping the running configuration: {}", s.message());
        return;
      }
      http_ = std::move(server);
      obs::Info(kLog, "now listening on {}", next.http.listen);
    }
    auto shared = std::make_shared<config::Config>(std::move(next));
    applying_ = true;
    StopInputs([this, shared] { StopQueues([this, shared] { FinishApply(std::move(*shared)); }); });
  }

  // Second half of a reload: inputs and queues are stopped; start the new ones.
  void FinishApply(config::Config next) {
    applying_ = false;
    if (shutting_down_) {  // a SIGTERM came in while we were stopping: finish that instead
      ContinueShutdown();
      return;
    }
    config_ = std::move(next);
    // Collection keeps going even if a sender cannot start: both are tried.
    Status queues = StartQueues(config_);
    Status inputs = StartInputs(config_);
    if (!queues.ok() || !inputs.ok()) {
      reloads_->With({"failure"})->Inc();
      last_reload_ok_->Set(0);
      if (!queues.ok()) obs::Error(kLog, "reload: starting remote_write queues failed: {}", queues.message());
      if (!inputs.ok()) obs::Error(kLog, "reload: starting inputs failed: {}", inputs.message());
      return;
    }
    reloads_->With({"success"})->Inc();
    last_reload_ok_->Set(1);
    obs::Info(kLog, "reloaded: {} input(s), {} remote_write endpoint(s)", inputs_.size(), queues_.size());
  }

  void Shutdown(const char* why) {
    if (shutting_down_) {
      obs::Warn(kLog, "{} again: exiting now", why);
      std::fflush(stderr);
      std::_Exit(1);
    }
    shutting_down_ = true;
    obs::Info(kLog, "{}: shutting down (at most {} ms)", why, options_.shutdown_timeout_ms);
    shutdown_timer_ = std::make_unique<loop::Timer>(&loop_);
    shutdown_timer_->Start(static_cast<uint64_t>(options_.shutdown_timeout_ms), 0, [this] {
      obs::Error(kLog, "shutdown did not finish within {} ms; exiting", options_.shutdown_timeout_ms);
      exit_code_ = 1;
      uv_stop(&loop_);
    });
    if (applying_) return;  // the reload in progress calls ContinueShutdown() when its stop phase is done
    ContinueShutdown();
  }

  // Stop order: inputs, then flush what they committed, then the senders
  // (they persist their cursors), then the listener.
  void ContinueShutdown() {
    StopInputs([this] {
      // Flush what inputs committed (a sync: off the loop thread).
      loop::QueueWork(
          &loop_, [this] {
            if (pipeline_) pipeline_->Flush();
          },
          [this](Status) {
            // Then the senders persist their cursors, then the listener closes.
            StopQueues([this] {
              http_->Close([this] {
                http_.reset();
                signals_.clear();
                shutdown_timer_.reset();  // nothing keeps the loop alive now: uv_run returns
              });
            });
          });
    });
  }

  AppOptions options_;
  config::Config config_;
  uv_loop_t loop_;
  obs::Registry metrics_;
  obs::CounterFamily* reloads_;
  obs::Gauge* last_reload_ok_;
  std::unique_ptr<tsdb::Db> db_;
  std::unique_ptr<api::RemoteWriteIngester> receiver_;
  std::unique_ptr<promql::Engine> engine_;
  std::unique_ptr<api::QueryApi> query_api_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<pipeline::WalAppendable> pipeline_;
  storage::Appendable* appendable_ = nullptr;
  std::unique_ptr<net::HttpServer> http_;
  std::vector<std::unique_ptr<plugin::InputRunner>> inputs_;
  // The inputs' health as /api/v1/targets reports it: written on the loop
  // (health listeners), read by query workers.
  struct TargetBoard {
    std::mutex mu;
    std::vector<api::TargetInfo> list;
  };
  std::shared_ptr<TargetBoard> targets_ = std::make_shared<TargetBoard>();
  std::vector<std::unique_ptr<remote::QueueManager>> queues_;
  std::vector<std::unique_ptr<loop::Signal>> signals_;
  std::unique_ptr<loop::Timer> shutdown_timer_;
  bool ready_ = false;
  bool shutting_down_ = false;
  bool reloading_ = false;
  bool applying_ = false;  // a reload is stopping/starting inputs and queues
  int exit_code_ = 0;
};

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAgent: return "agent";
    case Role::kServer: return "server";
    case Role::kRun: return "run";
  }
  return "agent";
}

StatusOr<config::Config> LoadConfig(const AppOptions& options) {
  config::Config c = options.role == Role::kRun ? RunDefaults() : config::Config();
  if (!options.config_path.empty()) {
    CISTERN_ASSIGN_OR_RETURN(c, config::LoadConfigFile(options.config_path, std::move(c)));
  }
  if (options.role == Role::kRun) AddRunInputs(&c);
  if (!options.data_dir.empty()) c.global.data_dir = options.data_dir;
  if (options.log_level) c.global.log_level = *options.log_level;
  CISTERN_RETURN_IF_ERROR(plugin::ResolveInputs(c, Plugins()));
  CISTERN_RETURN_IF_ERROR(CheckRole(c, options.role));
  return c;
}

int CheckConfig(const std::string& path) {
  auto c = config::LoadConfigFile(path);
  if (c.ok()) {
    auto inputs = plugin::ResolveInputs(*c, Plugins());
    if (!inputs.ok()) {
      c = inputs.status();
    } else {
      std::printf("%s: ok (%zu input(s), %zu remote_write endpoint(s), listen %s)\n", path.c_str(),
                  inputs->size(), c->remote_write.size(), c->http.listen.c_str());
      return 0;
    }
  }
  std::fprintf(stderr, "%s: invalid configuration:\n%s\n", path.c_str(), c.status().message().c_str());
  return 2;
}

int WalInspect(const std::string& dir) {
  auto report = wal::Inspect(dir);
  if (!report.ok()) {
    std::fprintf(stderr, "cistern wal inspect: %s\n", report.status().message().c_str());
    return 1;
  }
  std::fputs(wal::FormatInspectReport(*report).c_str(), stdout);
  return 0;
}

int TsdbInspect(const std::string& dir, bool json, bool force) {
  obs::InitLogging(obs::LogLevel::kWarn, obs::LogFormat::kText);
  tsdb::InspectOptions o;
  o.force = force;
  auto report = tsdb::InspectTsdb(dir, o);
  if (!report.ok()) {
    std::fprintf(stderr, "cistern tsdb inspect: %s\n", report.status().message().c_str());
    return 1;
  }
  std::fputs(json ? tsdb::TsdbReportJson(*report).c_str() : tsdb::FormatTsdbReport(*report).c_str(), stdout);
  return 0;
}

namespace {

// Keeps one collection's samples in memory.
class MemoryAppendable : public storage::Appendable {
 public:
  struct Sample {
    model::Labels labels;
    double value;
  };
  std::unique_ptr<storage::Appender> NewAppender() override {
    class A : public storage::Appender {
     public:
      explicit A(MemoryAppendable* owner) : owner_(owner) {}
      StatusOr<storage::SeriesRef> Append(storage::SeriesRef, const model::Labels& labels, int64_t,
                                          double value) override {
        batch_.push_back({labels, value});
        return storage::SeriesRef{0};
      }
      Status Commit() override {
        for (auto& s : batch_) owner_->samples.push_back(std::move(s));
        return OkStatus();
      }
      void Rollback() override { batch_.clear(); }

     private:
      MemoryAppendable* owner_;
      std::vector<Sample> batch_;
    };
    return std::make_unique<A>(this);
  }
  std::vector<Sample> samples;
};

std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

int Collect(const AppOptions& options, const std::string& input_id) {
  config::Config c;
  if (!options.config_path.empty()) {
    auto loaded = config::LoadConfigFile(options.config_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "cistern collect: invalid configuration:\n%s\n", loaded.status().message().c_str());
      return 2;
    }
    c = std::move(*loaded);
  }
  auto specs = plugin::ResolveInputs(c, Plugins());
  bool known = false;
  if (specs.ok()) {
    for (const auto& s : *specs) known |= s.id == input_id;
  }
  if (specs.ok() && !known && Plugins().Find(input_id) != nullptr) {
    // Not configured: the plugin with its defaults, as `[inputs.<name>]` would give.
    config::InputConfig in;
    in.plugin = in.id = input_id;
    in.options = config::Value::EmptyTable();
    c.inputs.push_back(std::move(in));
    specs = plugin::ResolveInputs(c, Plugins());
  }
  if (!specs.ok()) {
    std::fprintf(stderr, "cistern collect: invalid configuration:\n%s\n", specs.status().message().c_str());
    return 2;
  }
  std::optional<plugin::InputSpec> spec;
  std::string ids;
  for (auto& s : *specs) {
    ids += (ids.empty() ? "" : ", ") + s.id;
    if (s.id == input_id) spec = std::move(s);
  }
  if (!spec) {
    std::fprintf(stderr, "cistern collect: no input \"%s\" (configured: %s)\n", input_id.c_str(), ids.c_str());
    return 2;
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  obs::Registry metrics;
  MemoryAppendable store;
  Status result = OkStatus();
  {
    plugin::InputRunner runner(&loop, std::move(*spec), &store, &metrics);
    Status started = runner.Start();
    bool done = !started.ok();
    result = started;
    if (started.ok()) {
      runner.CollectNow([&](Status s) {
        result = std::move(s);
        done = true;
      });
    }
    while (!done) uv_run(&loop, UV_RUN_ONCE);
    bool stopped = false;
    runner.Stop([&] { stopped = true; });
    while (!stopped) uv_run(&loop, UV_RUN_ONCE);
  }
  loop::CloseLoop(&loop);
  std::vector<std::string> lines;
  for (const auto& s : store.samples) {
    std::string line(s.labels.Get(model::kMetricName));
    std::string rest;
    for (const model::Label& l : s.labels) {
      if (l.name == model::kMetricName) continue;
      rest += (rest.empty() ? "" : ",") + l.name + "=\"" + Escape(l.value) + "\"";
    }
    if (!rest.empty()) line += "{" + rest + "}";
    lines.push_back(line + " " + FormatFloatG(s.value));
  }
  std::sort(lines.begin(), lines.end());
  for (const std::string& l : lines) std::printf("%s\n", l.c_str());
  if (!result.ok()) {
    std::fprintf(stderr, "cistern collect: %s: %s\n", input_id.c_str(), result.message().c_str());
    return 1;
  }
  return 0;
}

int Run(const AppOptions& options) {
  auto config = LoadConfig(options);
  if (!config.ok()) {
    std::fprintf(stderr, "cistern %s: invalid configuration:\n%s\n", std::string(RoleName(options.role)).c_str(),
                 config.status().message().c_str());
    return 2;
  }
  obs::InitLogging(config->global.log_level, config->global.log_format);
  Process process(options, std::move(*config));
  return process.Run();
}

}  // namespace cistern::app
