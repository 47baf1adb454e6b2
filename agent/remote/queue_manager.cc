#include "agent/remote/queue_manager.h"

#include "agent/base/time.h"
#include "agent/obs/log.h"

namespace cistern::remote {
namespace {
constexpr std::string_view kLog = "remote";
}

QueueManager::QueueManager(uv_loop_t* loop, wal::Wal* wal, EndpointOptions options, obs::Registry* metrics)
    : loop_(loop),
      wal_(wal),
      opts_(std::move(options)),
      m_(std::make_unique<EndpointMetrics>(metrics, opts_.name)),
      resharder_(opts_.min_shards, opts_.max_shards) {
  opts_.max_shards = std::max<size_t>(1, opts_.max_shards);
  opts_.min_shards = std::clamp<size_t>(opts_.min_shards, 1, opts_.max_shards);
}

QueueManager::~QueueManager() = default;

std::unique_ptr<Lane> QueueManager::NewLane(LaneConfig config) {
  return std::make_unique<Lane>(loop_, wal_, &opts_, m_.get(), client_.get(), &relabeler_, std::move(config));
}

Status QueueManager::Start() {
  auto relabel = model::Relabeler::Compile(opts_.relabel);
  if (!relabel.ok()) return relabel.status().Annotate("remote_write " + opts_.name);
  relabeler_ = std::move(*relabel);
  client_ = std::make_unique<net::HttpClient>(loop_, opts_.client);
  CISTERN_RETURN_IF_ERROR(client_->Init().Annotate("remote_write " + opts_.name));
  auto from = wal_->OpenCursor(opts_.name);
  if (!from.ok()) return from.status();

  // A backlog a live_first lane left behind (before a restart or crash).
  std::optional<BacklogRange> backlog;
  for (const std::string& cursor : wal_->CursorNames()) {
    std::optional<wal::Position> end = ParseBacklogCursorName(opts_.name, cursor);
    if (!end) continue;
    if (backlog) {
      obs::Warn(kLog, "{}: more than one backlog cursor; {} waits for the next start", opts_.name, cursor);
      continue;
    }
    auto at = wal_->OpenCursor(cursor);
    if (!at.ok()) continue;
    if (*at >= *end) {
      wal_->RemoveCursor(cursor).IgnoreError();
      continue;
    }
    backlog = BacklogRange{cursor, *at, *end};
  }

  LaneConfig live;
  live.cursor = opts_.name;
  live.from = *from;
  live.skip = backlog;
  live.allow_split = opts_.live_first && !backlog;
  live.shards = opts_.min_shards;
  live.on_split = [this](BacklogRange r) { StartBacklog(std::move(r)); };
  live_ = NewLane(std::move(live));
  obs::Info(kLog, "{}: sending to {} from WAL position {} ({}, up to {} shard(s))", opts_.name, opts_.url,
            from->ToString(), opts_.live_first ? "live_first" : "oldest_first", opts_.max_shards);
  live_->Start();
  if (backlog) StartBacklog(*backlog);
  tick_ = std::make_unique<loop::Timer>(loop_);
  last_tick_ns_ = MonotonicNanos();
  auto every = static_cast<uint64_t>(std::max<int64_t>(1, opts_.reshard_interval.count()));
  tick_->Start(every, every, [this] { Tick(); });
  return OkStatus();
}

void QueueManager::StartBacklog(BacklogRange range) {
  if (stopping_ || backlog_) return;
  LaneConfig c;
  c.cursor = range.cursor;
  c.from = range.start;
  c.stop_at = range.end;
  c.draining = true;
  c.shards = opts_.max_shards;
  c.on_finished = [this] { OnBacklogFinished(); };
  backlog_range_ = range;
  backlog_started_ns_ = MonotonicNanos();
  backlog_ = NewLane(std::move(c));
  backlog_->Start();
  m_->backlog_lanes->Set(1);
  obs::Info(kLog, "{}: draining the backlog {}..{} behind the live lane{}", opts_.name, range.start.ToString(),
            range.end.ToString(), opts_.max_drain_rate > 0 ? " at most " + std::to_string(int64_t(opts_.max_drain_rate)) + " samples/s" : "");
}

void QueueManager::OnBacklogFinished() {
  if (!backlog_) return;
  double secs = (MonotonicNanos() - backlog_started_ns_) / 1e9;
  uint64_t n = backlog_->sent_samples();
  obs::Info(kLog, "{}: backlog {}..{} drained: {} samples in {:.1f} s ({:.0f} samples/s)", opts_.name,
            backlog_range_.start.ToString(), backlog_range_.end.ToString(), n, secs, secs > 0 ? n / secs : 0.0);
  Retire(std::move(backlog_));
  m_->backlog_lanes->Set(0);
  if (opts_.live_first && live_) live_->AllowSplit();
}

void QueueManager::Retire(std::unique_ptr<Lane> lane) {
  Lane* l = lane.get();
  retired_.push_back(std::move(lane));
  l->Stop([this, l] {
    for (auto it = retired_.begin(); it != retired_.end(); ++it) {
      if (it->get() == l) {
        retired_.erase(it);
        break;
      }
    }
    MaybeFinishStop();
  });
}

void QueueManager::Tick() {
  int64_t now = MonotonicNanos();
  double elapsed = (now - last_tick_ns_) / 1e9;
  last_tick_ns_ = now;
  if (!live_) return;
  Lane::Stats s = live_->TakeStats();
  ReshardInputs in{elapsed, s.samples_in, s.samples_out, s.send_seconds, s.pending, s.failing, s.backlog};
  size_t before = live_->shards();
  size_t want = resharder_.Update(in, before);
  if (want != before) obs::Info(kLog, "{}: resharding {} -> {}", opts_.name, before, want);
  live_->SetDesiredShards(want);
  double out = s.samples_out;
  bool catching_up = s.backlog;
  // While something waits to be sent (an outage), the lag grows with the clock.
  if (m_->pending->Value() > 0 && m_->highest->Value() > 0) {
    m_->lag->Set(std::max(0.0, NowUnixMillis() / 1000.0 - m_->highest->Value()));
  }
  if (backlog_) {
    Lane::Stats b = backlog_->TakeStats();
    out += b.samples_out;
    catching_up = true;
  }
  if (catching_up && elapsed > 0 && out > 0) {  // (an outage has its own rate-limited retry warnings)
    obs::Info(kLog, "{}: catching up: {:.0f} samples/s sent, lag {:.0f} s, {} shard(s){}", opts_.name, out / elapsed,
              m_->lag->Value(), live_->shards() + (backlog_ ? backlog_->shards() : 0),
              backlog_ ? ", backlog lane draining" : "");
  }
}

void QueueManager::Stop(std::function<void()> done) {
  stopping_ = true;
  stop_done_ = std::move(done);
  if (tick_) tick_->Stop();
  if (live_) Retire(std::move(live_));
  if (backlog_) Retire(std::move(backlog_));
  // Lanes are stopped (they ignore what comes back); in-flight requests end Cancelled.
  if (client_) client_->Close();
  MaybeFinishStop();
}

void QueueManager::MaybeFinishStop() {
  if (!stopping_ || !retired_.empty() || !stop_done_) return;
  tick_.reset();
  client_.reset();
  auto done = std::move(stop_done_);
  stop_done_ = nullptr;
  done();
}

}  // namespace cistern::remote
