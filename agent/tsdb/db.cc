#include "agent/tsdb/db.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>

#include "agent/base/file_util.h"
#include "agent/base/time.h"
#include "agent/obs/log.h"
#include "agent/storage/merge.h"
#include "agent/tsdb/block_format.h"
#include "agent/tsdb/db_plan.h"

namespace cistern::tsdb {
namespace {

namespace fs = std::filesystem;
constexpr char kLog[] = "tsdb";
constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();


std::string Range(const BlockMeta& m) {
  return FormatUnixMillisUtc(m.min_time) + ".." + FormatUnixMillisUtc(m.max_time);
}

// Removes a directory tree; logs instead of failing (a leftover is retried next start).
void RemoveDir(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) obs::Warn(kLog, "cannot remove {}: {}", path, ec.message());
}

// Removes a block directory: renamed to <ulid>.tmp first, so that a removal
// cut short by a crash leaves a leftover the next start deletes rather than
// a damaged block it would quarantine.
void RemoveBlockDir(const std::string& path) {
  std::error_code ec;
  std::string doomed = path + kBlockTmpSuffix;
  fs::rename(path, doomed, ec);
  RemoveDir(ec ? path : doomed);
}

// Holds off head truncation while it lives, so the head data the querier
// planned to read (instead of a block that did not exist yet) stays there.
class DbQuerier final : public storage::Querier {
 public:
  DbQuerier(std::unique_ptr<storage::Querier> q, std::shared_lock<std::shared_mutex> lock)
      : q_(std::move(q)), lock_(std::move(lock)) {}
  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints* hints,
                                             std::span<const storage::LabelMatcher> matchers) override {
    return q_->Select(sorted, hints, matchers);
  }
  StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                 std::span<const storage::LabelMatcher> matchers) override {
    return q_->LabelValues(name, matchers);
  }
  StatusOr<std::vector<std::string>> LabelNames(std::span<const storage::LabelMatcher> matchers) override {
    return q_->LabelNames(matchers);
  }
  Status Close() override {
    Status s = q_->Close();
    if (lock_.owns_lock()) lock_.unlock();
    return s;
  }

 private:
  std::unique_ptr<storage::Querier> q_;
  std::shared_lock<std::shared_mutex> lock_;
};

}  // namespace

struct Db::Metrics {
  explicit Metrics(obs::Registry* r)
      : blocks_loaded(r->NewGauge("cistern_tsdb_blocks_loaded", "Blocks the database currently reads.")),
        blocks_bytes(r->NewGauge("cistern_tsdb_storage_blocks_bytes", "Bytes of all loaded blocks on disk.")),
        wal_bytes(r->NewGauge("cistern_tsdb_wal_bytes", "Bytes of the head's write-ahead log on disk.")),
        head_cuts(r->NewCounter("cistern_tsdb_head_blocks_written_total",
                                "Blocks written from the head's complete ranges.")),
        head_cut_duration(r->NewHistogram("cistern_tsdb_head_cut_duration_seconds",
                                          "Time to write one head range as a block and truncate the head.",
                                          {0.1, 0.5, 1, 5, 10, 30, 60, 300})),
        compactions(r->NewCounter("cistern_tsdb_compactions_total", "Block compactions completed.")),
        compactions_failed(
            r->NewCounter("cistern_tsdb_compactions_failed_total", "Block compactions that failed.")),
        compaction_duration(r->NewHistogram("cistern_tsdb_compaction_duration_seconds",
                                            "Time of one block compaction.",
                                            {0.1, 0.5, 1, 5, 10, 30, 60, 300})),
        retention(r->NewCounterFamily("cistern_tsdb_retention_deletions_total",
                                      "Blocks deleted by retention, by reason (time, size).", {"reason"})),
        quarantined(r->NewCounter("cistern_tsdb_blocks_quarantined_total",
                                  "Blocks moved to quarantine/ because they failed verification at start.")),
        lowest_ts(
            r->NewGauge("cistern_tsdb_lowest_timestamp_seconds", "Oldest sample time the database holds.")) {}
  obs::Gauge* blocks_loaded;
  obs::Gauge* blocks_bytes;
  obs::Gauge* wal_bytes;
  obs::Counter* head_cuts;
  obs::Histogram* head_cut_duration;
  obs::Counter* compactions;
  obs::Counter* compactions_failed;
  obs::Histogram* compaction_duration;
  obs::CounterFamily* retention;
  obs::Counter* quarantined;
  obs::Gauge* lowest_ts;
};

