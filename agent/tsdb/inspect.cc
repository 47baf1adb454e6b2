#include "agent/tsdb/inspect.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "agent/base/json.h"
#include "agent/base/time.h"
#include "agent/base/units.h"
#include "agent/obs/metrics.h"
#include "agent/tsdb/db.h"
#include "agent/wal/wal.h"

namespace cistern::tsdb {
namespace {

template <typename Map>
std::vector<std::pair<std::string, uint64_t>> Top(const Map& m, size_t n) {
  std::vector<std::pair<std::string, uint64_t>> v;
  for (const auto& [k, c] : m) v.emplace_back(k, static_cast<uint64_t>(c));
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (v.size() > n) v.resize(n);
  return v;
}

// Counts series and samples of everything `q` returns, with cardinality maps when given.
Status Count(storage::Querier* q, TsdbReport::Range* r, std::map<std::string, uint64_t>* metrics,
             std::map<std::string, uint64_t>* pairs, std::map<std::string, std::set<std::string>>* names) {
  std::vector<storage::LabelMatcher> all{storage::MatchAllSeries()};
  std::unique_ptr<storage::SeriesSet> set = q->Select(false, nullptr, all);
  bool any = false;
  while (set->Next()) {
    const auto& series = set->At();
    auto it = series->Iterator();
    uint64_t n = 0;
    while (it->Next()) {
      int64_t t = it->At().timestamp_ms;
      if (!any || t < r->min_time) r->min_time = t;
      if (!any || t > r->max_time) r->max_time = t;
      any = true;
      ++n;
    }
    CISTERN_RETURN_IF_ERROR(it->Err());
    ++r->series;
    r->samples += n;
    if (metrics) {
      ++(*metrics)[std::string(series->Labels().MetricName())];
      for (const model::Label& l : series->Labels()) {
        ++(*pairs)[l.name + "=\"" + l.value + "\""];
        (*names)[l.name].insert(l.value);
      }
    }
  }
  return set->Err();
}

}  // namespace

StatusOr<TsdbReport> InspectTsdb(const std::string& dir, const InspectOptions& options) {
  auto started = std::chrono::steady_clock::now();
  obs::Registry registry;
  DbOptions o;
  o.dir = dir;
  o.read_only = true;
  o.force = options.force;
  o.background = false;
  o.out_of_order_window_ms = std::numeric_limits<int64_t>::max() / 4;  // replay everything the WAL holds
  o.registry = &registry;
  CISTERN_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(o));
  TsdbReport rep;
  rep.dir = dir;
  for (const auto& b : db->Blocks()) rep.blocks.push_back({b->meta(), b->SizeBytes()});
  rep.skipped_blocks = db->skipped_blocks();
  {
    CISTERN_ASSIGN_OR_RETURN(auto q, db->head().NewQuerier(storage::kMinTime, storage::kMaxTime));
    CISTERN_RETURN_IF_ERROR(Count(q.get(), &rep.head, nullptr, nullptr, nullptr));
    CISTERN_RETURN_IF_ERROR(q->Close());
  }
  std::map<std::string, uint64_t> metrics, pairs;
  std::map<std::string, std::set<std::string>> names;
  {
    CISTERN_ASSIGN_OR_RETURN(auto q, db->NewQuerier(storage::kMinTime, storage::kMaxTime));
    CISTERN_RETURN_IF_ERROR(Count(q.get(), &rep.total, &metrics, &pairs, &names));
    CISTERN_RETURN_IF_ERROR(q->Close());
  }
  rep.top_metrics = Top(metrics, options.top);
  rep.top_label_pairs = Top(pairs, options.top);
  std::map<std::string, size_t> value_counts;
  for (const auto& [n, vals] : names) value_counts[n] = vals.size();
  rep.top_label_names = Top(value_counts, options.top);
  if (std::filesystem::is_directory(dir + "/wal")) {
    CISTERN_ASSIGN_OR_RETURN(wal::InspectReport w, wal::Inspect(dir + "/wal"));
    bool any = false;
    for (const auto& s : w.segments) {
      ++rep.wal.segments;
      if (s.samples == 0) continue;
      if (!any || s.min_ts < rep.wal.min_time) rep.wal.min_time = s.min_ts;
      if (!any || s.max_ts > rep.wal.max_time) rep.wal.max_time = s.max_ts;
      any = true;
    }
    rep.wal.bytes = w.bytes;
    rep.wal.samples = w.samples;
  }
  (void)db->Close();
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return rep;
}

