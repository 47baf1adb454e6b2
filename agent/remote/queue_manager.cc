#include "agent/remote/queue_manager.h"

#include "agent/base/time.h"
#include "agent/obs/log.h"

namespace cistern::remote {
namespace {
constexpr std::string_view kLog = "remote";
}

struct QueueManager::Metrics {
  Metrics(obs::Registry* r, const std::string& name) {
    sent = r->NewCounterFamily("cistern_remote_samples_sent_total", "Samples delivered to the endpoint.", {"remote"})
               ->With({name});
    retried = r->NewCounterFamily("cistern_remote_samples_retried_total", "Samples in requests that were retried.",
                                  {"remote"})->With({name});
    dropped = r->NewCounterFamily("cistern_remote_samples_dropped_total",
                                  "Samples not delivered, by reason (http_4xx: refused by the receiver; relabel; too_old).",
                                  {"remote", "reason"});
    pending = r->NewGaugeFamily("cistern_remote_pending_samples", "Samples encoded and waiting to be sent.", {"remote"})
                  ->With({name});
    highest = r->NewGaugeFamily("cistern_remote_highest_sent_timestamp_seconds",
                                "Newest sample timestamp delivered to the endpoint.", {"remote"})->With({name});
    lag = r->NewGaugeFamily("cistern_remote_lag_seconds", "Now minus the newest delivered sample timestamp.", {"remote"})
              ->With({name});
    shards = r->NewGaugeFamily("cistern_remote_shards", "Parallel sending lanes.", {"remote"})->With({name});
    duration = r->NewHistogramFamily("cistern_remote_request_duration_seconds", "Remote-write request latency.",
                                     {"remote"}, obs::DefaultDurationBuckets())->With({name});
    this->name = name;
  }
  obs::Counter* Dropped(const std::string& reason) { return dropped->With({name, reason}); }
  std::string name;
  obs::Counter *sent, *retried;
  obs::CounterFamily* dropped;
  obs::Gauge *pending, *highest, *lag, *shards;
  obs::Histogram* duration;
};

QueueManager::QueueManager(uv_loop_t* loop, wal::Wal* wal, EndpointOptions options, obs::Registry* metrics)
    : loop_(loop),
      wal_(wal),
      opts_(std::move(options)),
      m_(std::make_unique<Metrics>(metrics, opts_.name)),
      backoff_(opts_.min_backoff, opts_.max_backoff) {}

QueueManager::~QueueManager() {
  stop_ = true;
  space_.notify_all();
  if (reader_.joinable()) reader_.join();
}

Status QueueManager::Start() {
  auto relabel = model::Relabeler::Compile(opts_.relabel);
  if (!relabel.ok()) return relabel.status().Annotate("remote_write " + opts_.name);
  relabeler_ = std::move(*relabel);
  client_ = std::make_unique<net::HttpClient>(loop_, opts_.client);
  CISTERN_RETURN_IF_ERROR(client_->Init().Annotate("remote_write " + opts_.name));
  auto from = wal_->OpenCursor(opts_.name);
  if (!from.ok()) return from.status();
  delivered_ = persisted_ = *from;
  wake_ = std::make_unique<loop::Async>(loop_, [this] { OnWake(); });
  backoff_timer_ = std::make_unique<loop::Timer>(loop_);
  m_->shards->Set(1);
  obs::Info(kLog, "{}: sending to {} from WAL position {}", opts_.name, opts_.url, from->ToString());
  reader_ = std::thread([this, pos = *from] { ReaderLoop(pos); });
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Reader thread

void QueueManager::ReaderLoop(wal::Position from) {
  using Clock = std::chrono::steady_clock;
  BatcherOptions bo;
  bo.max_samples_per_send = opts_.max_samples_per_send;
  bo.external_labels = opts_.external_labels;
  bo.relabel = &relabeler_;
  bo.sample_age_limit = opts_.sample_age_limit;
  Batcher batcher(bo);
  BatcherCounts reported;
  auto reader = wal_->NewReader(from);
  wal::ReadBatch batch;
  Clock::time_point partial_since;
  auto emit = [this](PendingRequest r) {
    {
      std::lock_guard lock(mu_);
      m_->pending->Add(static_cast<double>(r.samples));
      queue_.push_back(std::move(r));
    }
    wake_->Send();
  };
  while (!stop_) {
    {
      std::unique_lock lock(mu_);
      space_.wait_for(lock, std::chrono::milliseconds(200),
                      [&] { return stop_ || queue_.size() < opts_.max_queued_requests; });
      if (stop_) break;
      if (queue_.size() >= opts_.max_queued_requests) {
        lock.unlock();
        PersistAck(false);
        continue;
      }
    }
    auto got = reader->Next(&batch);
    if (!got.ok()) {
      obs::Error(kLog, "{}: reading the WAL: {}", opts_.name, got.status().message());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (*got) {
      bool was_empty = batcher.pending_samples() == 0;
      batcher.Add(batch, NowUnixMillis(), emit);
      if (was_empty && batcher.pending_samples() > 0) partial_since = Clock::now();
    } else {
      auto waited = Clock::now() - partial_since;
      if (batcher.pending_samples() == 0 || waited >= opts_.batch_send_deadline) batcher.Flush(emit);
      auto wait = batcher.pending_samples() > 0
                      ? std::chrono::duration_cast<Duration>(opts_.batch_send_deadline - waited)
                      : Duration(200);
      wal_->WaitForData(reader->position(), std::clamp(wait, Duration(1), Duration(200)));
    }
    const BatcherCounts& c = batcher.counts();
    if (c.dropped_relabel != reported.dropped_relabel) m_->Dropped("relabel")->Inc(double(c.dropped_relabel - reported.dropped_relabel));
    if (c.dropped_too_old != reported.dropped_too_old) m_->Dropped("too_old")->Inc(double(c.dropped_too_old - reported.dropped_too_old));
    reported = c;
    PersistAck(false);
  }
  PersistAck(true);
}

void QueueManager::PersistAck(bool force) {
  wal::Position p;
  {
    std::lock_guard lock(mu_);
    p = delivered_;
  }
  int64_t now = MonotonicNanos();
  if (p <= persisted_) return;
  if (!force && now - last_persist_ns_ < std::chrono::duration_cast<std::chrono::nanoseconds>(opts_.ack_interval).count()) return;
  if (Status s = wal_->Ack(opts_.name, p); !s.ok()) {
    obs::Warn(kLog, "{}: persisting the cursor: {}", opts_.name, s.message());
    return;
  }
  persisted_ = p;
  last_persist_ns_ = now;
}

// ---------------------------------------------------------------------------
// Loop thread

void QueueManager::OnWake() {
  if (!in_flight_ && !stopped_ && !backoff_timer_->active()) SendNext();
}

void QueueManager::SendNext() {
  while (!stopped_) {
    PendingRequest next;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    space_.notify_one();
    if (next.body.empty()) {  // ack-only: nothing to send
      std::lock_guard lock(mu_);
      delivered_ = std::max(delivered_, next.ack);
      continue;
    }
    current_ = std::move(next);
    SendCurrent();
    return;
  }
}

void QueueManager::SendCurrent() {
  net::ClientRequest req;
  req.method = "POST";
  req.url = opts_.url;
  req.headers = {{"Content-Type", kContentType},
                 {"Content-Encoding", kContentEncoding},
                 {kVersionHeader, kVersion}};
  req.body = current_->body;
  in_flight_ = true;
  send_started_ns_ = MonotonicNanos();
  client_->Do(std::move(req), [this](StatusOr<net::ClientResponse> r) { OnResponse(std::move(r)); });
}

void QueueManager::OnResponse(StatusOr<net::ClientResponse> r) {
  in_flight_ = false;
  if (stopped_ || !current_) return;
  m_->duration->Observe((MonotonicNanos() - send_started_ns_) / 1e9);
  const std::string* retry_after = r.ok() ? r->Header("Retry-After") : nullptr;
  Classified c = Classify(r.status(), r.ok() ? r->status : 0, retry_after ? *retry_after : "", NowUnixMillis());
  double n = static_cast<double>(current_->samples);
  switch (c.outcome) {
    case Outcome::kSent:
      m_->sent->Inc(n);
      m_->highest->Set(std::max(m_->highest->Value(), current_->max_timestamp_ms / 1000.0));
      m_->lag->Set(std::max(0.0, NowUnixMillis() / 1000.0 - m_->highest->Value()));
      backoff_.Reset();
      break;
    case Outcome::kRetry: {
      m_->retried->Inc(n);
      Duration d = backoff_.Next(c.retry_after);
      uint64_t suppressed = 0;
      if (retry_log_.Allow(&suppressed)) {
        obs::Warn(kLog, "{}: {} ({}); retrying in {}{}", opts_.name, r.ok() ? "HTTP " + std::to_string(r->status) : r.status().message(),
                  c.reason, FormatDuration(d), suppressed ? " (" + std::to_string(suppressed) + " more not logged)" : "");
      }
      backoff_timer_->Start(static_cast<uint64_t>(d.count()), 0, [this] {
        if (!stopped_ && current_) SendCurrent();
      });
      return;
    }
    case Outcome::kDrop: {
      m_->Dropped(c.reason)->Inc(n);
      uint64_t suppressed = 0;
      if (drop_log_.Allow(&suppressed)) {
        std::string body = r->body.substr(0, 256);
        while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
        obs::Error(kLog, "{}: receiver refused {} samples with HTTP {} (not retried): {}{}", opts_.name,
                   current_->samples, r->status, body,
                   suppressed ? " (" + std::to_string(suppressed) + " more not logged)" : "");
      }
      break;
    }
  }
  {
    std::lock_guard lock(mu_);
    delivered_ = std::max(delivered_, current_->ack);
    m_->pending->Add(-n);
  }
  current_.reset();
  SendNext();
}

void QueueManager::Stop(std::function<void()> done) {
  stopped_ = true;
  stop_ = true;
  space_.notify_all();
  if (backoff_timer_) backoff_timer_->Stop();
  if (client_) client_->Close();
  // Join the reader (it persists the cursor on its way out) off the loop thread.
  loop::QueueWork(
      loop_, [this] {
        if (reader_.joinable()) reader_.join();
      },
      [this, done = std::move(done)](Status) {
        wake_.reset();
        backoff_timer_.reset();
        client_.reset();
        done();
      });
}

}  // namespace cistern::remote
