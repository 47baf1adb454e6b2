// Small blocking file helpers (call from worker threads or at startup only).
#pragma once

#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace cistern {

// Reads a whole file, to EOF (so /proc and /sys files, which report size 0,
// work). Errors name the path: "read /etc/x: no such file or directory";
// NotFound if it (or a directory on its path) does not exist.
StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes = 64 << 20);

// Writes `data` to `path` atomically: temp file, fsync, rename, fsync of the directory.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// strerror as a lower-case string.
std::string ErrnoMessage(int err);

}  // namespace cistern