std::string FormatTsdbReport(const TsdbReport& r) {
  std::string out;
  char line[512];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  out += "data directory " + r.dir + "\n\n";
  add("%-26s  %-20s  %-20s  %5s  %9s  %9s  %12s  %12s  %7s\n", "BLOCK", "MIN TIME", "MAX TIME", "LEVEL",
      "SERIES", "CHUNKS", "SAMPLES", "BYTES", "B/SMPL");
  uint64_t bytes = 0, samples = 0;
  for (const auto& b : r.blocks) {
    const BlockMeta& m = b.meta;
    bytes += b.bytes;
    samples += m.num_samples;
    add("%-26s  %-20s  %-20s  %5d  %9llu  %9llu  %12llu  %12llu  %7.3f\n", m.ulid.c_str(),
        FormatUnixMillisUtc(m.min_time).c_str(), FormatUnixMillisUtc(m.max_time).c_str(), m.compaction_level,
        static_cast<unsigned long long>(m.num_series), static_cast<unsigned long long>(m.num_chunks),
        static_cast<unsigned long long>(m.num_samples), static_cast<unsigned long long>(b.bytes),
        m.num_samples ? static_cast<double>(b.bytes) / m.num_samples : 0.0);
  }
  add("%zu blocks: %llu samples, %s, %.3f bytes/sample\n", r.blocks.size(),
      static_cast<unsigned long long>(samples), FormatSize(bytes).c_str(),
      samples ? static_cast<double>(bytes) / samples : 0.0);
  for (const auto& s : r.skipped_blocks) out += "skipped (failed verification): " + s + "\n";
  add("\nhead (replayed from the WAL): %llu series, %llu samples",
      static_cast<unsigned long long>(r.head.series), static_cast<unsigned long long>(r.head.samples));
  if (r.head.samples)
    out += ", " + FormatUnixMillisUtc(r.head.min_time) + " .. " + FormatUnixMillisUtc(r.head.max_time);
  add("\nwal: %llu segments, %s, %llu samples", static_cast<unsigned long long>(r.wal.segments),
      FormatSize(r.wal.bytes).c_str(), static_cast<unsigned long long>(r.wal.samples));
  if (r.wal.samples)
    out += ", " + FormatUnixMillisUtc(r.wal.min_time) + " .. " + FormatUnixMillisUtc(r.wal.max_time);
  add("\ntotal: %llu series, %llu samples", static_cast<unsigned long long>(r.total.series),
      static_cast<unsigned long long>(r.total.samples));
  if (r.total.samples)
    out += ", " + FormatUnixMillisUtc(r.total.min_time) + " .. " + FormatUnixMillisUtc(r.total.max_time);
  out += "\n";
  auto list = [&](const char* title, const std::vector<std::pair<std::string, uint64_t>>& v) {
    out += std::string("\n") + title + "\n";
    for (const auto& [k, n] : v) add("%10llu  %s\n", static_cast<unsigned long long>(n), k.c_str());
  };
  list("metric names by series:", r.top_metrics);
  list("label pairs by series:", r.top_label_pairs);
  list("label names by distinct values:", r.top_label_names);
  add("\ninspected in %.2fs\n", r.seconds);
  return out;
}

std::string TsdbReportJson(const TsdbReport& r) {
  std::string o = "{\"dir\":" + JsonString(r.dir) + ",\"blocks\":[";
  for (size_t i = 0; i < r.blocks.size(); ++i) {
    const BlockMeta& m = r.blocks[i].meta;
    if (i) o += ',';
    o += "{\"ulid\":" + JsonString(m.ulid) + ",\"minTime\":" + std::to_string(m.min_time) +
         ",\"maxTime\":" + std::to_string(m.max_time) + ",\"level\":" + std::to_string(m.compaction_level) +
         ",\"series\":" + std::to_string(m.num_series) + ",\"chunks\":" + std::to_string(m.num_chunks) +
         ",\"samples\":" + std::to_string(m.num_samples) + ",\"bytes\":" + std::to_string(r.blocks[i].bytes) +
         "}";
  }
  o += "],\"skippedBlocks\":[";
  for (size_t i = 0; i < r.skipped_blocks.size(); ++i) o += (i ? "," : "") + JsonString(r.skipped_blocks[i]);
  auto range = [](const TsdbReport::Range& x) {
    return "{\"series\":" + std::to_string(x.series) + ",\"samples\":" + std::to_string(x.samples) +
           ",\"minTime\":" + std::to_string(x.min_time) + ",\"maxTime\":" + std::to_string(x.max_time) + "}";
  };
  o += "],\"head\":" + range(r.head) + ",\"total\":" + range(r.total);
  o += ",\"wal\":{\"segments\":" + std::to_string(r.wal.segments) +
       ",\"bytes\":" + std::to_string(r.wal.bytes) + ",\"samples\":" + std::to_string(r.wal.samples) +
       ",\"minTime\":" + std::to_string(r.wal.min_time) + ",\"maxTime\":" + std::to_string(r.wal.max_time) +
       "}";
  auto list = [&](const char* key, const std::vector<std::pair<std::string, uint64_t>>& v) {
    o += std::string(",\"") + key + "\":[";
    for (size_t i = 0; i < v.size(); ++i)
      o += (i ? "," : "") + std::string("{\"name\":") + JsonString(v[i].first) +
           ",\"value\":" + std::to_string(v[i].second) + "}";
    o += "]";
  };
  list("seriesCountByMetricName", r.top_metrics);
  list("seriesCountByLabelValuePair", r.top_label_pairs);
  list("labelValueCountByLabelName", r.top_label_names);
  o += ",\"seconds\":" + std::to_string(r.seconds) + "}\n";
  return o;
}

}  // namespace cistern::tsdb