Db::Db(DbOptions options)
    : opts_(std::move(options)), m_(std::make_unique<Metrics>(opts_.registry)), persisted_until_(kNoTime) {
  int64_t max_range = opts_.retention_ms > 0 ? opts_.retention_ms / 10 : 0;
  ranges_ = CompactionRanges(opts_.block_range_ms, max_range);
}

StatusOr<std::unique_ptr<Db>> Db::Open(DbOptions options) {
  if (options.registry == nullptr) return InvalidArgumentError("tsdb: options.registry is required");
  if (options.block_range_ms <= 0) return InvalidArgumentError("tsdb: block range must be positive");
  std::unique_ptr<Db> db(new Db(std::move(options)));
  const std::string& dir = db->opts_.dir;
  const bool ro = db->opts_.read_only;
  std::error_code ec;
  if (ro) {
    if (!fs::is_directory(dir, ec)) return NotFoundError("tsdb: no directory " + dir);
  } else {
    fs::create_directories(dir, ec);
    if (ec) return UnavailableError("tsdb: create " + dir + ": " + ec.message());
  }
  std::string lock_path = dir + "/lock";
  db->lock_fd_ = ro ? ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC)
                    : ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (db->lock_fd_ < 0 && !ro)
    return UnavailableError("tsdb: open " + lock_path + ": " + std::strerror(errno));
  if (db->lock_fd_ >= 0 && ::flock(db->lock_fd_, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 &&
      !(ro && db->opts_.force))
    return FailedPreconditionError("tsdb: " + dir + " is in use by another process (" + lock_path +
                                   " is locked)" +
                                   (ro ? "; --force reads it anyway (results may be inconsistent)" : ""));

  auto started = std::chrono::steady_clock::now();
  CISTERN_RETURN_IF_ERROR(db->LoadBlocks());
  HeadOptions ho;
  ho.chunk_range_ms = db->opts_.block_range_ms;
  ho.out_of_order_window_ms = db->opts_.out_of_order_window_ms;
  ho.stripes = db->opts_.head_stripes;
  ho.registry = db->opts_.registry;
  db->head_ = std::make_unique<Head>(ho);
  int64_t persisted = db->persisted_until_.load();
  if (persisted != kNoTime) db->head_->Truncate(persisted);  // older samples are in blocks

  HeadWalOptions wo;
  wo.dir = dir + "/wal";
  wo.segment_size = db->opts_.wal_segment_size;
  wo.fsync = db->opts_.fsync;
  wo.read_only = ro;
  wo.registry = db->opts_.registry;
  CISTERN_ASSIGN_OR_RETURN(db->wal_, HeadWal::Open(wo));
  CISTERN_ASSIGN_OR_RETURN(db->replay_, db->wal_->Replay(db->head_.get()));
  CISTERN_RETURN_IF_ERROR(db->LoadHeadTombstones());
  db->head_->SetCommitLog(db->wal_.get());  // read-only: its Log() fails, so do appends
  db->m_->wal_bytes->Set(static_cast<double>(db->wal_->SizeBytes()));
  obs::Info(kLog, "opened {} in {:.2f}s: {} blocks, head {} series", dir, SecondsSince(started), db->Blocks().size(),
            db->head_->NumSeries());
  if (db->opts_.background && !ro) db->bg_ = std::thread([p = db.get()] { p->BackgroundLoop(); });
  return db;
}

