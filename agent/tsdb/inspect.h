// `cistern tsdb inspect DIR`: an offline, read-only report on a data
// directory: blocks with their time ranges, sizes and bytes per sample, the
// head as the WAL replays it, the WAL itself, and the cardinality report
// (metric names and label pairs by series count) over everything.
// Opens the directory read-only (Db read_only): refused while a server holds
// it unless `force`. Pure, one call at a time.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "agent/tsdb/block_meta.h"

namespace cistern::tsdb {

struct InspectOptions {
  bool force = false;
  size_t top = 10;  // entries in each cardinality list
};

struct TsdbReport {
  std::string dir;
  struct BlockEntry {
    BlockMeta meta;
    uint64_t bytes = 0;
  };
  std::vector<BlockEntry> blocks;
  std::vector<std::string> skipped_blocks;  // failed verification: "<dir>: <why>"
  struct Range {
    uint64_t series = 0, samples = 0;
    int64_t min_time = 0, max_time = 0;  // inclusive; 0/0 when empty
  };
  Range head;   // what the WAL replays into the head
  Range total;  // blocks and head together, through the querier
  struct WalEntry {
    uint64_t segments = 0, bytes = 0, samples = 0;
    int64_t min_time = 0, max_time = 0;
  } wal;
  std::vector<std::pair<std::string, uint64_t>> top_metrics;      // metric name -> series
  std::vector<std::pair<std::string, uint64_t>> top_label_pairs;  // name="value" -> series
  std::vector<std::pair<std::string, uint64_t>> top_label_names;  // label name -> distinct values
  double seconds = 0;                                             // time the inspection took
};

StatusOr<TsdbReport> InspectTsdb(const std::string& dir, const InspectOptions& options);
std::string FormatTsdbReport(const TsdbReport& report);  // human-readable text
std::string TsdbReportJson(const TsdbReport& report);

}  // namespace cistern::tsdb
