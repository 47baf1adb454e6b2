// The filefd collector: node_filefd_allocated and node_filefd_maximum from
// /proc/sys/fs/file-nr ("allocated<TAB>free<TAB>maximum"; the middle number
// is always 0 since Linux 2.6 and not reported).
#pragma once

#include <memory>
#include <string_view>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

struct FileNr {
  double allocated = 0;
  double maximum = 0;
};

// Pure.
StatusOr<FileNr> ParseFileNr(std::string_view text);

std::unique_ptr<Collector> NewFilefdCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
