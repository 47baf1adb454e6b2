#include "agent/wal/record.h"

#include <algorithm>
#include <cstring>

#include "agent/wal/crc32c.h"
#include "agent/wal/wal_format.h"

namespace cistern::wal {
namespace {

void PutHeader(std::string* out, FragmentType type, std::string_view data) {
  char h[kHeaderSize];
  uint8_t t = type;
  uint32_t crc = MaskCrc(Crc32cExtend(Crc32c(&t, 1), data.data(), data.size()));
  std::memcpy(h, &crc, 4);  // little-endian hosts only (x86-64, arm64)
  h[4] = static_cast<char>(data.size() & 0xff);
  h[5] = static_cast<char>(data.size() >> 8);
  h[6] = static_cast<char>(t);
  out->append(h, kHeaderSize);
  out->append(data);
}

}  // namespace

uint64_t FrameRecord(std::string_view payload, uint64_t offset, std::string* out) {
  bool first = true;
  do {
    size_t left_in_block = kBlockSize - offset % kBlockSize;
    if (left_in_block < kHeaderSize) {
      out->append(left_in_block, '\0');  // trailer: too small for a header
      offset += left_in_block;
      left_in_block = kBlockSize;
    }
    size_t avail = left_in_block - kHeaderSize;
    size_t n = std::min(avail, payload.size());
    bool last = n == payload.size();
    FragmentType type = first && last ? kFullType : first ? kFirstType : last ? kLastType : kMiddleType;
    PutHeader(out, type, payload.substr(0, n));
    offset += kHeaderSize + n;
    payload.remove_prefix(n);
    first = false;
  } while (!payload.empty());
  return offset;
}

RecordReader::RecordReader(ReadAt read, uint64_t start, Reporter reporter)
    : read_(std::move(read)), reporter_(std::move(reporter)), pos_(start) {}

Status RecordReader::Fill(uint64_t offset, uint64_t limit) {
  uint64_t block_end = (offset / kBlockSize + 1) * kBlockSize;
  uint64_t end = std::min(block_end, limit);
  if (offset >= buf_start_ && end <= buf_start_ + buf_.size()) return OkStatus();
  // Read from `offset` to the end of a run of blocks (1 MiB) to amortise syscalls.
  uint64_t want_end = std::min(limit, offset + std::max<uint64_t>(1 << 20, end - offset));
  buf_.resize(want_end - offset);
  auto n = read_(offset, buf_.data(), buf_.size());
  if (!n.ok()) return n.status();
  buf_.resize(*n);
  buf_start_ = offset;
  return OkStatus();
}

StatusOr<bool> RecordReader::Next(uint64_t limit, std::string* record, uint64_t* record_offset) {
  record->clear();
  bool assembling = false;
  uint64_t start = 0;
  uint64_t p = pos_;
  auto skip_block = [&](uint64_t at, std::string_view why) {
    // Never beyond the limit: data appended later starts there.
    uint64_t next = std::min<uint64_t>((at / kBlockSize + 1) * kBlockSize, std::max(limit, at));
    uint64_t dropped_from = assembling ? start : at;
    if (reporter_) reporter_(dropped_from, next - dropped_from, why);
    assembling = false;
    record->clear();
    p = next;
    pos_ = next;  // corruption is skipped for good
  };
  while (true) {
    uint64_t left_in_block = kBlockSize - p % kBlockSize;
    if (left_in_block < kHeaderSize) {
      if (p + left_in_block > limit) return false;
      p += left_in_block;  // trailer
      if (!assembling) pos_ = p;
      continue;
    }
    if (p + kHeaderSize > limit) return false;
    CISTERN_RETURN_IF_ERROR(Fill(p, limit));
    uint64_t in_buf = p - buf_start_;
    if (in_buf + kHeaderSize > buf_.size()) return false;  // short read: data not there yet
    const char* h = buf_.data() + in_buf;
    uint32_t masked;
    std::memcpy(&masked, h, 4);
    size_t len = static_cast<uint8_t>(h[4]) | (static_cast<size_t>(static_cast<uint8_t>(h[5])) << 8);
    uint8_t type = static_cast<uint8_t>(h[6]);
    if (type == kZeroType && len == 0 && masked == 0) {
      // Zero-filled space (preallocation or a zeroed tail): nothing more in this block.
      uint64_t next = (p / kBlockSize + 1) * kBlockSize;
      if (next > limit) return false;
      if (assembling && reporter_) reporter_(start, next - start, "zero-filled space inside a record");
      assembling = false;
      record->clear();
      p = next;
      pos_ = next;
      continue;
    }
    if (kHeaderSize + len > left_in_block) {
      skip_block(p, "bad record length");
      continue;
    }
    if (p + kHeaderSize + len > limit) return false;
    if (in_buf + kHeaderSize + len > buf_.size()) return false;
    std::string_view data(h + kHeaderSize, len);
    uint32_t crc = Crc32cExtend(Crc32c(&type, 1), data.data(), data.size());
    if (UnmaskCrc(masked) != crc || type > kMaxFragmentType || type == kZeroType) {
      skip_block(p, type > kMaxFragmentType ? "unknown record type" : "checksum mismatch");
      continue;
    }
    uint64_t here = p;
    p += kHeaderSize + len;
    switch (type) {
      case kFullType:
        if (assembling && reporter_) reporter_(start, here - start, "partial record without end");
        record->assign(data);
        *record_offset = here;
        pos_ = p;
        return true;
      case kFirstType:
        if (assembling && reporter_) reporter_(start, here - start, "partial record without end");
        assembling = true;
        start = here;
        record->assign(data);
        break;
      case kMiddleType:
      case kLastType:
        if (!assembling) {
          if (reporter_) reporter_(here, p - here, "fragment without a start");
          pos_ = p;
          break;
        }
        record->append(data);
        if (type == kLastType) {
          *record_offset = start;
          pos_ = p;
          return true;
        }
        break;
    }
  }
}

}  // namespace cistern::wal
