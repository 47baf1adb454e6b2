#include "agent/remote/lane.h"

#include <cinttypes>
#include <cstdio>

#include "agent/base/time.h"

namespace cistern::remote {
namespace {
constexpr std::string_view kLog = "remote";
constexpr auto kPoll = std::chrono::milliseconds(200);
}  // namespace

std::string BacklogCursorName(const std::string& lane_cursor, wal::Position end) {
  char buf[64];
  std::snprintf(buf, sizeof buf, ".backlog-%08" PRIu32 "-%" PRIu64, end.segment, end.offset);
  return lane_cursor + buf;
}

std::optional<wal::Position> ParseBacklogCursorName(const std::string& lane_cursor, const std::string& name) {
  const std::string prefix = lane_cursor + ".backlog-";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string_view rest(name.c_str() + prefix.size());
  size_t dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == rest.size()) return std::nullopt;
  auto digits = [](std::string_view s, uint64_t* out) {
    *out = 0;
    for (char c : s) {
      if (c < '0' || c > '9' || *out > (UINT64_MAX - 9) / 10) return false;
      *out = *out * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  uint64_t seg, off;
  if (!digits(rest.substr(0, dash), &seg) || !digits(rest.substr(dash + 1), &off) || seg > UINT32_MAX) return std::nullopt;
  return wal::Position{static_cast<uint32_t>(seg), off};
}

Lane::Lane(uv_loop_t* loop, wal::Wal* wal, const EndpointOptions* opts, EndpointMetrics* metrics,
           net::HttpClient* client, const model::Relabeler* relabel, LaneConfig config)
    : loop_(loop),
      wal_(wal),
      opts_(opts),
      m_(metrics),
      client_(client),
      relabel_(relabel),
      cfg_(std::move(config)),
      tracker_(cfg_.from),
      persisted_(cfg_.from) {
  size_t max = std::max<size_t>(1, opts_->max_shards);
  for (size_t i = 0; i < max; ++i) shards_.push_back(std::make_unique<Shard>(opts_->min_backoff, opts_->max_backoff));
  size_t n = std::clamp<size_t>(cfg_.shards, 1, max);
  desired_shards_ = active_shards_ = n;
  allow_split_ = cfg_.allow_split;
  if (cfg_.skip) {
    has_skip_ = true;
    skip_start_ = cfg_.skip->start;
    skip_end_ = cfg_.skip->end;
  }
}

Lane::~Lane() {
  stop_ = true;
  space_.notify_all();
  if (reader_.joinable()) reader_.join();
  double left = static_cast<double>(pending_samples_);
  if (left > 0) m_->pending->Add(-left);
  if (started_) m_->shards->Add(-static_cast<double>(active_shards_));
}

void Lane::Start() {
  m_->shards->Add(static_cast<double>(active_shards_));  // the endpoint's gauge: the sum over its lanes
  started_ = true;
  wake_ = std::make_unique<loop::Async>(loop_, [this] { OnWake(); });
  for (auto& s : shards_) s->timer = std::make_unique<loop::Timer>(loop_);
  reader_ = std::thread([this] { ReaderLoop(); });
}

// ---------------------------------------------------------------------------
// Reader thread

void Lane::ReaderLoop() {
  using Clock = std::chrono::steady_clock;
  BatcherOptions bo;
  bo.max_samples_per_send = opts_->max_samples_per_send;
  bo.shards = active_shards_;
  bo.external_labels = opts_->external_labels;
  bo.relabel = relabel_;
  bo.sample_age_limit = opts_->sample_age_limit;
  Batcher batcher(bo);
  batcher.Reset(cfg_.from);
  auto reader = wal_->NewReader(cfg_.from);
  auto emit = [this](PendingRequest r) { Emit(std::move(r)); };
  if (cfg_.draining && opts_->reconnect_jitter.count() > 0) {
    std::uniform_int_distribution<int64_t> d(0, opts_->reconnect_jitter.count());
    if (!Sleep(Duration(d(rng_)))) return;
  }
  auto jump = [&](wal::Position to) {
    reader = wal_->NewReader(to);
    batcher.Reset(to);
    has_skip_ = false;
  };
  wal::ReadBatch batch;
  BatcherCounts reported;
  Clock::time_point partial_since;
  bool finished = false;
  while (!stop_) {
    if (size_t want = desired_shards_; want != batcher.shards()) {
      batcher.Flush(emit);
      if (!WaitIdle()) break;  // every request delivered: order holds across the change
      batcher.SetShards(want);
      m_->shards->Add(static_cast<double>(want) - static_cast<double>(active_shards_.load()));
      active_shards_ = want;
      obs::Debug(kLog, "{}: {} shard(s)", cfg_.cursor, want);
    }
    wal::Position before = reader->position();
    if (cfg_.stop_at && before >= *cfg_.stop_at) {
      finished = Finish(&batcher);
      break;
    }
    if (has_skip_ && before >= skip_start_ && before < skip_end_) {
      jump(skip_end_);  // the backlog lane sends this range
      continue;
    }
    auto got = reader->Next(&batch);
    if (!got.ok()) {
      obs::Error(kLog, "{}: reading the WAL: {}", cfg_.cursor, got.status().message());
      Sleep(Duration(1000));
      continue;
    }
    if (*got) {
      if (cfg_.stop_at && batch.end > *cfg_.stop_at) {  // the first record after the range
        finished = Finish(&batcher);
        break;
      }
      if (has_skip_ && batch.end > skip_start_ && batch.end <= skip_end_) {
        jump(skip_end_);
        continue;
      }
      samples_read_ += batch.samples.size();
      int64_t now = NowUnixMillis();
      int64_t newest = INT64_MIN;
      for (const wal::SampleRef& s : batch.samples) newest = std::max(newest, s.timestamp_ms);
      bool old = !batch.samples.empty() && newest < now - opts_->live_threshold.count();
      reading_backlog_ = old || cfg_.draining;
      if (old && allow_split_ && Split(before, &reader, &batcher)) continue;
      // A backlog drains on every shard at once, not after the next reshard tick
      // (most backlogs are gone before it); the resharder brings the count back down.
      if (old && !backlog_seen_) {
        backlog_seen_ = true;
        desired_shards_ = shards_.size();
      }
      if (!old) backlog_seen_ = false;
      bool was_empty = batcher.pending_samples() == 0;
      batcher.Add(batch, now, emit);
      if (was_empty && batcher.pending_samples() > 0) partial_since = Clock::now();
    } else {
      if (cfg_.stop_at) {  // caught up with the writer: the whole range is read
        finished = Finish(&batcher);
        break;
      }
      reading_backlog_ = false;
      auto waited = Clock::now() - partial_since;
      if (batcher.pending_samples() == 0 || waited >= opts_->batch_send_deadline) batcher.Flush(emit);
      auto wait = batcher.pending_samples() > 0
                      ? std::chrono::duration_cast<Duration>(opts_->batch_send_deadline - waited)
                      : Duration(200);
      wal_->WaitForData(reader->position(), std::clamp(wait, Duration(1), Duration(200)));
    }
    const BatcherCounts& c = batcher.counts();
    if (c.dropped_relabel != reported.dropped_relabel) {
      m_->Dropped("relabel")->Inc(double(c.dropped_relabel - reported.dropped_relabel));
    }
    if (c.dropped_too_old != reported.dropped_too_old) {
      m_->Dropped("too_old")->Inc(double(c.dropped_too_old - reported.dropped_too_old));
    }
    reported = c;
    PersistAck(false);
  }
  if (!finished) PersistAck(true);
}

void Lane::Emit(PendingRequest r) {
  if (r.body.empty()) {  // ack-only: done as soon as everything before it is
    std::lock_guard lock(mu_);
    tracker_.Complete(tracker_.Issue(r.ack));
    return;
  }
  const size_t cap = std::max<size_t>(2, opts_->max_queued_requests / std::max<size_t>(1, active_shards_));
  Shard& s = *shards_[r.shard];
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (space_.wait_for(lock, kPoll, [&] { return stop_ || s.queue.size() < cap; })) {
        if (stop_) return;  // not acknowledged: sent again after a restart
        r.seq = tracker_.Issue(r.ack);
        pending_samples_ += r.samples;
        m_->pending->Add(static_cast<double>(r.samples));
        s.queue.push_back(std::move(r));
        break;
      }
    }
    PersistAck(false);
  }
  wake_->Send();
}