Db::~Db() { (void)Close(); }

Status Db::LoadBlocks() {
  const std::string& dir = opts_.dir;
  std::vector<std::shared_ptr<Block>> blocks;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (!e.is_directory()) continue;
    if (name.size() > 4 && name.ends_with(".tmp") && !opts_.read_only) {  // an interrupted block write
      obs::Warn(kLog, "removing unfinished block {}", e.path().string());
      RemoveDir(e.path().string());
      continue;
    }
    if (!IsValidUlid(name)) continue;
    StatusOr<std::shared_ptr<Block>> b = Block::Open(e.path().string());
    if (b.ok()) {
      blocks.push_back(*b);
      continue;
    }
    if (opts_.read_only) {
      skipped_.push_back(e.path().string() + ": " + std::string(b.status().message()));
      continue;
    }
    m_->quarantined->Inc();
    std::string qdir = dir + "/quarantine";
    fs::create_directories(qdir, ec);
    std::string target = qdir + "/" + name;
    fs::rename(e.path(), target, ec);
    obs::Error(kLog, "block {} failed verification, moved to {}{}: {}", name, target,
               ec ? " (move failed: " + ec.message() + ")" : "", b.status().message());
  }
  if (ec) return UnavailableError("tsdb: list " + dir + ": " + ec.message());
  std::sort(blocks.begin(), blocks.end(),
            [](const auto& a, const auto& b) { return a->meta().min_time < b->meta().min_time; });
  std::vector<BlockMeta> metas;
  for (const auto& b : blocks) metas.push_back(b->meta());
  std::vector<size_t> redundant = RedundantBlocks(metas);
  for (size_t i = redundant.size(); i-- > 0;) {
    size_t idx = redundant[i];
    if (opts_.read_only) {  // hide it from queries, leave it on disk
      blocks.erase(blocks.begin() + static_cast<long>(idx));
      continue;
    }
    obs::Info(kLog, "removing block {}: compacted or rewritten into another block before a restart",
              metas[idx].ulid);
    RemoveBlockDir(blocks[idx]->dir());
    blocks.erase(blocks.begin() + static_cast<long>(idx));
  }
  SetBlocks(std::move(blocks));
  return OkStatus();
}

void Db::SetBlocks(std::vector<std::shared_ptr<Block>> blocks) {
  std::sort(blocks.begin(), blocks.end(),
            [](const auto& a, const auto& b) { return a->meta().min_time < b->meta().min_time; });
  uint64_t bytes = 0;
  int64_t until = persisted_until_.load();
  int64_t lowest = std::numeric_limits<int64_t>::max();
  for (const auto& b : blocks) {
    bytes += b->SizeBytes();
    until = std::max(until, b->meta().max_time);
    lowest = std::min(lowest, b->meta().min_time);
  }
  m_->blocks_loaded->Set(static_cast<double>(blocks.size()));
  m_->blocks_bytes->Set(static_cast<double>(bytes));
  if (!blocks.empty()) m_->lowest_ts->Set(lowest / 1000.0);
  {
    std::lock_guard lock(blocks_mu_);
    blocks_ = std::move(blocks);
  }
  // After the list: a querier that sees the new end also sees the new block.
  persisted_until_.store(until);
}

std::vector<std::shared_ptr<Block>> Db::Blocks() const {
  std::lock_guard lock(blocks_mu_);
  return blocks_;
}

std::unique_ptr<storage::Appender> Db::NewAppender() { return head_->NewAppender(); }

