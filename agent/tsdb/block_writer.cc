#include "agent/tsdb/block_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <span>

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

// Cuts one series' samples into chunks and hands them to the chunk file.
class SeriesChunker {
 public:
  SeriesChunker(ChunkFileWriter* out, BlockChunkEncoding enc, int per_chunk)
      : out_(out), enc_(enc), per_chunk_(per_chunk) {}

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
    EncodeBlockChunk(enc_, s, &encoded_);
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
  IndexBuilder index;
  model::Labels prev;
  while (set->Next()) {
    const std::shared_ptr<storage::Series>& series = set->At();
    const model::Labels& labels = series->Labels();
    if (index.num_series() > 0 && !(prev < labels)) {
      return InvalidArgumentError("block writer: series " + labels.ToString() + " out of label order");
    }
    if (labels.empty()) return InvalidArgumentError("block writer: series without labels");
    auto it = series->Iterator();
    SeriesChunker chunker(&chunks, opts.encoding, per_chunk);
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
