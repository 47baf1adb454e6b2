#include "plugins/host/conntrack.h"

#include <charconv>
#include <string>
#include <vector>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

constexpr size_t kStatColumns = 17;

// A column of the file and where its sum goes.
struct StatColumn {
  size_t index;
  uint64_t ConntrackStat::*field;
  std::string_view metric;
};

constexpr StatColumn kStatColumnsUsed[] = {
    {2, &ConntrackStat::found, "node_nf_conntrack_stat_found"},
    {4, &ConntrackStat::invalid, "node_nf_conntrack_stat_invalid"},
    {5, &ConntrackStat::ignore, "node_nf_conntrack_stat_ignore"},
    {8, &ConntrackStat::insert, "node_nf_conntrack_stat_insert"},
    {9, &ConntrackStat::insert_failed, "node_nf_conntrack_stat_insert_failed"},
    {10, &ConntrackStat::drop, "node_nf_conntrack_stat_drop"},
    {11, &ConntrackStat::early_drop, "node_nf_conntrack_stat_early_drop"},
    {16, &ConntrackStat::search_restart, "node_nf_conntrack_stat_search_restart"},
};

// strconv.ParseUint(s, 16, 64): hex digits only (no sign, no "0x"), the whole string.
bool ParseHex(std::string_view s, uint64_t* out) {
  if (s.empty() || s.front() == '-' || s.front() == '+') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, 16);
  return ec == std::errc() && end == s.data() + s.size();
}

class ConntrackCollector : public Collector {
 public:
  explicit ConntrackCollector(const HostConfig& config)
      : count_path_(config.Proc("sys/net/netfilter/nf_conntrack_count")),
        max_path_(config.Proc("sys/net/netfilter/nf_conntrack_max")),
        stat_path_(config.Proc("net/stat/nf_conntrack")) {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(uint64_t count, ReadUintFile(count_path_));
    out.Add("node_nf_conntrack_entries", static_cast<double>(count));
    auto max = ReadUintFile(max_path_);
    if (!max.ok()) return AfterEmit(max.status());
    out.Add("node_nf_conntrack_entries_limit", static_cast<double>(*max));
    auto text = ReadProcFile(stat_path_);
    if (!text.ok()) return AfterEmit(text.status());
    auto stat = ParseConntrackStat(*text);
    if (!stat.ok()) return stat.status().Annotate(stat_path_);
    for (const StatColumn& c : kStatColumnsUsed) out.Add(c.metric, static_cast<double>((*stat).*c.field));
    return OkStatus();
  }

 private:
  std::string count_path_;
  std::string max_path_;
  std::string stat_path_;
};

}  // namespace

StatusOr<ConntrackStat> ParseConntrackStat(std::string_view text) {
  ConntrackStat sum;
  size_t line_no = 0;
  for (std::string_view line : Lines(text)) {
    if (++line_no == 1) continue;  // the header
    std::vector<std::string_view> f = Fields(line);
    if (f.size() != kStatColumns) {
      return DataLossError("line " + std::to_string(line_no) + ": expected " + std::to_string(kStatColumns) +
                           " columns, got " + std::to_string(f.size()));
    }
    auto bad = [&](size_t i) {
      return DataLossError("line " + std::to_string(line_no) + ": column " + std::to_string(i + 1) +
                           ": not a hexadecimal number: \"" + std::string(f[i]) + "\"");
    };
    uint64_t v;
    if (!ParseHex(f[0], &v)) return bad(0);  // "entries": checked by node_exporter, not reported
    for (const StatColumn& c : kStatColumnsUsed) {
      if (!ParseHex(f[c.index], &v)) return bad(c.index);
      sum.*c.field += v;  // wraps like Go's uint64
    }
  }
  return sum;
}

std::unique_ptr<Collector> NewConntrackCollector(const HostConfig& config) {
  return std::make_unique<ConntrackCollector>(config);
}

}  // namespace cistern::plugins::host