StatusOr<std::unique_ptr<storage::Querier>> Db::NewQuerier(int64_t mint, int64_t maxt) {
  if (mint > maxt)
    return InvalidArgumentError("tsdb: querier: mint " + std::to_string(mint) + " > maxt " +
                                std::to_string(maxt));
  std::shared_lock truncation(truncate_mu_);
  std::vector<std::unique_ptr<storage::Querier>> qs;
  int64_t head_from = std::max(mint, persisted_until_.load());
  if (head_from <= maxt) {
    CISTERN_ASSIGN_OR_RETURN(auto q, head_->NewQuerier(head_from, maxt));
    qs.push_back(std::move(q));
  }
  for (const auto& b : Blocks()) {
    if (b->meta().max_time <= mint || b->meta().min_time > maxt) continue;
    CISTERN_ASSIGN_OR_RETURN(auto q, b->NewQuerier(mint, maxt));
    qs.push_back(std::move(q));
  }
  if (qs.empty()) {
    CISTERN_ASSIGN_OR_RETURN(auto q, head_->NewQuerier(mint, maxt));
    qs.push_back(std::move(q));
  }
  return std::unique_ptr<storage::Querier>(
      std::make_unique<DbQuerier>(storage::NewMergeQuerier(std::move(qs)), std::move(truncation)));
}

Status Db::Maintain() {
  if (opts_.read_only) return FailedPreconditionError("tsdb: opened read-only");
  std::lock_guard lock(maintain_mu_);
  Status first = OkStatus();
  auto keep = [&first](Status s) {
    if (!s.ok() && first.ok()) first = s;
  };
  keep(CutHead());
  keep(Compact());
  keep(ApplyRetention());
  m_->wal_bytes->Set(static_cast<double>(wal_->SizeBytes()));
  return first;
}

Status Db::CutHead() {
  int64_t mint;
  while (NextHeadCut(head_->MinTime(), head_->MaxTime(), persisted_until_.load(), opts_.block_range_ms,
                     opts_.out_of_order_window_ms, &mint)) {
    auto started = std::chrono::steady_clock::now();
    const int64_t maxt = mint + opts_.block_range_ms;  // exclusive
    CISTERN_ASSIGN_OR_RETURN(auto q, head_->NewQuerier(mint, maxt - 1));
    std::vector<storage::LabelMatcher> all{storage::MatchAllSeries()};
    std::unique_ptr<storage::SeriesSet> set = q->Select(true, nullptr, all);
    StatusOr<BlockMeta> meta = WriteBlock(opts_.dir, set.get(), mint, maxt, 1, {});
    (void)q->Close();
    if (!meta.ok()) {
      obs::Error(kLog, "head cut {}..{}: {}", FormatUnixMillisUtc(mint), FormatUnixMillisUtc(maxt),
                 meta.status().message());
      return meta.status();
    }
    if (meta->num_series > 0) {
      CISTERN_ASSIGN_OR_RETURN(std::shared_ptr<Block> block, Block::Open(opts_.dir + "/" + meta->ulid));
      std::vector<std::shared_ptr<Block>> blocks = Blocks();
      blocks.push_back(std::move(block));
      SetBlocks(std::move(blocks));
    }
    // Nothing older than maxt is accepted any more (NextHeadCut), so the head
    // and the WAL may let go of it.
    persisted_until_.store(std::max(persisted_until_.load(), maxt));
    size_t series_before = head_->NumSeries();
    bool had_tombstones = head_->HasTombstones();
    {
      std::unique_lock truncation(truncate_mu_);  // waits for queriers planned before the cut
      head_->Truncate(maxt);
    }
    if (had_tombstones) {  // pruned by the truncation; a stale file would only name data no longer there
      if (Status s = WriteHeadTombstones(head_->Tombstones()); !s.ok())
        obs::Warn(kLog, "head cut: rewriting {}: {}", kHeadTombstonesFile, s.message());
    }
    CISTERN_RETURN_IF_ERROR(wal_->Persisted(maxt));
    m_->head_cuts->Inc();
    double secs = SecondsSince(started);
    m_->head_cut_duration->Observe(secs);
    obs::Info(kLog, "head cut {}..{}: block {} with {} series, {} samples in {:.2f}s; head {} -> {} series",
              FormatUnixMillisUtc(mint), FormatUnixMillisUtc(maxt),
              meta->num_series > 0 ? meta->ulid : "(empty, none written)", meta->num_series,
              meta->num_samples, secs, series_before, head_->NumSeries());
  }
  return OkStatus();
}