bool Lane::Sleep(Duration d) {
  std::unique_lock lock(mu_);
  return !space_.wait_for(lock, d, [&] { return stop_.load(); });
}

bool Lane::WaitIdle() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (space_.wait_for(lock, kPoll, [&] { return stop_ || tracker_.outstanding() == 0; })) return !stop_;
    }
    PersistAck(false);
  }
}

bool Lane::Split(wal::Position start, std::unique_ptr<wal::Reader>* reader, Batcher* batcher) {
  wal::Position end = wal_->End();
  if (end <= start) return false;
  BacklogRange range{BacklogCursorName(cfg_.cursor, end), start, end};
  // Durable before this lane can acknowledge anything past `start`.
  auto opened = wal_->OpenCursor(range.cursor);
  Status s = opened.ok() ? wal_->Ack(range.cursor, start) : opened.status();
  if (!s.ok()) {
    obs::Warn(kLog, "{}: cannot start a backlog cursor, catching up oldest first: {}", cfg_.cursor, s.message());
    wal_->RemoveCursor(range.cursor).IgnoreError();
    allow_split_ = false;
    return false;
  }
  allow_split_ = false;
  *reader = wal_->NewReader(end);
  batcher->Reset(end);
  obs::Info(kLog, "{}: live_first: WAL {}..{} becomes a backlog (cursor {}); live samples go first", cfg_.cursor,
            start.ToString(), end.ToString(), range.cursor);
  {
    std::lock_guard lock(mu_);
    split_event_ = std::move(range);
  }
  wake_->Send();
  return true;
}

