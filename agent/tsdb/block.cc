#include "agent/tsdb/block.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/base/file_util.h"
#include "agent/tsdb/block_chunk_codec.h"
#include "agent/tsdb/block_format.h"
#include "agent/tsdb/block_querier.h"

namespace cistern::tsdb {
namespace {

std::string BaseName(const std::string& dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  size_t slash = d.rfind('/');
  return slash == std::string::npos ? d : d.substr(slash + 1);
}

Status OpenError(const std::string& what) {
  int e = errno;
  std::string msg = what + ": " + std::strerror(e);
  return e == ENOENT ? NotFoundError(msg) : InternalError(msg);
}

StatusOr<std::string> ReadSmallFile(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(what);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = OpenError(what);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (1u << 20)) {
      ::close(fd);
      return DataLossError(what + ": larger than 1 MiB");
    }
  }
  ::close(fd);
  return out;
}

// The tombstones file of `dir`, checked against `index`; empty when there is none.
StatusOr<TombstoneMap> ReadTombstones(const std::string& dir, const BlockIndex& index) {
  StatusOr<std::string> bytes = ReadFile(dir + "/" + kBlockTombstonesFile);
  if (bytes.status().code() == StatusCode::kNotFound) return TombstoneMap{};
  if (!bytes.ok())
    return Status(bytes.status().code(),
                  std::string(kBlockTombstonesFile) + ": " + std::string(bytes.status().message()));
  CISTERN_ASSIGN_OR_RETURN(TombstoneMap map, DecodeBlockTombstones(*bytes));
  if (map.empty()) return map;
  Postings all = index.All();
  for (const auto& [ref, set] : map) {
    if (!std::binary_search(all.begin(), all.end(), ref))
      return DataLossError(std::string(kBlockTombstonesFile) + ": series " + std::to_string(ref) +
                           " is not in the index");
  }
  return map;
}

}  // namespace

Block::~Block() {
  if (index_map_.data != nullptr) ::munmap(const_cast<char*>(index_map_.data), index_map_.size);
  if (chunks_map_.data != nullptr) ::munmap(const_cast<char*>(chunks_map_.data), chunks_map_.size);
}

Status Block::Map(const BlockFile& file, Mapping* m) {
  std::string path = dir_ + "/" + file.name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(file.name);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = OpenError(file.name);
    ::close(fd);
    return s;
  }
  auto size = static_cast<uint64_t>(st.st_size);
  if (size != file.size) {
    ::close(fd);
    return DataLossError(file.name + ": size " + std::to_string(size) + ", meta.json says " +
                         std::to_string(file.size));
  }
  if (size == 0) {
    ::close(fd);
    return DataLossError(file.name + ": empty");
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  Status s = p == MAP_FAILED ? OpenError(file.name + ": mmap") : OkStatus();
  ::close(fd);
  if (!s.ok()) return s;
  m->data = static_cast<const char*>(p);
  m->size = size;
  return OkStatus();
}

StatusOr<std::shared_ptr<Block>> Block::Open(const std::string& dir) {
  auto b = std::shared_ptr<Block>(new Block());
  b->dir_ = dir;
  b->name_ = "block " + BaseName(dir);
  auto annotate = [&b](const Status& s) { return s.Annotate(b->name_); };
  StatusOr<std::string> json = ReadSmallFile(dir + "/" + kBlockMetaFile, kBlockMetaFile);
  if (!json.ok()) return annotate(json.status());
  b->meta_json_size_ = json->size();
  StatusOr<BlockMeta> meta = ParseBlockMeta(*json);
  if (!meta.ok()) return annotate(meta.status());
  b->meta_ = std::move(meta).value();
  b->name_ = "block " + b->meta_.ulid;
  for (const BlockFile& f : b->meta_.files) {
    Status s = b->Map(f, f.name == kBlockIndexFile ? &b->index_map_ : &b->chunks_map_);
    if (!s.ok()) return annotate(s);
  }
  StatusOr<std::unique_ptr<ChunkFileReader>> chunks =
      ChunkFileReader::Open(std::string_view(b->chunks_map_.data, b->chunks_map_.size));
  if (!chunks.ok()) return annotate(chunks.status());
  b->chunks_ = std::move(chunks).value();
  StatusOr<std::unique_ptr<BlockIndex>> index =
      BlockIndex::Open(std::string_view(b->index_map_.data, b->index_map_.size));
  if (!index.ok()) return annotate(index.status());
  b->index_ = std::move(index).value();
  const BlockMeta& m = b->meta_;
  if (b->index_->num_series() != m.num_series || b->index_->num_chunks() != m.num_chunks ||
      b->index_->num_samples() != m.num_samples) {
    return annotate(DataLossError("index: counts differ from meta.json"));
  }
  const ChunkFileReader* cr = b->chunks_.get();
  Status s = b->index_->ValidateSeries([&m, cr](const BlockChunkMeta& c) {
    if (c.min_time < m.min_time || c.max_time >= m.max_time) return DataLossError("chunk outside the block's time range");
    if (c.frame >= cr->num_frames()) return DataLossError("chunk in frame " + std::to_string(c.frame) + " of " +
                                                          std::to_string(cr->num_frames()));
    if (c.length < 2 || c.offset > cr->frame_raw_size(c.frame) ||
        c.length > cr->frame_raw_size(c.frame) - c.offset) {
      return DataLossError("chunk outside frame " + std::to_string(c.frame));
    }
    return OkStatus();
  });
  if (!s.ok()) return annotate(s);
  StatusOr<TombstoneMap> stones = ReadTombstones(dir, *b->index_);
  if (!stones.ok()) return annotate(stones.status());
  b->tombstones_ = std::make_shared<const TombstoneMap>(std::move(stones).value());
  return b;
}

