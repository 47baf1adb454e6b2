// Helpers for the system collectors' tests (beside host_testing.h).
#pragma once

#include "plugins/host/collector.h"
#include "tests/testing/temp_dir.h"

namespace cistern::plugins::host::testing {

// A config whose proc/sys/root are <dir>/proc, /sys and /root: a host made up
// in a test (TempDir::WriteFile("proc/stat", ...)).
inline HostConfig InDir(const cistern::testing::TempDir& dir) {
  HostConfig c;
  c.proc = dir.Join("proc");
  c.sys = dir.Join("sys");
  c.root = dir.Join("root");
  return c;
}

}  // namespace cistern::plugins::host::testing
