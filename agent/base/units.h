// Durations and sizes as users write them in config files and flags.
//
// Durations follow Prometheus: one or more "<integer><unit>" terms, largest
// unit first, units y w d h m s ms ("1h30m", "15s", "500ms", "30d"); "0" is
// zero. Sizes: an integer or decimal followed by an optional unit, B, KB MB GB
// TB PB (powers of 1000) or KiB MiB GiB TiB PiB (powers of 1024), "512MiB".
// Pure functions, thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace cistern {

using Duration = std::chrono::milliseconds;

StatusOr<Duration> ParseDuration(std::string_view text);
// Shortest Prometheus form: 5400000ms -> "1h30m", 0 -> "0s".
std::string FormatDuration(Duration d);

StatusOr<uint64_t> ParseSize(std::string_view text);
// Largest binary unit that divides exactly: 33554432 -> "32MiB".
std::string FormatSize(uint64_t bytes);

}  // namespace cistern