bool Lane::Finish(Batcher* batcher) {
  batcher->Flush([this](PendingRequest r) { Emit(std::move(r)); });
  if (!WaitIdle()) return false;
  Status s = wal_->RemoveCursor(cfg_.cursor);
  if (!s.ok()) obs::Warn(kLog, "{}: removing the finished backlog cursor: {}", cfg_.cursor, s.message());
  {
    std::lock_guard lock(mu_);
    finished_event_ = true;
  }
  wake_->Send();
  return true;
}

void Lane::PersistAck(bool force) {
  wal::Position p;
  {
    std::lock_guard lock(mu_);
    p = tracker_.delivered();
  }
  int64_t now = MonotonicNanos();
  if (p <= persisted_) return;
  if (!force && now - last_persist_ns_ < std::chrono::duration_cast<std::chrono::nanoseconds>(opts_->ack_interval).count()) {
    return;
  }
  if (Status s = wal_->Ack(cfg_.cursor, p); !s.ok()) {
    obs::Warn(kLog, "{}: persisting the cursor: {}", cfg_.cursor, s.message());
    return;
  }
  persisted_ = p;
  last_persist_ns_ = now;
}

// ---------------------------------------------------------------------------
// Loop thread

void Lane::OnWake() {
  std::optional<BacklogRange> split;
  bool finished;
  {
    std::lock_guard lock(mu_);
    split.swap(split_event_);
    finished = finished_event_;
    finished_event_ = false;
  }
  if (stopped_) return;
  for (size_t k = 0; k < shards_.size(); ++k) {
    Shard& s = *shards_[k];
    if (!s.in_flight && !s.current && !s.timer->active()) SendNext(k);
  }
  // Last: these may stop and destroy this lane.
  if (split && cfg_.on_split) cfg_.on_split(*split);
  if (finished && cfg_.on_finished) cfg_.on_finished();
}

void Lane::SendNext(size_t k) {
  Shard& s = *shards_[k];
  {
    std::lock_guard lock(mu_);
    if (s.queue.empty()) return;
    s.current = std::move(s.queue.front());
    s.queue.pop_front();
  }
  space_.notify_all();
  if (int64_t wait_ms = PaceMillis(*s.current); wait_ms > 0) {
    s.timer->Start(static_cast<uint64_t>(wait_ms), 0, [this, k] {
      if (!stopped_ && shards_[k]->current) SendCurrent(k);
    });
    return;
  }
  SendCurrent(k);
}

int64_t Lane::PaceMillis(const PendingRequest& r) {
  if (opts_->max_drain_rate <= 0) return 0;
  if (!cfg_.draining && r.max_timestamp_ms >= NowUnixMillis() - opts_->live_threshold.count()) return 0;
  // A request of n samples goes n/rate after the previous one (or after now,
  // when idle), over all shards: never more than the rate over the drain.
  // Paced when sent, not when read, so a backlog queued up during an outage
  // does not go out in one burst.
  int64_t now = MonotonicNanos();
  if (next_send_ns_ < now) next_send_ns_ = now;
  next_send_ns_ += static_cast<int64_t>(static_cast<double>(r.samples) / opts_->max_drain_rate * 1e9);
  return (next_send_ns_ - now) / 1000000;
}

void Lane::SendCurrent(size_t k) {
  Shard& s = *shards_[k];
  net::ClientRequest req;
  req.method = "POST";
  req.url = opts_->url;
  req.headers = {{"Content-Type", kContentType}, {"Content-Encoding", kContentEncoding}, {kVersionHeader, kVersion}};
  req.body = s.current->body;
  s.in_flight = true;
  s.started_ns = MonotonicNanos();
  client_->Do(std::move(req), [this, k, alive = std::weak_ptr<int>(alive_)](StatusOr<net::ClientResponse> r) {
    if (!alive.expired()) OnResponse(k, std::move(r));
  });
}

