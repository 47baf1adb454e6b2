#include "agent/wal/wal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "agent/base/file_util.h"
#include "agent/base/time.h"
#include "agent/obs/log.h"
#include "agent/wal/crc32c.h"
#include "agent/wal/record.h"

namespace cistern::wal {
namespace {

constexpr std::string_view kLog = "wal";
constexpr char kCheckpointPrefix[] = "checkpoint.";

std::string Index8(uint32_t i) {
  char b[16];
  std::snprintf(b, sizeof b, "%08u", i);
  return b;
}

bool ParseIndex(std::string_view s, uint32_t* out) {
  if (s.size() != 8) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v == 0 || v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

struct DirListing {
  std::vector<uint32_t> segments;
  std::vector<uint32_t> checkpoints;
};

DirListing List(const std::string& dir, bool remove_tmp = true) {
  DirListing l;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string_view name = e->d_name;
      uint32_t idx;
      if (ParseIndex(name, &idx)) {
        l.segments.push_back(idx);
      } else if (name.rfind(kCheckpointPrefix, 0) == 0 && ParseIndex(name.substr(11), &idx)) {
        l.checkpoints.push_back(idx);
      } else if (remove_tmp && name.size() > 4 && name.substr(name.size() - 4) == ".tmp") {
        ::unlink((dir + "/" + std::string(name)).c_str());  // an interrupted checkpoint or cursor write
      }
    }
    closedir(d);
  }
  std::sort(l.segments.begin(), l.segments.end());
  std::sort(l.checkpoints.begin(), l.checkpoints.end());
  return l;
}

uint64_t FileSize(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

void FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

RecordReader::ReadAt FdReader(int fd) {
  return [fd](uint64_t off, char* buf, size_t n) -> StatusOr<size_t> {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(off + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return UnavailableError(std::string("wal: read: ") + ErrnoMessage(errno));
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  };
}

std::string FormatTs(int64_t ms) {
  return ms == INT64_MAX || ms == INT64_MIN ? "-" : FormatUnixMillisUtc(ms);
}

// Scans one segment file: calls `on_record` for each decoded record.
struct ScanResult {
  uint64_t good_end = 0;       // end of the last good record
  uint64_t file_size = 0;
  uint64_t corruptions = 0;    // reported ranges before good_end
  uint64_t tail_garbage = 0;   // bytes after good_end that did not parse
  uint64_t records = 0;
};

ScanResult ScanSegment(const std::string& path, uint32_t index,
                       const std::function<void(const DecodedRecord&, uint64_t offset)>& on_record) {
  ScanResult res;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return res;
  res.file_size = FileSize(path);
  std::vector<std::pair<uint64_t, std::string>> reports;
  RecordReader reader(FdReader(fd), 0, [&](uint64_t off, uint64_t bytes, std::string_view why) {
    reports.emplace_back(off, std::string(why) + " (" + std::to_string(bytes) + " bytes)");
  });
  std::string payload;
  uint64_t off;
  XorState xs;
  int64_t expected_seq = 0;
  DecodedRecord rec;
  while (true) {
    auto got = reader.Next(res.file_size, &payload, &off);
    if (!got.ok() || !*got) break;
    Status s = DecodeRecord(payload, &xs, &rec);
    if (!s.ok()) {
      reports.emplace_back(off, s.message());
      continue;
    }
    if (rec.seq != expected_seq) xs.clear();  // lost records: XOR state no longer trustworthy
    expected_seq = static_cast<int64_t>(rec.seq) + 1;
    res.good_end = reader.position();
    ++res.records;
    on_record(rec, off);
  }
  ::close(fd);
  for (const auto& [o, why] : reports) {
    if (o >= res.good_end) {
      res.tail_garbage = res.file_size - res.good_end;
    } else {
      ++res.corruptions;
      obs::Warn(kLog, "segment {} offset {}: {}: skipped", Index8(index), o, why);
    }
  }
  if (res.good_end < res.file_size) res.tail_garbage = res.file_size - res.good_end;
  return res;
}

}  // namespace

std::string Position::ToString() const { return Index8(segment) + ":" + std::to_string(offset); }

struct Wal::Metrics {
  explicit Metrics(obs::Registry* r) {
    obs::Registry& reg = r ? *r : own;
    appended = reg.NewCounter("cistern_wal_samples_appended_total", "Samples written to the WAL.");
    series = reg.NewCounter("cistern_wal_series_created_total", "Series records written to the WAL.");
    bytes = reg.NewCounter("cistern_wal_bytes_written_total", "Bytes written to WAL segments.");
    auto* dropped = reg.NewCounterFamily("cistern_wal_samples_dropped_total",
                                         "Samples the WAL lost or refused, by reason.", {"reason"});
    dropped_full = dropped->With({"full"});
    dropped_age = dropped->With({"age"});
    dropped_write = dropped->With({"write_error"});
    corruptions = reg.NewCounter("cistern_wal_corruptions_total", "Corrupt WAL records skipped.");
    segments = reg.NewGauge("cistern_wal_segments", "WAL segment files.");
    size = reg.NewGauge("cistern_wal_size_bytes", "Bytes of WAL segments and checkpoints on disk.");
    fsync = reg.NewHistogram("cistern_wal_fsync_duration_seconds", "Duration of WAL syncs.",
                             obs::DefaultDurationBuckets());
    write_errors = reg.NewCounter("cistern_wal_write_errors_total", "Failed WAL writes (disk full, I/O errors).");
    lag = reg.NewGaugeFamily("cistern_wal_cursor_lag_bytes", "Bytes between a consumer's acknowledged position and the WAL end.",
                             {"consumer"});
  }
  obs::Registry own;
  obs::Counter *appended, *series, *bytes, *dropped_full, *dropped_age, *dropped_write, *corruptions, *write_errors;
  obs::Gauge *segments, *size;
  obs::Histogram* fsync;
  obs::GaugeFamily* lag;
};

Wal::Wal(Options options) : opts_(std::move(options)), m_(std::make_unique<Metrics>(opts_.metrics)) {
  if (!opts_.write_fn) opts_.write_fn = [](int fd, const void* d, size_t n) { return static_cast<long>(::write(fd, d, n)); };
}

Wal::~Wal() { Close().IgnoreError(); }

std::string Wal::SegmentPath(uint32_t index) const { return opts_.dir + "/" + Index8(index); }
std::string Wal::CursorPath(const std::string& name) const { return opts_.dir + "/cursors/" + name; }

StatusOr<std::unique_ptr<Wal>> Wal::Open(Options options) {
  if (options.dir.empty()) return InvalidArgumentError("wal: no directory given");
  if (options.read_only) {
    std::unique_ptr<Wal> w(new Wal(std::move(options)));
    CISTERN_RETURN_IF_ERROR(w->Recover());
    return w;
  }
  for (const std::string& d : {options.dir, options.dir + "/cursors"}) {
    if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) {
      // mkdir -p for the data dir's parents.
      for (size_t i = 1; i <= d.size(); ++i) {
        if (i == d.size() || d[i] == '/') ::mkdir(d.substr(0, i).c_str(), 0755);
      }
      struct stat st{};
      if (::stat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return FailedPreconditionError("wal: cannot create directory " + d + ": " + ErrnoMessage(errno));
      }
    }
  }
  std::unique_ptr<Wal> w(new Wal(std::move(options)));
  CISTERN_RETURN_IF_ERROR(w->Recover());
  return w;
}

Status Wal::Recover() {
  int64_t start_ns = MonotonicNanos();
  const bool ro = opts_.read_only;
  DirListing l = List(opts_.dir, !ro);
  // Series from the newest checkpoint.
  if (!l.checkpoints.empty()) {
    checkpoint_ = l.checkpoints.back();
    std::string path = opts_.dir + "/" + kCheckpointPrefix + Index8(checkpoint_);
    ScanResult r = ScanSegment(path, checkpoint_, [&](const DecodedRecord& rec, uint64_t) {
      for (const SeriesEntry& s : rec.series) {
        series_[s.ref] = {std::make_shared<const model::Labels>(s.labels), checkpoint_};
        by_hash_[s.labels.Hash()].push_back(s.ref);
        next_ref_ = std::max(next_ref_, s.ref + 1);
      }
    });
    if (r.corruptions || r.tail_garbage) m_->corruptions->Inc(static_cast<double>(r.corruptions + (r.tail_garbage > 0)));
    for (uint32_t old : l.checkpoints) {
      if (old != checkpoint_ && !ro) ::unlink((opts_.dir + "/" + kCheckpointPrefix + Index8(old)).c_str());
    }
  }
  // Segments, in order.
  uint64_t total_samples = 0;
  int64_t last_log = MonotonicNanos();
  for (size_t i = 0; i < l.segments.size(); ++i) {
    uint32_t idx = l.segments[i];
    if (i > 0 && idx != l.segments[i - 1] + 1) {
      obs::Warn(kLog, "segments {} to {} are missing; continuing after the gap", Index8(l.segments[i - 1] + 1),
                Index8(idx - 1));
      m_->corruptions->Inc();
    }
    SegmentInfo info;
    info.index = idx;
    ScanResult r = ScanSegment(SegmentPath(idx), idx, [&](const DecodedRecord& rec, uint64_t) {
      for (const SeriesEntry& s : rec.series) {
        auto [it, inserted] = series_.try_emplace(s.ref, SeriesInfo{nullptr, idx});
        if (inserted) it->second.labels = std::make_shared<const model::Labels>(s.labels);
        if (inserted) by_hash_[s.labels.Hash()].push_back(s.ref);
        next_ref_ = std::max(next_ref_, s.ref + 1);
      }
      for (const SampleRef& s : rec.samples) {
        info.min_ts = std::min(info.min_ts, s.timestamp_ms);
        info.max_ts = std::max(info.max_ts, s.timestamp_ms);
        if (auto it = series_.find(s.ref); it != series_.end()) it->second.last_segment = idx;
      }
      info.samples += rec.samples.size() + rec.undecodable;
    });
    m_->corruptions->Inc(static_cast<double>(r.corruptions));
    info.size = r.file_size;
    if (r.tail_garbage > 0) {
      if (ro) {
        info.size = r.good_end;
      } else if (i + 1 == l.segments.size()) {
        // A crash mid-write: cut the torn tail away so the file ends on a record.
        if (::truncate(SegmentPath(idx).c_str(), static_cast<off_t>(r.good_end)) == 0) {
          obs::Warn(kLog, "segment {}: truncated a torn tail of {} bytes at offset {}", Index8(idx), r.tail_garbage,
                    r.good_end);
          info.size = r.good_end;
        }
      } else {
        m_->corruptions->Inc();
        obs::Warn(kLog, "segment {} offset {}: {} unreadable bytes at the end: skipped", Index8(idx), r.good_end,
                  r.tail_garbage);
      }
    }
    total_samples += info.samples;
    closed_.push_back(info);
    if (MonotonicNanos() - last_log > 2'000'000'000LL) {
      double secs = (MonotonicNanos() - start_ns) / 1e9;
      obs::Info(kLog, "replay: {}/{} segments, {} samples, {:.0f} samples/s", i + 1, l.segments.size(),
                total_samples, total_samples / secs);
      last_log = MonotonicNanos();
    }
  }
  // Drop an empty last segment (e.g. created just before a crash): it is re-created.
  uint32_t next = closed_.empty() ? std::max<uint32_t>(checkpoint_ + 1, 1) : closed_.back().index + 1;
  if (!closed_.empty() && closed_.back().size == 0 && !ro) {
    next = closed_.back().index;
    ::unlink(SegmentPath(next).c_str());
    closed_.pop_back();
  }
  if (!l.segments.empty()) {
    double secs = (MonotonicNanos() - start_ns) / 1e9;
    obs::Info(kLog, "replayed {} segments: {} samples, {} series in {:.2f}s ({:.0f} samples/s)", l.segments.size(),
              total_samples, series_.size(), secs, secs > 0 ? total_samples / secs : 0.0);
  }
  if (ro) {  // nothing written: the end is the end of the last segment
    if (!closed_.empty()) {
      cur_ = closed_.back();
      closed_.pop_back();
    } else {
      cur_ = SegmentInfo{};
      cur_.index = next;
    }
    Publish();
    return OkStatus();
  }
  // Every start writes into a fresh segment: no partial state to continue.
  CISTERN_RETURN_IF_ERROR(StartSegment(next));
  Truncate();
  return OkStatus();
}

Status Wal::StartSegment(uint32_t index) {
  std::string path = SegmentPath(index);
  // O_APPEND: after a failed write is cut back with ftruncate, the next write
  // lands at the new end, not after a hole.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return UnavailableError("wal: create segment " + path + ": " + ErrnoMessage(errno));
  fd_ = fd;
  cur_ = SegmentInfo{};
  cur_.index = index;
  xor_.clear();
  seq_ = 0;
  epoch_start_ = 0;
  dirty_dir_ = true;
  // Series written in earlier segments stay defined for readers via the
  // segments themselves (and checkpoints once those are deleted).
  Publish();
  return OkStatus();
}

Status Wal::Rotate() {
  CISTERN_RETURN_IF_ERROR(Sync());
  ::close(fd_);
  fd_ = -1;
  {
    std::lock_guard lock(mu_);
    closed_.push_back(cur_);
  }
  CISTERN_RETURN_IF_ERROR(StartSegment(cur_.index + 1));
  Truncate();
  return OkStatus();
}

void Wal::Publish() {
  {
    std::lock_guard lock(mu_);
    end_ = {cur_.index, cur_.size};
    uint64_t total = cur_.size;
    for (const SegmentInfo& s : closed_) total += s.size;
    m_->segments->Set(static_cast<double>(closed_.size() + 1));
    m_->size->Set(static_cast<double>(total));
  }
  cv_.notify_all();
}


storage::SeriesRef Wal::Series(std::shared_ptr<const model::Labels> labels) {
  // The caller knows its series' identity (and remembers the ref): no lookup
  // by labels, no hash index entry. A series it forgets and declares again
  // gets a second ref; readers map both to the same labels.
  storage::SeriesRef ref = next_ref_++;
  series_[ref] = {std::move(labels), 0};
  pending_series_.push_back(ref);
  return ref;
}

storage::SeriesRef Wal::Series(const model::Labels& labels) {
  uint64_t h = labels.Hash();
  auto& bucket = by_hash_[h];
  for (storage::SeriesRef ref : bucket) {
    auto it = series_.find(ref);
    if (it != series_.end() && *it->second.labels == labels) return ref;
  }
  storage::SeriesRef ref = next_ref_++;
  bucket.push_back(ref);
  series_[ref] = {std::make_shared<const model::Labels>(labels), 0};
  pending_series_.push_back(ref);
  return ref;
}

Status Wal::Append(std::span<const SampleRef> samples) {
  if (fd_ < 0) return FailedPreconditionError("wal: closed");
  if (samples.empty() && pending_series_.empty()) return OkStatus();
  // Rotate first if the batch may not fit (bound: 20 bytes per sample before compression).
  uint64_t bound = 64 + samples.size() * 20;
  for (storage::SeriesRef r : pending_series_) {
    for (const model::Label& l : *series_[r].labels) bound += l.name.size() + l.value.size() + 4;
  }
  if (cur_.size > 0 && cur_.size + bound > opts_.segment_size) CISTERN_RETURN_IF_ERROR(Rotate());
  if (cur_.size - epoch_start_ >= opts_.epoch_bytes) {
    xor_.clear();  // new epoch: values stored in full again
    epoch_start_ = cur_.size;
  }
  // Encode, remembering the XOR state we touch so a failed write can undo it.
  std::vector<std::pair<storage::SeriesRef, std::optional<XorEntry>>> undo;
  undo.reserve(samples.size());
  for (const SampleRef& s : samples) {
    auto it = xor_.find(s.ref);
    undo.emplace_back(s.ref, it == xor_.end() ? std::nullopt : std::optional<XorEntry>(it->second));
  }
  buf_.clear();
  uint64_t end = cur_.size;
  std::string payload;
  uint32_t seq = seq_;
  if (!pending_series_.empty()) {
    std::vector<SeriesEntry> entries;
    entries.reserve(pending_series_.size());
    for (storage::SeriesRef r : pending_series_) entries.push_back({r, *series_[r].labels});
    EncodeSeries(seq++, entries, &payload);
    end = FrameRecord(payload, end, &buf_);
  }
  if (!samples.empty()) {
    payload.clear();
    EncodeSamples(seq++, samples, &xor_, &payload);
    end = FrameRecord(payload, end, &buf_);
  }
  // One write; on failure cut the segment back to where it was.
  size_t done = 0;
  int err = 0;
  while (done < buf_.size()) {
    long n = opts_.write_fn(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (err != 0) {
    // Cut back to the last good record whatever the failed write left behind.
    if (::ftruncate(fd_, static_cast<off_t>(cur_.size)) != 0) {
      // Could not cut back: continue in a new segment so this one ends on a record.
      ::close(fd_);
      fd_ = -1;
      {
        std::lock_guard lock(mu_);
        closed_.push_back(cur_);
      }
      StartSegment(cur_.index + 1).IgnoreError();
    }
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
      if (it->second) {
        xor_[it->first] = *it->second;
      } else {
        xor_.erase(it->first);
      }
    }
    m_->write_errors->Inc();
    m_->dropped_write->Inc(static_cast<double>(samples.size()));
    static obs::RateLimiter limiter(1, 10000);
    uint64_t suppressed = 0;
    if (limiter.Allow(&suppressed)) {
      obs::Error(kLog, "segment {}: write failed ({}): dropped {} samples{}", Index8(cur_.index), ErrnoMessage(err),
                 samples.size(), suppressed ? " (" + std::to_string(suppressed) + " similar errors not logged)" : "");
    }
    Status s(err == ENOSPC || err == EDQUOT ? StatusCode::kResourceExhausted : StatusCode::kUnavailable,
             "wal: write segment " + Index8(cur_.index) + ": " + ErrnoMessage(err));
    return s;
  }
  seq_ = seq;
  for (storage::SeriesRef r : pending_series_) series_[r].last_segment = cur_.index;
  m_->series->Inc(static_cast<double>(pending_series_.size()));
  pending_series_.clear();
  for (const SampleRef& s : samples) {
    cur_.min_ts = std::min(cur_.min_ts, s.timestamp_ms);
    cur_.max_ts = std::max(cur_.max_ts, s.timestamp_ms);
    if (auto it = series_.find(s.ref); it != series_.end()) it->second.last_segment = cur_.index;
  }
  cur_.samples += samples.size();
  cur_.size = end;
  m_->appended->Inc(static_cast<double>(samples.size()));
  m_->bytes->Inc(static_cast<double>(buf_.size()));
  Publish();
  std::function<void()> listener;
  {
    std::lock_guard lock(mu_);
    listener = listener_;
  }
  if (listener) listener();
  // Size-forced retention between rotations.
  uint64_t total;
  {
    std::lock_guard lock(mu_);
    total = cur_.size;
    for (const SegmentInfo& s : closed_) total += s.size;
  }
  if (total > opts_.max_size) Truncate();
  return OkStatus();
}

Status Wal::Sync() {
  if (fd_ < 0) return OkStatus();
  int64_t start = MonotonicNanos();
  if (::fdatasync(fd_) != 0) return UnavailableError("wal: fdatasync segment " + Index8(cur_.index) + ": " + ErrnoMessage(errno));
  if (dirty_dir_) {
    FsyncDir(opts_.dir);
    dirty_dir_ = false;
  }
  m_->fsync->Observe((MonotonicNanos() - start) / 1e9);
  return OkStatus();
}

Status Wal::WriteCheckpoint(uint32_t index) {
  // Every series a retained segment may refer to, plus series not yet written.
  std::vector<SeriesEntry> live;
  for (auto it = series_.begin(); it != series_.end();) {
    if (it->second.last_segment > index || it->second.last_segment == 0) {
      live.push_back({it->first, *it->second.labels});
      ++it;
    } else {
      if (auto b = by_hash_.find(it->second.labels->Hash()); b != by_hash_.end()) {
        b->second.erase(std::remove(b->second.begin(), b->second.end(), it->first), b->second.end());
        if (b->second.empty()) by_hash_.erase(b);
      }
      it = series_.erase(it);  // gone from every retained segment: forget it
    }
  }
  std::sort(live.begin(), live.end(), [](const SeriesEntry& a, const SeriesEntry& b) { return a.ref < b.ref; });
  std::string data, payload;
  uint32_t seq = 0;
  for (size_t i = 0; i < live.size(); i += 1000) {
    payload.clear();
    EncodeSeries(seq++, std::span<const SeriesEntry>(live.data() + i, std::min<size_t>(1000, live.size() - i)),
                 &payload);
    FrameRecord(payload, data.size(), &data);
  }
  std::string path = opts_.dir + "/" + kCheckpointPrefix + Index8(index);
  CISTERN_RETURN_IF_ERROR(WriteFileAtomic(path, data));
  uint32_t old;
  {
    std::lock_guard lock(mu_);
    old = checkpoint_;
    checkpoint_ = index;
  }
  if (old != 0 && old != index) ::unlink((opts_.dir + "/" + kCheckpointPrefix + Index8(old)).c_str());
  return OkStatus();
}

void Wal::DeleteThrough(uint32_t index, const char* reason, uint64_t dropped) {
  if (Status s = WriteCheckpoint(index); !s.ok()) {
    obs::Error(kLog, "checkpoint {} failed, keeping segments: {}", Index8(index), s.message());
    return;
  }
  std::vector<std::string> behind;
  {
    std::lock_guard lock(mu_);
    while (!closed_.empty() && closed_.front().index <= index) {
      ::unlink(SegmentPath(closed_.front().index).c_str());
      closed_.pop_front();
    }
    Position begin = closed_.empty() ? Position{cur_.index, 0} : Position{closed_.front().index, 0};
    for (auto& [name, pos] : cursors_) {
      if (pos < begin) {
        behind.push_back(name);
        pos = begin;
      }
    }
  }
  for (const std::string& name : behind) {
    Position p = Begin();
    Ack(name, p).IgnoreError();
  }
  FsyncDir(opts_.dir);
  if (dropped > 0) {
    std::string who;
    for (const std::string& n : behind) who += (who.empty() ? "" : ", ") + n;
    obs::Warn(kLog, "dropped segments through {} ({}): {} unsent samples lost; consumers behind: {}", Index8(index),
              reason, dropped, who.empty() ? "none" : who);
  }
  Publish();
}

void Wal::Truncate() {
  if (opts_.read_only) return;
  // What consumers acknowledged.
  uint32_t min_acked = UINT32_MAX;
  std::vector<SegmentInfo> closed;
  bool no_consumers;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, pos] : cursors_) min_acked = std::min(min_acked, pos.segment);
    closed.assign(closed_.begin(), closed_.end());
    no_consumers = cursors_.empty();
  }
  if (no_consumers) min_acked = 0;  // nobody reads yet: keep everything within the limits
  uint32_t delete_through = 0;
  for (const SegmentInfo& s : closed) {
    if (s.index < min_acked) delete_through = s.index;
  }
  if (delete_through != 0) DeleteThrough(delete_through, "acknowledged", 0);

  // Limits: size, then age.
  int64_t now = NowUnixMillis();
  while (true) {
    SegmentInfo oldest;
    uint64_t total = cur_.size;
    {
      std::lock_guard lock(mu_);
      if (closed_.empty()) break;
      oldest = closed_.front();
      for (const SegmentInfo& s : closed_) total += s.size;
    }
    bool too_big = total > opts_.max_size;
    bool too_old = opts_.max_age.count() > 0 && oldest.max_ts != INT64_MIN && oldest.max_ts < now - opts_.max_age.count();
    if (!too_big && !too_old) break;
    bool unread = no_consumers || oldest.index >= min_acked;
    uint64_t lost = unread ? oldest.samples : 0;
    (too_big ? m_->dropped_full : m_->dropped_age)->Inc(static_cast<double>(lost));
    if (lost > 0) {
      obs::Warn(kLog, "{}: dropping segment {} ({} bytes, {} samples from {} to {})",
                too_big ? "reached max_size " + FormatSize(opts_.max_size) : "older than max_age " + FormatDuration(opts_.max_age),
                Index8(oldest.index), oldest.size, oldest.samples, FormatTs(oldest.min_ts), FormatTs(oldest.max_ts));
    }
    DeleteThrough(oldest.index, too_big ? "max_size" : "max_age", lost);
  }
}

