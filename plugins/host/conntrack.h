// node_exporter's "conntrack" collector (netfilter connection tracking):
//   node_nf_conntrack_entries         <procfs>/sys/net/netfilter/nf_conntrack_count
//   node_nf_conntrack_entries_limit   <procfs>/sys/net/netfilter/nf_conntrack_max
//   node_nf_conntrack_stat_{found,invalid,ignore,insert,insert_failed,drop,early_drop,search_restart}
//                                     <procfs>/net/stat/nf_conntrack, summed over the CPUs
// (the stat families are gauges in node_exporter 1.5.0, without _total: kept so).
// No nf_conntrack_count (the nf_conntrack module is not loaded) is NotFound;
// a later file missing fails the collection after what was emitted, as
// node_exporter does.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

// The columns of /proc/net/stat/nf_conntrack node_exporter reports, summed.
struct ConntrackStat {
  uint64_t found = 0;
  uint64_t invalid = 0;
  uint64_t ignore = 0;
  uint64_t insert = 0;
  uint64_t insert_failed = 0;
  uint64_t drop = 0;
  uint64_t early_drop = 0;
  uint64_t search_restart = 0;
};

// A header line, then one line per CPU of 17 hexadecimal columns
// ("entries searched|clashres found new invalid ignore delete delete_list|chainlength
// insert insert_failed drop early_drop icmp_error expect_new expect_create
// expect_delete search_restart"). Any other line is an error ("line 3: ..."),
// as in node_exporter (procfs 0.8). Pure.
StatusOr<ConntrackStat> ParseConntrackStat(std::string_view text);

std::unique_ptr<Collector> NewConntrackCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
