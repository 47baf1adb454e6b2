#include "agent/tsdb/block_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <optional>
#include <span>
#include <unordered_map>

#include "agent/tsdb/block_chunk_codec.h"
#include "agent/tsdb/block_chunks.h"
#include "agent/tsdb/block_index.h"

namespace cistern::tsdb {
namespace {

Status Errno(const std::string& what) {
  int e = errno;
  std::string msg = "block writer: " + what + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return ResourceExhaustedError(msg);
  if (e == ENOENT) return NotFoundError(msg);
  return InternalError(msg);
}

// A file written front to back, fsync'd and closed by Close().
class OutFile {
 public:
  ~OutFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open(std::string path) {
    path_ = std::move(path);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return fd_ < 0 ? Errno("create " + path_) : OkStatus();
  }
  Status Write(std::string_view b) {
    while (!b.empty()) {
      ssize_t n = ::write(fd_, b.data(), b.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("write " + path_);
      b.remove_prefix(static_cast<size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
    return OkStatus();
  }
  Status Close(bool sync) {
    if (sync && ::fsync(fd_) != 0) return Errno("fsync " + path_);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Errno("close " + path_);
    return OkStatus();
  }
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc != 0 ? Errno("fsync " + dir) : OkStatus();
}

// Chunks shorter than this keep their timestamps inline: a reference costs
// about as much and a second frame to read.
constexpr size_t kMinSharedTimestamps = 16;
// Timestamps remembered to find identical columns (16 MiB); the oldest
// columns are forgotten first.
constexpr size_t kMaxRememberedTimestamps = size_t{2} << 20;

// The timestamp columns of the block's chunks so far, to find chunks with the
// very same timestamps (the series of one target). The first chunk with a
// column keeps it inline (kColumns); when a second one has it, the column is
// written to a timestamp frame, once, and that chunk and every later one
// refer to it (kColumnsSharedTs).
class SharedTimestamps {
 public:
  struct Ref {
    uint32_t frame, offset;
  };
  // Where chunks with the timestamps of `s` find them, writing the column to
  // *out when it is first shared; nullopt when no earlier chunk had them.
  StatusOr<std::optional<Ref>> Find(std::span<const model::Sample> s, ChunkFileWriter* out) {
    uint64_t h = 0x9e3779b97f4a7c15u ^ s.size();
    for (const model::Sample& x : s) h = (h ^ static_cast<uint64_t>(x.timestamp_ms)) * 0xff51afd7ed558ccdu;
    h ^= h >> 32;
    auto it = columns_.find(h);
    if (it == columns_.end()) {
      Column& c = columns_[h];
      c.ts.reserve(s.size());
      for (const model::Sample& x : s) c.ts.push_back(x.timestamp_ms);
      order_.push_back(h);
      remembered_ += s.size();
      while (remembered_ > kMaxRememberedTimestamps) Forget();
      return std::optional<Ref>();
    }
    Column& c = it->second;
    bool same = c.ts.size() == s.size();
    for (size_t i = 0; same && i < s.size(); ++i) same = c.ts[i] == s[i].timestamp_ms;
    if (!same) return std::optional<Ref>();  // a hash collision: keep these inline
    if (!c.written) {
      column_.clear();
      EncodeTimestampColumn(s, &column_);
      CISTERN_RETURN_IF_ERROR(out->AddTimestamps(column_, &c.ref.frame, &c.ref.offset));
      c.written = true;
    }
    return std::optional<Ref>(c.ref);
  }

 private:
  struct Column {
    std::vector<int64_t> ts;
    bool written = false;
    Ref ref{0, 0};
  };
  void Forget() {
    auto it = columns_.find(order_.front());
    remembered_ -= it->second.ts.size();
    columns_.erase(it);
    order_.pop_front();
  }

  std::unordered_map<uint64_t, Column> columns_;  // by a hash of the timestamps
  std::deque<uint64_t> order_;                    // oldest first
  size_t remembered_ = 0;
  std::string column_;
};

// Cuts one series' samples into chunks and hands them to the chunk file.
class SeriesChunker {
 public:
  SeriesChunker(ChunkFileWriter* out, SharedTimestamps* shared, BlockChunkEncoding enc, int per_chunk)
      : out_(out), shared_(shared), enc_(enc), per_chunk_(per_chunk) {}

  Status Add(model::Sample s) {
    buf_.push_back(s);
    if (buf_.size() >= 2 * static_cast<size_t>(per_chunk_)) {
      CISTERN_RETURN_IF_ERROR(Emit(per_chunk_));
    }
    return OkStatus();
  }
  // Flushes the rest (balancing the last two chunks) and returns the metas.
  StatusOr<std::vector<BlockChunkMeta>> Finish() {
    if (buf_.size() > static_cast<size_t>(per_chunk_)) CISTERN_RETURN_IF_ERROR(Emit((buf_.size() + 1) / 2));
    if (!buf_.empty()) CISTERN_RETURN_IF_ERROR(Emit(buf_.size()));
    return std::move(metas_);
  }

 private:
  Status Emit(size_t n) {
    std::span<const model::Sample> s(buf_.data(), n);
    encoded_.clear();
    std::optional<SharedTimestamps::Ref> ts;
    if (enc_ == BlockChunkEncoding::kColumns && n >= kMinSharedTimestamps) {
      CISTERN_ASSIGN_OR_RETURN(ts, shared_->Find(s, out_));
    }
    if (ts) {
      EncodeSharedTsChunk(s, ts->frame, ts->offset, &encoded_);
    } else {
      EncodeBlockChunk(enc_, s, &encoded_);
    }
    BlockChunkMeta c;
    c.min_time = s.front().timestamp_ms;
    c.max_time = s.back().timestamp_ms;
    c.num_samples = static_cast<uint32_t>(n);
    CISTERN_RETURN_IF_ERROR(out_->Add(encoded_, &c));
    metas_.push_back(c);
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(n));
    return OkStatus();
  }

  ChunkFileWriter* out_;
  SharedTimestamps* shared_;
  BlockChunkEncoding enc_;
  int per_chunk_;
  std::vector<model::Sample> buf_;
  std::string encoded_;
  std::vector<BlockChunkMeta> metas_;
};

struct WriteResult {
  uint64_t num_series = 0, num_chunks = 0, num_samples = 0;
  int64_t first = storage::kMaxTime, last = storage::kMinTime;
  uint64_t index_size = 0, chunks_size = 0;
};

Status WriteFiles(const std::string& tmp, storage::SeriesSet* set, int64_t mint, int64_t maxt,
                  const BlockWriteOptions& opts, WriteResult* r) {
  OutFile chunks_file;
  CISTERN_RETURN_IF_ERROR(chunks_file.Open(tmp + "/" + kBlockChunksFile));
  ChunkFileWriter chunks([&](std::string_view b) { return chunks_file.Write(b); }, opts.zstd_level,
                         opts.frame_target_bytes);
  int per_chunk = opts.samples_per_chunk > 0 ? opts.samples_per_chunk
                  : opts.encoding == BlockChunkEncoding::kXor ? kXorChunkSamples
                                                              : kColumnChunkSamples;
  per_chunk = std::min(per_chunk, kMaxChunkSamplesOnDisk);
  // kColumnsSharedTs is the writer's choice per chunk, not an option.
  BlockChunkEncoding enc =
      opts.encoding == BlockChunkEncoding::kXor ? BlockChunkEncoding::kXor : BlockChunkEncoding::kColumns;
  IndexBuilder index;
  SharedTimestamps shared;
  model::Labels prev;
  while (set->Next()) {
    const std::shared_ptr<storage::Series>& series = set->At();
    const model::Labels& labels = series->Labels();
    if (index.num_series() > 0 && !(prev < labels)) {
      return InvalidArgumentError("block writer: series " + labels.ToString() + " out of label order");
    }
    if (labels.empty()) return InvalidArgumentError("block writer: series without labels");
    auto it = series->Iterator();
    SeriesChunker chunker(&chunks, &shared, enc, per_chunk);
    bool any = false;
    int64_t last = 0;
    for (bool ok = it->Seek(mint); ok && it->At().timestamp_ms < maxt; ok = it->Next()) {
      model::Sample s = it->At();
      if (s.timestamp_ms < mint) continue;  // defensive: a Seek that did not move
      if (any && s.timestamp_ms <= last) {
        return InvalidArgumentError("block writer: series " + labels.ToString() + ": timestamps not increasing");
      }
      CISTERN_RETURN_IF_ERROR(chunker.Add(s));
      if (!any) r->first = std::min(r->first, s.timestamp_ms);
      any = true;
      last = s.timestamp_ms;
      ++r->num_samples;
    }
    if (!it->Err().ok()) return it->Err().Annotate("block writer: series " + labels.ToString());
    if (!any) continue;
    r->last = std::max(r->last, last);
    CISTERN_ASSIGN_OR_RETURN(std::vector<BlockChunkMeta> metas, chunker.Finish());
    r->num_chunks += metas.size();
    ++r->num_series;
    index.AddSeries(labels, std::move(metas));
    prev = labels;
  }
  CISTERN_RETURN_IF_ERROR(set->Err());
  if (r->num_series == 0) return OkStatus();
  CISTERN_RETURN_IF_ERROR(chunks.Finish());
  CISTERN_RETURN_IF_ERROR(chunks_file.Close(opts.fsync));
  r->chunks_size = chunks_file.size();

  OutFile index_file;
  CISTERN_RETURN_IF_ERROR(index_file.Open(tmp + "/" + kBlockIndexFile));
  CISTERN_RETURN_IF_ERROR(index_file.Write(index.Finish()));
  CISTERN_RETURN_IF_ERROR(index_file.Close(opts.fsync));
  r->index_size = index_file.size();
  return OkStatus();
}

}  // namespace

StatusOr<BlockMeta> WriteBlock(const std::string& parent_dir, storage::SeriesSet* set, int64_t mint, int64_t maxt,
                               int compaction_level, std::vector<std::string> sources,
                               const BlockWriteOptions& opts) {
  if (mint >= maxt) return InvalidArgumentError("block writer: empty time range");
  if (compaction_level < 1) return InvalidArgumentError("block writer: compaction level must be >= 1");
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  BlockMeta meta;
  meta.ulid = NewUlid(now);
  std::string final_dir = parent_dir + "/" + meta.ulid;
  std::string tmp = final_dir + kBlockTmpSuffix;
  if (::mkdir(tmp.c_str(), 0755) != 0) return Errno("mkdir " + tmp);
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
  };
  WriteResult r;
  Status s = WriteFiles(tmp, set, mint, maxt, opts, &r);
  if (!s.ok() || r.num_series == 0) {
    cleanup();
    if (!s.ok()) return s;
    return BlockMeta{};
  }
  meta.min_time = mint == storage::kMinTime ? r.first : mint;
  meta.max_time = maxt == storage::kMaxTime ? r.last + 1 : maxt;
  meta.num_series = r.num_series;
  meta.num_chunks = r.num_chunks;
  meta.num_samples = r.num_samples;
  meta.compaction_level = compaction_level;
  meta.sources = sources.empty() ? std::vector<std::string>{meta.ulid} : std::move(sources);
  meta.files = {{kBlockChunksFile, r.chunks_size}, {kBlockIndexFile, r.index_size}};
  OutFile meta_file;
  s = meta_file.Open(tmp + "/" + kBlockMetaFile);
  if (s.ok()) s = meta_file.Write(EncodeBlockMeta(meta));
  if (s.ok()) s = meta_file.Close(opts.fsync);
  if (s.ok() && opts.fsync) s = SyncDir(tmp);
  if (s.ok() && ::rename(tmp.c_str(), final_dir.c_str()) != 0) s = Errno("rename " + tmp);
  if (!s.ok()) {
    cleanup();
    return s;
  }
  if (opts.fsync) CISTERN_RETURN_IF_ERROR(SyncDir(parent_dir));
  return meta;
}

}  // namespace cistern::tsdb