Status Db::Compact() {
  for (;;) {
    std::vector<std::shared_ptr<Block>> blocks = Blocks();
    std::vector<BlockMeta> metas;
    for (const auto& b : blocks) metas.push_back(b->meta());
    std::vector<std::vector<size_t>> plans = PlanCompaction(metas, ranges_);
    if (plans.empty()) return OkStatus();
    const std::vector<size_t>& plan = plans.front();
    auto started = std::chrono::steady_clock::now();
    int64_t mint = std::numeric_limits<int64_t>::max(), maxt = std::numeric_limits<int64_t>::min();
    int level = 0;
    std::vector<std::string> sources;
    std::vector<std::unique_ptr<storage::Querier>> queriers;
    std::vector<std::unique_ptr<storage::SeriesSet>> sets;
    std::vector<storage::LabelMatcher> all{storage::MatchAllSeries()};
    uint64_t in_samples = 0;
    for (size_t i : plan) {
      const BlockMeta& m = metas[i];
      mint = std::min(mint, m.min_time);
      maxt = std::max(maxt, m.max_time);
      level = std::max(level, m.compaction_level);
      sources.insert(sources.end(), m.sources.begin(), m.sources.end());
      in_samples += m.num_samples;
      auto q = blocks[i]->NewQuerier(m.min_time, m.max_time - 1);
      if (!q.ok()) {
        m_->compactions_failed->Inc();
        return q.status();
      }
      sets.push_back((*q)->Select(true, nullptr, all));
      queriers.push_back(std::move(*q));
    }
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    std::unique_ptr<storage::SeriesSet> merged = storage::NewMergeSeriesSet(std::move(sets));
    StatusOr<BlockMeta> meta = WriteBlock(opts_.dir, merged.get(), mint, maxt, level + 1, sources);
    merged.reset();
    for (auto& q : queriers) (void)q->Close();
    queriers.clear();
    if (!meta.ok()) {
      m_->compactions_failed->Inc();
      obs::Error(kLog, "compaction of {} blocks {}..{}: {}", plan.size(), FormatUnixMillisUtc(mint),
                 FormatUnixMillisUtc(maxt), meta.status().message());
      return meta.status();
    }
    std::vector<std::shared_ptr<Block>> next;
    if (meta->num_series > 0) {
      StatusOr<std::shared_ptr<Block>> nb = Block::Open(opts_.dir + "/" + meta->ulid);
      if (!nb.ok()) {
        m_->compactions_failed->Inc();
        return nb.status();
      }
      next.push_back(*nb);
    }
    for (size_t i = 0; i < blocks.size(); ++i)
      if (std::find(plan.begin(), plan.end(), i) == plan.end()) next.push_back(blocks[i]);
    SetBlocks(std::move(next));
    uint64_t in_bytes = 0;
    for (size_t i : plan) {
      in_bytes += blocks[i]->SizeBytes();
      RemoveBlockDir(blocks[i]->dir());
    }
    double secs = SecondsSince(started);
    m_->compactions->Inc();
    m_->compaction_duration->Observe(secs);
    uint64_t out_bytes = 0;
    for (const auto& b : Blocks())
      if (b->meta().ulid == meta->ulid) out_bytes = b->SizeBytes();
    obs::Info(kLog,
              "compacted {} blocks {}..{} (level {}) into {}: {} series, {} samples, {} -> {} bytes in "
              "{:.2f}s ({:.0f} samples/s)",
              plan.size(), FormatUnixMillisUtc(mint), FormatUnixMillisUtc(maxt), level + 1, meta->ulid,
              meta->num_series, meta->num_samples, in_bytes, out_bytes, secs,
              secs > 0 ? in_samples / secs : 0.0);
  }
}

