// node_exporter's "sockstat" collector, from <procfs>/net/sockstat and
// <procfs>/net/sockstat6 (either may be absent when that IP version is off):
//   node_sockstat_sockets_used                     (sockstat's "sockets: used")
//   node_sockstat_<PROTO>_{inuse,orphan,tw,alloc,mem,memory}   as the kernel prints them
//                                                  (inuse always; TCP6, UDP6, ... from sockstat6)
//   node_sockstat_<PROTO>_mem_bytes                (mem, which counts pages, x page size)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

struct SockstatProtocol {
  std::string name;  // "TCP", "UDP6", ...
  int64_t inuse = 0;
  std::optional<int64_t> orphan, tw, alloc, mem, memory;
};

struct SockstatFile {
  std::optional<int64_t> sockets_used;
  std::vector<SockstatProtocol> protocols;  // in file order
  Status error;                             // first malformed line ("line 3: ..."); the others are kept
};

SockstatFile ParseSockstat(std::string_view text);

std::unique_ptr<Collector> NewSockstatCollector(const HostConfig& config);
// With a page size of the caller's choosing (tests).
std::unique_ptr<Collector> NewSockstatCollector(const HostConfig& config, int64_t page_size);

}  // namespace cistern::plugins::host