Status Wal::Close() {
  if (fd_ < 0) return OkStatus();
  Status s = Sync();
  ::close(fd_);
  fd_ = -1;
  return s;
}

Position Wal::End() const {
  std::lock_guard lock(mu_);
  return end_;
}

Position Wal::Begin() const {
  std::lock_guard lock(mu_);
  return closed_.empty() ? Position{end_.segment, 0} : Position{closed_.front().index, 0};
}

std::vector<Wal::SegmentInfo> Wal::Segments() const {
  std::lock_guard lock(mu_);
  std::vector<SegmentInfo> out(closed_.begin(), closed_.end());
  out.push_back(cur_);
  return out;
}

namespace {
std::string CursorBody(Position p) {
  std::string body = "cistern-wal-cursor 1 " + std::to_string(p.segment) + " " + std::to_string(p.offset);
  char crc[16];
  std::snprintf(crc, sizeof crc, " %08x\n", Crc32c(body.data(), body.size()));
  return body + crc;
}

bool ParseCursor(const std::string& text, Position* p) {
  unsigned seg = 0;
  unsigned long long off = 0;
  unsigned crc = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "cistern-wal-cursor 1 %u %llu %x\n%n", &seg, &off, &crc, &used) != 3) return false;
  std::string body = "cistern-wal-cursor 1 " + std::to_string(seg) + " " + std::to_string(off);
  if (Crc32c(body.data(), body.size()) != crc) return false;
  *p = {seg, off};
  return true;
}
}  // namespace