std::shared_ptr<const TombstoneMap> Block::tombstones() const {
  std::lock_guard lock(tombstones_mu_);
  return tombstones_;
}

StatusOr<TombstoneMap> Block::PlanDelete(
    int64_t mint, int64_t maxt, std::span<const std::vector<storage::LabelMatcher>> selectors) const {
  TombstoneMap out;
  if (mint > maxt || maxt < meta_.min_time || mint >= meta_.max_time) return out;
  model::Labels labels;
  std::vector<BlockChunkMeta> chunks;
  for (const std::vector<storage::LabelMatcher>& sel : selectors) {
    if (sel.empty()) continue;
    for (storage::SeriesRef ref : PostingsForMatchers(*index_, sel)) {
      CISTERN_RETURN_IF_ERROR(index_->ReadSeries(ref, &labels, &chunks).Annotate(name_));
      for (const BlockChunkMeta& c : chunks) {
        if (c.max_time < mint || c.min_time > maxt) continue;
        AddInterval(&out[ref], Clamp({mint, maxt}, chunks.front().min_time, chunks.back().max_time));
        break;
      }
    }
  }
  return out;
}

Status Block::AddTombstones(const TombstoneMap& more) {
  if (more.empty()) return OkStatus();
  auto next = std::make_shared<TombstoneMap>(*tombstones());
  MergeTombstones(next.get(), more);
  CISTERN_RETURN_IF_ERROR(WriteFileAtomic(dir_ + "/" + kBlockTombstonesFile, EncodeBlockTombstones(*next))
                              .Annotate(name_ + ": tombstones"));
  std::lock_guard lock(tombstones_mu_);
  tombstones_ = std::move(next);
  return OkStatus();
}

Status Block::VerifyFiles() const {
  auto annotate = [this](const Status& s) { return s.Annotate(name_); };
  for (const BlockFile& f : meta_.files) {
    struct stat st;
    std::string path = dir_ + "/" + f.name;
    if (::stat(path.c_str(), &st) != 0) return annotate(OpenError(f.name));
    if (static_cast<uint64_t>(st.st_size) != f.size)  // reading the mapping past a shrunk file would fault
      return annotate(DataLossError(f.name + ": size " + std::to_string(st.st_size) + ", meta.json says " +
                                    std::to_string(f.size)));
  }
  StatusOr<std::unique_ptr<BlockIndex>> index =
      BlockIndex::Open(std::string_view(index_map_.data, index_map_.size));
  if (!index.ok()) return annotate(index.status());
  StatusOr<std::unique_ptr<ChunkFileReader>> chunks =
      ChunkFileReader::Open(std::string_view(chunks_map_.data, chunks_map_.size));
  if (!chunks.ok()) return annotate(chunks.status());
  CISTERN_RETURN_IF_ERROR(annotate((*chunks)->VerifyChecksums()));
  StatusOr<TombstoneMap> stones = ReadTombstones(dir_, **index);
  if (!stones.ok()) return annotate(stones.status());
  return OkStatus();
}

uint64_t Block::SizeBytes() const { return meta_json_size_ + index_map_.size + chunks_map_.size; }

StatusOr<std::unique_ptr<storage::Querier>> Block::NewQuerier(int64_t mint, int64_t maxt) {
  return std::unique_ptr<storage::Querier>(std::make_unique<BlockQuerier>(shared_from_this(), mint, maxt));
}

Status Block::VerifyChunks() const {
  for (FrameKind kind : {FrameKind::kChunks, FrameKind::kTimestamps}) {
    for (uint32_t f = 0; f < chunks_->num_frames(kind); ++f) {
      StatusOr<std::shared_ptr<const std::string>> frame = chunks_->ReadFrame(kind, f);
      if (!frame.ok()) return frame.status().Annotate(name_);
    }
  }
  FrameCache cache(chunks_.get(), 1, FrameKind::kChunks);
  FrameCache ts_cache(chunks_.get(), 1, FrameKind::kTimestamps);
  std::vector<BlockChunkMeta> metas;
  std::vector<model::Sample> samples;
  model::Labels labels;
  for (storage::SeriesRef ref : index_->All()) {
    CISTERN_RETURN_IF_ERROR(index_->ReadSeries(ref, &labels, &metas).Annotate(name_));
    for (const BlockChunkMeta& c : metas) {
      CISTERN_RETURN_IF_ERROR(LoadBlockChunk(*this, &cache, &ts_cache, c, &samples));
    }
  }
  return OkStatus();
}

}  // namespace cistern::tsdb
