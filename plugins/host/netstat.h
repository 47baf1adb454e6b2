// node_exporter's "netstat" collector: the protocol counters of
// <procfs>/net/netstat, <procfs>/net/snmp (header line + value line per
// protocol) and <procfs>/net/snmp6 ("Ip6InReceives 12" lines; absent when
// IPv6 is off, which is fine), exported as node_netstat_<Protocol>_<Field>
// for the fields matching node_exporter's default --collector.netstat.fields
// (kNetstatFields), without labels.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

inline constexpr std::string_view kNetstatFields =
    "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
    "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|"
    "Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"
    "Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

struct NetstatFile {
  // "<Protocol>_<Field>" -> value, in file order.
  std::vector<std::pair<std::string, double>> values;
  Status error;  // first malformed line ("line 3: ..."); the others are kept
};

// /proc/net/netstat and /proc/net/snmp: "Tcp: RtoAlgorithm ..." then "Tcp: 1 ...".
NetstatFile ParseNetstat(std::string_view text);
// /proc/net/snmp6: the protocol is the name up to its first '6' ("Icmp6", "UdpLite6").
NetstatFile ParseSnmp6(std::string_view text);

std::unique_ptr<Collector> NewNetstatCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