StatusOr<Position> Wal::OpenCursor(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    return InvalidArgumentError("wal: invalid consumer name \"" + name + "\"");
  }
  Position p = Begin();
  auto text = ReadFile(CursorPath(name), 4096);
  if (text.ok()) {
    Position got;
    if (!ParseCursor(*text, &got)) {
      m_->corruptions->Inc();
      obs::Warn(kLog, "cursor {}: unreadable file {}: starting at the oldest segment", name, CursorPath(name));
    } else if (got < p) {
      obs::Warn(kLog, "cursor {}: position {} was deleted; starting at {}", name, got.ToString(), p.ToString());
    } else if (got > End()) {
      m_->corruptions->Inc();
      obs::Warn(kLog, "cursor {}: position {} is past the end {}; starting at the oldest segment", name,
                got.ToString(), End().ToString());
    } else {
      p = got;
    }
  }
  std::lock_guard lock(mu_);
  cursors_[name] = p;
  return p;
}

Status Wal::Ack(const std::string& name, Position p) {
  if (opts_.read_only) return FailedPreconditionError("wal: opened read-only");
  CISTERN_RETURN_IF_ERROR(WriteFileAtomic(CursorPath(name), CursorBody(p)));
  uint64_t lag = 0;
  {
    std::lock_guard lock(mu_);
    cursors_[name] = p;
    if (p.segment == end_.segment) {
      lag = end_.offset - std::min(end_.offset, p.offset);
    } else {
      for (const SegmentInfo& s : closed_) {
        if (s.index == p.segment) lag += s.size - std::min(s.size, p.offset);
        if (s.index > p.segment) lag += s.size;
      }
      lag += end_.offset;
    }
  }
  m_->lag->With({name})->Set(static_cast<double>(lag));
  return OkStatus();
}