void Lane::Completed(size_t k) {
  Shard& s = *shards_[k];
  {
    std::lock_guard lock(mu_);
    tracker_.Complete(s.current->seq);
    pending_samples_ -= s.current->samples;
    m_->pending->Add(-static_cast<double>(s.current->samples));
  }
  s.current.reset();
  space_.notify_all();
}

void Lane::OnResponse(size_t k, StatusOr<net::ClientResponse> r) {
  Shard& s = *shards_[k];
  s.in_flight = false;
  if (stopped_ || !s.current) return;
  double secs = (MonotonicNanos() - s.started_ns) / 1e9;
  m_->duration->Observe(secs);
  stats_.send_seconds += secs;
  const std::string* retry_after = r.ok() ? r->Header("Retry-After") : nullptr;
  Classified c = Classify(r.status(), r.ok() ? r->status : 0, retry_after ? *retry_after : "", NowUnixMillis());
  const size_t n = s.current->samples;
  switch (c.outcome) {
    case Outcome::kSent: {
      m_->sent->Inc(static_cast<double>(n));
      stats_.samples_out += static_cast<double>(n);
      sent_total_ += n;
      m_->highest->Set(std::max(m_->highest->Value(), s.current->max_timestamp_ms / 1000.0));
      m_->lag->Set(std::max(0.0, NowUnixMillis() / 1000.0 - m_->highest->Value()));
      bool after_outage = s.backoff.attempt() > 0;
      s.backoff.Reset();
      Completed(k);
      // A fleet coming back together: spread the drain (not the live lane of live_first).
      if (after_outage && opts_->reconnect_jitter.count() > 0 && (cfg_.draining || !opts_->live_first)) {
        std::uniform_int_distribution<int64_t> d(0, opts_->reconnect_jitter.count());
        s.timer->Start(static_cast<uint64_t>(d(loop_rng_)), 0, [this, k] {
          if (!stopped_) SendNext(k);
        });
        return;
      }
      break;
    }
    case Outcome::kRetry: {
      m_->retried->Inc(static_cast<double>(n));
      m_->requests_failed->Inc();
      stats_.failing = true;
      Duration d = s.backoff.Next(c.retry_after);
      uint64_t suppressed = 0;
      if (retry_log_.Allow(&suppressed)) {
        obs::Warn(kLog, "{}: {} ({}); retrying in {}{}", cfg_.cursor,
                  r.ok() ? "HTTP " + std::to_string(r->status) : r.status().message(), c.reason, FormatDuration(d),
                  suppressed ? " (" + std::to_string(suppressed) + " more not logged)" : "");
      }
      s.timer->Start(static_cast<uint64_t>(d.count()), 0, [this, k] {
        if (!stopped_ && shards_[k]->current) SendCurrent(k);
      });
      return;
    }
    case Outcome::kDrop: {
      m_->Dropped(c.reason)->Inc(static_cast<double>(n));
      m_->requests_failed->Inc();
      uint64_t suppressed = 0;
      if (drop_log_.Allow(&suppressed)) {
        // One log line: the receiver's message (an HTML error page, say) with its line breaks folded.
        std::string body;
        for (char ch : std::string_view(r->body).substr(0, 256)) {
          bool space = ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ';
          if (!space) body.push_back(ch);
          else if (!body.empty() && body.back() != ' ') body.push_back(' ');
        }
        while (!body.empty() && body.back() == ' ') body.pop_back();
        obs::Error(kLog, "{}: receiver refused {} samples with HTTP {} (not retried): {}{}", cfg_.cursor, n, r->status,
                   body, suppressed ? " (" + std::to_string(suppressed) + " more not logged)" : "");
      }
      Completed(k);
      break;
    }
  }
  SendNext(k);
}

Lane::Stats Lane::TakeStats() {
  Stats out = stats_;
  stats_ = Stats{};
  uint64_t read = samples_read_;
  out.samples_in = static_cast<double>(read - samples_read_reported_);
  samples_read_reported_ = read;
  out.backlog = reading_backlog_;
  std::lock_guard lock(mu_);
  out.pending = static_cast<double>(pending_samples_);
  return out;
}

void Lane::Stop(std::function<void()> done) {
  stopped_ = true;
  stop_ = true;
  space_.notify_all();
  for (auto& s : shards_) {
    if (s->timer) s->timer->Stop();
  }
  // Join the reader (it persists the cursor on its way out) off the loop thread.
  loop::QueueWork(
      loop_, [this] {
        if (reader_.joinable()) reader_.join();
      },
      [this, done = std::move(done)](Status) {
        wake_.reset();
        for (auto& s : shards_) s->timer.reset();
        done();
      });
}

}  // namespace cistern::remote