Status Db::ApplyRetention() {
  std::vector<std::shared_ptr<Block>> blocks = Blocks();
  std::vector<BlockMeta> metas;
  std::vector<uint64_t> bytes;
  for (const auto& b : blocks) {
    metas.push_back(b->meta());
    bytes.push_back(b->SizeBytes());
  }
  std::vector<RetentionDecision> gone =
      PlanRetention(metas, bytes, opts_.retention_ms, opts_.retention_bytes, wal_->SizeBytes());
  if (gone.empty()) return OkStatus();
  std::vector<bool> drop(blocks.size(), false);
  for (const RetentionDecision& d : gone) drop[d.index] = true;
  std::vector<std::shared_ptr<Block>> keep;
  for (size_t i = 0; i < blocks.size(); ++i)
    if (!drop[i]) keep.push_back(blocks[i]);
  SetBlocks(std::move(keep));
  for (const RetentionDecision& d : gone) {
    const char* why = d.reason == RetentionReason::kTime ? "time" : "size";
    m_->retention->With({why})->Inc();
    obs::Info(kLog, "retention ({}): deleting block {} {} ({} samples, {} bytes)", why, metas[d.index].ulid,
              Range(metas[d.index]), metas[d.index].num_samples, bytes[d.index]);
    RemoveBlockDir(blocks[d.index]->dir());
  }
  return OkStatus();
}

namespace {

// Hard link, or copy when links are impossible (another filesystem).
Status LinkOrCopy(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec) return OkStatus();
  fs::copy_file(from, to, ec);
  if (ec) return UnavailableError("tsdb: snapshot: copy " + from.string() + ": " + ec.message());
  return OkStatus();
}

std::string SnapshotName() {
  time_t now = time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  char ts[32];
  strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  uint64_t r = (static_cast<uint64_t>(rd()) << 32) | rd();
  char name[64];
  std::snprintf(name, sizeof name, "%s-%016llx", ts, static_cast<unsigned long long>(r));
  return name;
}

}  // namespace

StatusOr<std::string> Db::Snapshot(bool skip_head) {
  if (opts_.read_only) return FailedPreconditionError("tsdb: opened read-only");
  std::lock_guard lock(maintain_mu_);  // no cut, compaction or retention meanwhile
  auto started = std::chrono::steady_clock::now();
  std::string name = SnapshotName();
  fs::path dir = fs::path(opts_.dir) / "snapshots" / name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return UnavailableError("tsdb: snapshot: create " + dir.string() + ": " + ec.message());
  auto fail = [&](const Status& s) {  // no half snapshot stays behind
    obs::Error(kLog, "snapshot {}: {}", name, s.message());
    RemoveDir(dir.string());
    return s;
  };
  uint64_t samples = 0;
  std::vector<std::shared_ptr<Block>> blocks = Blocks();
  for (const auto& b : blocks) {
    // What is linked must be sound: a block damaged since it was opened is reported, not copied.
    if (Status v = b->VerifyFiles(); !v.ok()) return fail(v.Annotate("tsdb: snapshot"));
    fs::path to = dir / b->meta().ulid;
    fs::create_directories(to, ec);
    if (ec) return fail(UnavailableError("tsdb: snapshot: create " + to.string() + ": " + ec.message()));
    std::vector<std::string> files{kBlockMetaFile};
    for (const BlockFile& f : b->meta().files) files.push_back(f.name);
    if (!b->tombstones()->empty())
      files.push_back(kBlockTombstonesFile);  // as of now: later deletes replace it
    for (const std::string& f : files)
      if (Status s = LinkOrCopy(fs::path(b->dir()) / f, to / f); !s.ok()) return fail(s);
    samples += b->meta().num_samples;
  }
  std::string head_block = "none";
  if (!skip_head && head_->MinTime() <= head_->MaxTime()) {
    // The head from where the blocks end: it may still hold older samples of a cut range.
    int64_t mint = std::max(head_->MinTime(), persisted_until_.load());
    int64_t maxt = head_->MaxTime();
    if (mint <= maxt) {
      CISTERN_ASSIGN_OR_RETURN(auto q, head_->NewQuerier(mint, maxt));
      std::vector<storage::LabelMatcher> all{storage::MatchAllSeries()};
      std::unique_ptr<storage::SeriesSet> set = q->Select(true, nullptr, all);  // without deleted samples
      StatusOr<BlockMeta> meta = WriteBlock(dir.string(), set.get(), mint, maxt + 1, 1, {});
      (void)q->Close();
      if (!meta.ok()) return fail(meta.status().Annotate("tsdb: snapshot: head"));
      samples += meta->num_samples;
      if (meta->num_series > 0) head_block = meta->ulid;
    }
  }
  obs::Info(kLog, "snapshot {}: {} blocks linked, head written as block {}, {} samples in {:.2f}s",
            dir.string(), blocks.size(), head_block, samples, SecondsSince(started));
  return name;
}