Status Wal::RemoveCursor(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    return InvalidArgumentError("wal: invalid consumer name \"" + name + "\"");
  }
  {
    std::lock_guard lock(mu_);
    cursors_.erase(name);
  }
  if (::unlink(CursorPath(name).c_str()) != 0 && errno != ENOENT) {
    return UnavailableError("wal: removing cursor " + CursorPath(name) + ": " + std::strerror(errno));
  }
  FsyncDir(opts_.dir + "/cursors");
  return OkStatus();
}

std::vector<std::string> Wal::CursorNames() const {
  std::vector<std::string> out;
  if (DIR* d = opendir((opts_.dir + "/cursors").c_str())) {
    while (dirent* e = readdir(d)) {
      std::string_view n(e->d_name);
      if (n[0] != '.' && !(n.size() > 4 && n.substr(n.size() - 4) == ".tmp")) out.emplace_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool Wal::WaitForData(Position after, Duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return end_ > after; });
}

void Wal::SetAppendListener(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  listener_ = std::move(fn);
}

std::unique_ptr<Reader> Wal::NewReader(Position from) { return std::unique_ptr<Reader>(new Reader(this, from)); }

// ---------------------------------------------------------------------------
// Reader

struct Reader::Segment {
  uint32_t index = 0;
  int fd = -1;
  std::unique_ptr<RecordReader> records;
  ~Segment() {
    if (fd >= 0) ::close(fd);
  }
};

Reader::Reader(Wal* wal, Position from) : wal_(wal), pos_(from) {}
Reader::~Reader() = default;

Status Reader::LoadSeriesBefore(uint32_t index) {
  uint32_t cp;
  std::vector<uint32_t> segs;
  {
    std::lock_guard lock(wal_->mu_);
    cp = wal_->checkpoint_;
    for (const auto& s : wal_->closed_) {
      if (s.index < index && s.index > (cp < index ? cp : 0)) segs.push_back(s.index);
    }
  }
  auto add = [&](const DecodedRecord& rec, uint64_t) {
    for (const SeriesEntry& s : rec.series) labels_[s.ref] = s.labels;
  };
  if (cp != 0 && cp < index) ScanSegment(wal_->opts_.dir + "/" + kCheckpointPrefix + Index8(cp), cp, add);
  for (uint32_t s : segs) ScanSegment(wal_->SegmentPath(s), s, add);
  return OkStatus();
}

Status Reader::OpenSegment(uint32_t index, uint64_t deliver_from) {
  auto seg = std::make_unique<Segment>();
  seg->index = index;
  seg->fd = ::open(wal_->SegmentPath(index).c_str(), O_RDONLY | O_CLOEXEC);
  if (seg->fd < 0) return NotFoundError("wal: segment " + Index8(index) + ": " + ErrnoMessage(errno));
  Wal* wal = wal_;
  seg->records = std::make_unique<RecordReader>(FdReader(seg->fd), 0, [wal, index](uint64_t off, uint64_t bytes, std::string_view why) {
    wal->m_->corruptions->Inc();
    obs::Warn(kLog, "segment {} offset {}: {} ({} bytes): skipped", Index8(index), off, why, bytes);
  });
  seg_ = std::move(seg);
  xor_.clear();
  expected_seq_ = 0;
  deliver_from_ = deliver_from;
  pos_ = {index, deliver_from};
  return OkStatus();
}

StatusOr<bool> Reader::Next(ReadBatch* batch) {
  batch->samples.clear();
  batch->labels.clear();
  while (true) {
    Position end = wal_->End();
    Position begin = wal_->Begin();
    if (!seg_) {
      Position from = pos_ < begin ? begin : pos_;
      if (from.segment > end.segment) return false;
      if (!series_loaded_) {
        CISTERN_RETURN_IF_ERROR(LoadSeriesBefore(from.segment));
        series_loaded_ = true;
      }
      Status s = OpenSegment(from.segment, from.offset);
      if (!s.ok()) {
        if (from.segment >= end.segment) return false;
        pos_ = {from.segment + 1, 0};
        continue;
      }
    }
    uint64_t limit;
    if (seg_->index == end.segment) {
      limit = end.offset;
    } else {
      limit = UINT64_MAX;  // closed segment: read to its end
      std::lock_guard lock(wal_->mu_);
      for (const auto& s : wal_->closed_) {
        if (s.index == seg_->index) limit = s.size;
      }
      if (limit == UINT64_MAX) limit = FileSize(wal_->SegmentPath(seg_->index));
    }
    uint64_t off;
    auto got = seg_->records->Next(limit, &payload_, &off);
    if (!got.ok()) return got.status();
    if (!*got) {
      if (seg_->index >= end.segment) return false;  // caught up with the writer
      // Segment done: on to the next one (or the oldest still there).
      uint32_t next = seg_->index + 1;
      if (next < begin.segment) next = begin.segment;
      seg_.reset();
      pos_ = {next, 0};  // opened at the top of the loop (skipped there if missing)
      continue;
    }
    Status s = DecodeRecord(payload_, &xor_, &rec_);
    if (!s.ok()) {
      wal_->m_->corruptions->Inc();
      obs::Warn(kLog, "segment {} offset {}: {}: skipped", Index8(seg_->index), off, s.message());
      continue;
    }
    if (rec_.seq != expected_seq_) {
      // A record was lost before this one: XOR state is stale. DecodeRecord
      // already used it, so decode again with a clean state.
      xor_.clear();
      DecodeRecord(payload_, &xor_, &rec_).IgnoreError();
    }
    expected_seq_ = static_cast<int64_t>(rec_.seq) + 1;
    for (const SeriesEntry& e : rec_.series) labels_[e.ref] = e.labels;
    if (off < deliver_from_) continue;  // before the requested position: state only
    pos_ = {seg_->index, seg_->records->position()};
    if (rec_.type != kSamplesRecord) continue;
    lost_ += rec_.undecodable;
    for (const SampleRef& smp : rec_.samples) {
      auto it = labels_.find(smp.ref);
      if (it == labels_.end()) {
        ++lost_;
        continue;
      }
      batch->samples.push_back(smp);
      batch->labels.push_back(&it->second);
    }
    batch->end = pos_;
    if (!batch->samples.empty()) return true;
  }
}

// ---------------------------------------------------------------------------
// Inspect

StatusOr<InspectReport> Inspect(const std::string& dir) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return NotFoundError("wal inspect: no directory " + dir);
  InspectReport rep;
  rep.dir = dir;
  DirListing l = List(dir);
  rep.checkpoint = l.checkpoints.empty() ? 0 : l.checkpoints.back();
  std::unordered_map<storage::SeriesRef, bool> series;
  if (rep.checkpoint) {
    ScanSegment(dir + "/" + kCheckpointPrefix + Index8(rep.checkpoint), rep.checkpoint,
                [&](const DecodedRecord& rec, uint64_t) {
                  for (const auto& s : rec.series) series[s.ref] = true;
                });
  }
  std::vector<std::pair<uint32_t, std::vector<uint64_t>>> record_offsets;  // per segment: offsets + cumulative samples
  for (uint32_t idx : l.segments) {
    Wal::SegmentInfo info;
    info.index = idx;
    std::vector<uint64_t> cum;
    ScanResult r = ScanSegment(dir + "/" + Index8(idx), idx, [&](const DecodedRecord& rec, uint64_t) {
      for (const auto& s : rec.series) series[s.ref] = true;
      for (const auto& s : rec.samples) {
        info.min_ts = std::min(info.min_ts, s.timestamp_ms);
        info.max_ts = std::max(info.max_ts, s.timestamp_ms);
      }
      info.samples += rec.samples.size();
      ++rep.records;
    });
    info.size = r.file_size;
    rep.corruptions += r.corruptions;
    rep.samples += info.samples;
    rep.bytes += info.size;
    rep.segments.push_back(info);
  }
  rep.series = series.size();
  if (DIR* d = opendir((dir + "/cursors").c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      InspectReport::Cursor c;
      c.name = e->d_name;
      auto text = ReadFile(dir + "/cursors/" + c.name, 4096);
      c.valid = text.ok() && ParseCursor(*text, &c.position);
      for (const auto& s : rep.segments) {
        if (s.index > c.position.segment) {
          c.lag_bytes += s.size;
          c.lag_samples += s.samples;
        } else if (s.index == c.position.segment) {
          c.lag_bytes += s.size - std::min(s.size, c.position.offset);
          if (s.size > 0) c.lag_samples += static_cast<uint64_t>(s.samples * (double(s.size - std::min(s.size, c.position.offset)) / s.size));
        }
      }
      rep.cursors.push_back(c);
    }
    closedir(d);
  }
  return rep;
}

