// The uname collector: node_uname_info{domainname,machine,nodename,release,
// sysname,version} 1, from uname(2) like node_exporter. When procfs is not
// /proc (the host's /proc mounted into a container at, say, /host/proc),
// sysname, release, version, nodename and domainname come from
// <procfs>/sys/kernel/{ostype,osrelease,version,hostname,domainname}
// instead, each falling back to uname(2) where its file is missing; machine
// always comes from uname(2) (a container runs on the host's kernel).
// Caveat: the kernel answers hostname and domainname for the UTS namespace of
// the reader, so a container not started with the host's UTS namespace
// (docker --uts=host) still sees its own hostname there.
#pragma once

#include <memory>
#include <string>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

struct UnameInfo {
  std::string sysname, release, version, machine, nodename, domainname;
};

// uname(2).
StatusOr<UnameInfo> UnameSyscall();

// `base` with the fields that <procfs>/sys/kernel/* has replaced (trimmed).
UnameInfo UnameFromProc(const HostConfig& config, UnameInfo base);

std::unique_ptr<Collector> NewUnameCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