Status Db::LoadHeadTombstones() {
  const std::string path = opts_.dir + "/" + kHeadTombstonesFile;
  StatusOr<std::string> bytes = ReadFile(path);
  if (bytes.status().code() == StatusCode::kNotFound) return OkStatus();
  if (!bytes.ok()) return bytes.status().Annotate("tsdb");
  StatusOr<std::vector<HeadTombstone>> stones = DecodeHeadTombstones(*bytes);
  if (!stones.ok()) {
    if (opts_.read_only) {
      skipped_.push_back(path + ": " + stones.status().message());
      obs::Error(kLog, "{}: {}; ignored (read-only)", path, stones.status().message());
      return OkStatus();
    }
    std::error_code ec;
    std::string qdir = opts_.dir + "/quarantine";
    fs::create_directories(qdir, ec);
    std::string target = qdir + "/" + kHeadTombstonesFile + "-" + std::to_string(time(nullptr));
    fs::rename(path, target, ec);
    obs::Error(kLog,
               "{} failed verification, moved to {}{}: {}; the head's data it deleted is visible again "
               "(delete it again)",
               path, target, ec ? " (move failed: " + ec.message() + ")" : "", stones.status().message());
    return OkStatus();
  }
  TombstoneMap map = head_->TombstonesFromLabels(*stones);
  obs::Info(kLog, "{}: deleted intervals of {} head series", path, map.size());
  head_->SetTombstones(std::move(map));
  return OkStatus();
}

Status Db::WriteHeadTombstones(const TombstoneMap& map) {
  const std::string path = opts_.dir + "/" + kHeadTombstonesFile;
  std::vector<HeadTombstone> stones = head_->TombstonesByLabels(map);
  if (stones.empty()) {
    std::error_code ec;
    fs::remove(path, ec);
    return ec ? UnavailableError("tsdb: remove " + path + ": " + ec.message()) : OkStatus();
  }
  return WriteFileAtomic(path, EncodeHeadTombstones(stones)).Annotate("tsdb");
}

Status Db::Delete(int64_t mint, int64_t maxt, std::span<const std::vector<storage::LabelMatcher>> selectors) {
  if (opts_.read_only) return FailedPreconditionError("tsdb: opened read-only");
  std::lock_guard lock(maintain_mu_);  // no cut, compaction or retention meanwhile
  auto started = std::chrono::steady_clock::now();
  size_t blocks_hit = 0, block_series = 0;
  for (const auto& b : Blocks()) {
    CISTERN_ASSIGN_OR_RETURN(TombstoneMap plan, b->PlanDelete(mint, maxt, selectors));
    if (plan.empty()) continue;
    CISTERN_RETURN_IF_ERROR(b->AddTombstones(plan).Annotate("tsdb: delete"));
    ++blocks_hit;
    block_series += plan.size();
  }
  TombstoneMap plan = head_->PlanDelete(mint, maxt, selectors);
  if (!plan.empty()) {
    TombstoneMap next = head_->Tombstones();
    MergeTombstones(&next, plan);
    CISTERN_RETURN_IF_ERROR(WriteHeadTombstones(next));  // durable before visible
    head_->SetTombstones(std::move(next));
  }
  obs::Info(kLog, "delete {}..{}: {} series in {} blocks, {} head series in {:.2f}s", mint, maxt,
            block_series, blocks_hit, plan.size(), SecondsSince(started));
  return OkStatus();
}

