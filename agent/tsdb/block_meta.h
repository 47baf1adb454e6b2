// BlockMeta: a block's meta.json (Prometheus' fields plus the size of every
// file), its JSON writer and parser, and ULIDs. Value types; the functions
// are pure and thread-safe (NewUlid draws from a per-thread generator).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace cistern::tsdb {

struct BlockFile {
  std::string name;  // relative to the block directory: "index", "chunks"
  uint64_t size = 0;
  friend bool operator==(const BlockFile&, const BlockFile&) = default;
};

struct BlockMeta {
  std::string ulid;      // 26-char Crockford ULID (time-ordered), also the directory name
  int64_t min_time = 0;  // inclusive, ms
  int64_t max_time = 0;  // EXCLUSIVE, ms (as Prometheus' meta.json)
  uint64_t num_series = 0, num_chunks = 0, num_samples = 0;
  int compaction_level = 1;
  std::vector<std::string> sources;  // ULIDs of the level-1 blocks this one was compacted from (itself for level 1)
  std::vector<BlockFile> files;      // every file but meta.json, with its size
  friend bool operator==(const BlockMeta&, const BlockMeta&) = default;
};

// A new ULID for time `unix_ms`: 48-bit big-endian milliseconds then 80 random
// bits, Crockford base32 (26 chars). ULIDs of later milliseconds sort later.
std::string NewUlid(int64_t unix_ms);
// Whether `s` is 26 Crockford base32 characters (upper case) whose first one
// is at most '7' (the 128-bit range).
bool IsValidUlid(std::string_view s);
// The millisecond timestamp of a valid ULID.
int64_t UlidTime(std::string_view ulid);

// meta.json text (pretty-printed, keys in a fixed order).
std::string EncodeBlockMeta(const BlockMeta& meta);
// Parses and checks meta.json: InvalidArgument-free by design, every problem
// is DataLoss "meta.json: <what>" (the caller prefixes the block).
StatusOr<BlockMeta> ParseBlockMeta(std::string_view json);

}  // namespace cistern::tsdb
