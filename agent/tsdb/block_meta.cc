#include "agent/tsdb/block_meta.h"

#include "agent/base/json.h"

#include <simdjson.h>

#include <cstdio>
#include <random>

#include "agent/tsdb/block_format.h"

namespace cistern::tsdb {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int CrockfordValue(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kCrockford[i] == c) return i;
  }
  return -1;
}

Status Bad(const std::string& what) { return DataLossError("meta.json: " + what); }


bool ValidFileName(std::string_view name) {
  return name == kBlockIndexFile || name == kBlockChunksFile;
}

// Small readers over simdjson's error-code API.
template <typename T>
Status Field(simdjson::dom::object obj, const char* key, T* out) {
  simdjson::dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return Bad(std::string(key) + ": missing");
  if constexpr (std::is_same_v<T, int64_t>) {
    if (e.get_int64().get(*out) != simdjson::SUCCESS) return Bad(std::string(key) + ": expected an integer");
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    if (e.get_uint64().get(*out) != simdjson::SUCCESS) {
      return Bad(std::string(key) + ": expected a non-negative integer");
    }
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    if (e.get_string().get(*out) != simdjson::SUCCESS) return Bad(std::string(key) + ": expected a string");
  } else if constexpr (std::is_same_v<T, simdjson::dom::object>) {
    if (e.get_object().get(*out) != simdjson::SUCCESS) return Bad(std::string(key) + ": expected an object");
  } else {
    static_assert(std::is_same_v<T, simdjson::dom::array>);
    if (e.get_array().get(*out) != simdjson::SUCCESS) return Bad(std::string(key) + ": expected an array");
  }
  return OkStatus();
}

}  // namespace

std::string NewUlid(int64_t unix_ms) {
  thread_local std::mt19937_64 rng(std::random_device{}() ^
                                   (static_cast<uint64_t>(std::random_device{}()) << 32));
  uint64_t hi = (static_cast<uint64_t>(unix_ms) & 0xffffffffffffULL) << 16 | (rng() & 0xffff);  // 64 bits
  uint64_t lo = rng();
  // 128 bits -> 26 base32 digits, most significant first (the first digit holds 3 bits).
  std::string out(26, '0');
  for (int i = 25; i >= 0; --i) {
    out[i] = kCrockford[lo & 31];
    lo = (lo >> 5) | (hi << 59);
    hi >>= 5;
  }
  return out;
}

bool IsValidUlid(std::string_view s) {
  if (s.size() != 26 || s[0] > '7') return false;
  for (char c : s) {
    if (CrockfordValue(c) < 0) return false;
  }
  return true;
}

int64_t UlidTime(std::string_view ulid) {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) v = v << 5 | static_cast<uint64_t>(CrockfordValue(ulid[i]));
  return static_cast<int64_t>(v);  // 10 digits = 50 bits: 2 zero bits, then the 48-bit time
}

std::string EncodeBlockMeta(const BlockMeta& m) {
  std::string out = "{\n  \"ulid\": ";
  AppendJsonString(&out, m.ulid);
  out += ",\n  \"minTime\": " + std::to_string(m.min_time);
  out += ",\n  \"maxTime\": " + std::to_string(m.max_time);
  out += ",\n  \"stats\": {\n    \"numSamples\": " + std::to_string(m.num_samples);
  out += ",\n    \"numSeries\": " + std::to_string(m.num_series);
  out += ",\n    \"numChunks\": " + std::to_string(m.num_chunks);
  out += "\n  },\n  \"compaction\": {\n    \"level\": " + std::to_string(m.compaction_level);
  out += ",\n    \"sources\": [";
  for (size_t i = 0; i < m.sources.size(); ++i) {
    out += i == 0 ? "\n      " : ",\n      ";
    AppendJsonString(&out, m.sources[i]);
  }
  out += m.sources.empty() ? "]" : "\n    ]";
  out += "\n  },\n  \"files\": [";
  for (size_t i = 0; i < m.files.size(); ++i) {
    out += i == 0 ? "\n    {\"name\": " : ",\n    {\"name\": ";
    AppendJsonString(&out, m.files[i].name);
    out += ", \"size\": " + std::to_string(m.files[i].size) + "}";
  }
  out += m.files.empty() ? "]" : "\n  ]";
  out += ",\n  \"version\": " + std::to_string(kBlockMetaVersion) + "\n}\n";
  return out;
}

StatusOr<BlockMeta> ParseBlockMeta(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS) {
    return Bad(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return Bad("expected an object");
  BlockMeta m;
  uint64_t version = 0;
  CISTERN_RETURN_IF_ERROR(Field(obj, "version", &version));
  if (version != kBlockMetaVersion) return Bad("version: unsupported " + std::to_string(version));
  std::string_view ulid;
  CISTERN_RETURN_IF_ERROR(Field(obj, "ulid", &ulid));
  if (!IsValidUlid(ulid)) return Bad("ulid: not a ULID");
  m.ulid = ulid;
  CISTERN_RETURN_IF_ERROR(Field(obj, "minTime", &m.min_time));
  CISTERN_RETURN_IF_ERROR(Field(obj, "maxTime", &m.max_time));
  if (m.min_time >= m.max_time) return Bad("minTime must be less than maxTime");
  simdjson::dom::object stats, compaction;
  CISTERN_RETURN_IF_ERROR(Field(obj, "stats", &stats));
  CISTERN_RETURN_IF_ERROR(Field(stats, "numSamples", &m.num_samples));
  CISTERN_RETURN_IF_ERROR(Field(stats, "numSeries", &m.num_series));
  CISTERN_RETURN_IF_ERROR(Field(stats, "numChunks", &m.num_chunks));
  if (m.num_series == 0 || m.num_chunks < m.num_series || m.num_samples < m.num_chunks) {
    return Bad("stats: inconsistent counts");
  }
  CISTERN_RETURN_IF_ERROR(Field(obj, "compaction", &compaction));
  uint64_t level = 0;
  CISTERN_RETURN_IF_ERROR(Field(compaction, "level", &level));
  if (level < 1 || level > 1000) return Bad("compaction.level: out of range");
  m.compaction_level = static_cast<int>(level);
  simdjson::dom::array arr;
  CISTERN_RETURN_IF_ERROR(Field(compaction, "sources", &arr));
  for (simdjson::dom::element e : arr) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS || !IsValidUlid(s)) {
      return Bad("compaction.sources: expected ULIDs");
    }
    m.sources.emplace_back(s);
  }
  if (m.sources.empty()) return Bad("compaction.sources: empty");
  CISTERN_RETURN_IF_ERROR(Field(obj, "files", &arr));
  for (simdjson::dom::element e : arr) {
    simdjson::dom::object f;
    if (e.get_object().get(f) != simdjson::SUCCESS) return Bad("files: expected objects");
    BlockFile file;
    std::string_view name;
    CISTERN_RETURN_IF_ERROR(Field(f, "name", &name));
    CISTERN_RETURN_IF_ERROR(Field(f, "size", &file.size));
    if (!ValidFileName(name)) return Bad("files: unexpected file name");
    for (const BlockFile& other : m.files) {
      if (other.name == name) return Bad("files: duplicate file name");
    }
    file.name = name;
    m.files.push_back(std::move(file));
  }
  if (m.files.size() != 2) return Bad("files: expected index and chunks");
  return m;
}

}  // namespace cistern::tsdb