Status Db::CleanTombstones() {
  if (opts_.read_only) return FailedPreconditionError("tsdb: opened read-only");
  std::lock_guard lock(maintain_mu_);
  std::vector<storage::LabelMatcher> all{storage::MatchAllSeries()};
  for (const auto& b : Blocks()) {
    if (b->tombstones()->empty()) continue;
    auto started = std::chrono::steady_clock::now();
    const BlockMeta& m = b->meta();
    CISTERN_ASSIGN_OR_RETURN(auto q, b->NewQuerier(m.min_time, m.max_time - 1));
    std::unique_ptr<storage::SeriesSet> set = q->Select(true, nullptr, all);  // without deleted samples
    StatusOr<BlockMeta> meta =
        WriteBlock(opts_.dir, set.get(), m.min_time, m.max_time, m.compaction_level, m.sources);
    set.reset();
    (void)q->Close();
    if (!meta.ok()) return meta.status().Annotate("tsdb: clean tombstones: " + b->name());
    std::vector<std::shared_ptr<Block>> next;
    if (meta->num_series > 0) {
      CISTERN_ASSIGN_OR_RETURN(std::shared_ptr<Block> nb, Block::Open(opts_.dir + "/" + meta->ulid));
      next.push_back(std::move(nb));
    }
    for (const auto& other : Blocks())
      if (other != b) next.push_back(other);
    SetBlocks(std::move(next));
    RemoveBlockDir(b->dir());
    obs::Info(kLog, "clean tombstones: block {} {} rewritten as {}: {} -> {} samples in {:.2f}s", m.ulid,
              Range(m), meta->num_series > 0 ? meta->ulid : "(nothing left, removed)", m.num_samples,
              meta->num_samples, SecondsSince(started));
  }
  return OkStatus();
}

HeadStats Db::Stats() const { return ComputeHeadStats(*head_); }

Status Db::Sync() { return wal_ ? wal_->Sync() : OkStatus(); }

void Db::BackgroundLoop() {
  using Clock = std::chrono::steady_clock;
  auto fsync_every = std::chrono::milliseconds(std::max<int64_t>(10, opts_.fsync_interval.count()));
  auto maintain_every = std::chrono::milliseconds(std::max<int64_t>(100, opts_.maintenance_interval.count()));
  Clock::time_point next_sync = Clock::now() + fsync_every;
  Clock::time_point next_maintain =
      Clock::now() + std::min<Clock::duration>(maintain_every, std::chrono::seconds(5));
  std::unique_lock lock(bg_mu_);
  while (!stop_) {
    Clock::time_point wake = next_maintain;
    if (opts_.fsync == FsyncPolicy::kInterval) wake = std::min(wake, next_sync);
    bg_cv_.wait_until(lock, wake, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    Clock::time_point now = Clock::now();
    if (opts_.fsync == FsyncPolicy::kInterval && now >= next_sync) {
      if (Status s = Sync(); !s.ok()) obs::Warn(kLog, "wal sync: {}", s.message());
      next_sync = now + fsync_every;
    }
    if (now >= next_maintain) {
      (void)Maintain();  // logged inside
      next_maintain = Clock::now() + maintain_every;
    }
    lock.lock();
  }
}

Status Db::Close() {
  if (closed_) return OkStatus();
  closed_ = true;
  {
    std::lock_guard lock(bg_mu_);
    stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
  Status s = OkStatus();
  if (wal_) s = wal_->Close();  // later commits fail: nothing is acknowledged unlogged
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  return s;
}

}  // namespace cistern::tsdb