namespace {
std::string HumanBytes(uint64_t b) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}
}  // namespace

std::string FormatInspectReport(const InspectReport& r) {
  std::string out;
  char line[256];
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  for (const auto& s : r.segments) {
    min_ts = std::min(min_ts, s.min_ts);
    max_ts = std::max(max_ts, s.max_ts);
  }
  out += "WAL " + r.dir + "\n";
  std::snprintf(line, sizeof line, "  segments: %zu, %s, %" PRIu64 " records, %" PRIu64 " samples, %" PRIu64 " live series\n",
                r.segments.size(), HumanBytes(r.bytes).c_str(), r.records, r.samples, r.series);
  out += line;
  out += "  time range: " + FormatTs(min_ts) + " .. " + FormatTs(max_ts) + "\n";
  out += "  checkpoint: " + (r.checkpoint ? Index8(r.checkpoint) : std::string("none")) +
         ", corrupt records: " + std::to_string(r.corruptions) + "\n";
  if (r.samples > 0) {
    std::snprintf(line, sizeof line, "  bytes per sample: %.2f\n", double(r.bytes) / double(r.samples));
    out += line;
  }
  out += "\n  SEGMENT        BYTES     SAMPLES  FROM                  TO\n";
  for (const auto& s : r.segments) {
    std::snprintf(line, sizeof line, "  %s %12" PRIu64 " %11" PRIu64 "  %-21s %s\n", Index8(s.index).c_str(), s.size,
                  s.samples, FormatTs(s.min_ts).c_str(), FormatTs(s.max_ts).c_str());
    out += line;
  }
  out += "\n  CURSOR                 POSITION           LAG BYTES   LAG SAMPLES\n";
  if (r.cursors.empty()) out += "  (none)\n";
  for (const auto& c : r.cursors) {
    std::snprintf(line, sizeof line, "  %-22s %-18s %11" PRIu64 " %13" PRIu64 "%s\n", c.name.c_str(),
                  c.position.ToString().c_str(), c.lag_bytes, c.lag_samples, c.valid ? "" : "  (unreadable)");
    out += line;
  }
  return out;
}

}  // namespace cistern::wal
